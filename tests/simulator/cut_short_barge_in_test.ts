// A barge-in the caller's own hang-up cut mid-sentence (`--hang-up-at` while the injected
// barge-in was being spoken) counted as unanswered under `requireAnswer`, where an utterance of
// the caller's audio cut the same way is owed no answer (report.ts `CallUtterance.cutShortBy`):
// the caller left in the middle of it, and no bot answers a question before it is finished. It
// is now marked and said apart as that one is. The bot is Twilio's Media Streams peer
// (./_twilio_talking_bot.ts, on one FakeClock with the simulator: exact times).
import assert from "node:assert/strict";
import {
  aggregateReports,
  type CallReport,
  formatReport,
  judgeCall,
} from "../../src/simulator/mod.ts";
import { callTalkingTwilioBot } from "./_twilio_talking_bot.ts";

/**
 * A Twilio call to a bot that talks for 2 s from 100 ms on and never stops for the caller; the
 * caller's audio is `audioMs` of silence, and it barges in 500 ms into the bot's talk for
 * `durationMs`, then hangs up at `hangUpAtMs`.
 */
function bargeInThenHangUp(
  hangUpAtMs: number,
  durationMs: number,
  audioMs = 3000,
): Promise<CallReport> {
  return callTalkingTwilioBot([2000], {
    audio: { pcm: new Uint8Array(16 * 2 * audioMs), sampleRate: 16000 },
    hangUpAtMs,
    bargeIn: { afterMs: 500, durationMs },
  });
}

const unanswered = (report: CallReport) =>
  judgeCall(report, { requireAnswer: true }).failures.find((f) => f.reason === "unanswered")
    ?.detail;

Deno.test("a barge-in the caller's hang-up cut mid-sentence is not held against the bot", async () => {
  const report = await bargeInThenHangUp(1000, 1000);
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.deepEqual(
    report.utterances.map((u) => [u.source, u.endMs, u.latencyMs, u.cutShortBy]),
    [["barge-in", 1000, null, "hang-up"]],
  );
  assert.match(
    unanswered(report) ?? "",
    /^the caller said no utterance \(its own schedule cut the first short: the caller hung up at 1\.00 s, as asked\)/,
  );
  assert.match(
    formatReport(report),
    /\n {2}responses {8}0\/0 answered, #1 cut short by the caller's hang-up · /,
  );
  const total = aggregateReports([report]);
  assert.equal(total.utterances, 0);
  assert.equal(total.cutShort, 1);
});

Deno.test("a barge-in said in full before the hang-up is owed its answer", async () => {
  const report = await bargeInThenHangUp(1000, 200);
  assert.deepEqual(
    report.utterances.map((u) => [u.source, u.latencyMs, u.cutShortBy]),
    [["barge-in", null, undefined]],
  );
  assert.match(unanswered(report) ?? "", /^the bot answered 0 of the caller's 1 utterance/);
});

Deno.test("a barge-in cut after all of the audio was said names the hang-up as the reason", async () => {
  // The audio is over at 300 ms: nothing is left unsaid (`leftUnsaid` is null), yet the hang-up
  // cut the barge-in, and that is why the caller said nothing owed an answer.
  const report = await bargeInThenHangUp(1000, 1000, 300);
  assert.equal(report.leftUnsaid, null);
  assert.deepEqual(report.utterances.map((u) => u.cutShortBy), ["hang-up"]);
  assert.match(
    unanswered(report) ?? "",
    /^the caller said no utterance \(its own schedule cut the first short: the caller hung up at 1\.00 s, as asked\)/,
  );
});
