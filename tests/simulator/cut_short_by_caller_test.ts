// An utterance the caller's own schedule cut mid-sentence (its hang-up at `hangUpAtMs`,
// `--hang-up-at`, or the call's bound, `maxDurationMs`) counted as unanswered under
// `requireAnswer` (`--require-answer`): the caller left in the middle of it, and no bot answers a
// question before it is finished, yet the bot failed for it. It is now marked (`cutShortBy`),
// owed no answer, and said apart in the text report and the aggregate, as `leftUnsaid` is; one
// the bot's own ending cut short still counts against the bot (require_answer_not_reached_test).
// A bot that says nothing on 127.0.0.1 port 0, bot and simulator on one FakeClock
// (./_silent_bot_call.ts): the raw protocol, 20 ms caller frames.
import assert from "node:assert/strict";
import {
  aggregateReports,
  formatReport,
  judgeCall,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { callSilentBot, twoUtterances } from "./_silent_bot_call.ts";

/**
 * The synthetic caller's audio alone, its utterances found by the energy detector: 800–1200 ms
 * and 2000–2400 ms (a pause longer than the detector's 500 ms hangover, which would join them).
 */
function undeclared() {
  const { pcm, sampleRate } = syntheticCaller({ utterancesMs: [400, 400], pauseMs: 800 });
  return { pcm, sampleRate };
}

const unanswered = (report: Parameters<typeof judgeCall>[0]) =>
  judgeCall(report, { requireAnswer: true }).failures.find((f) => f.reason === "unanswered")
    ?.detail;

Deno.test("an utterance the caller's hang-up cut mid-sentence is not held against the bot", async () => {
  const report = await callSilentBot({ protocol: "raw", audio: twoUtterances(), hangUpAtMs: 1200 });
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.deepEqual(
    report.utterances.map((u) => [u.startMs, u.endMs, u.cutShortBy]),
    [[300, 700, undefined], [1000, 1200, "hang-up"]],
  );
  assert.equal(
    unanswered(report),
    "the bot answered 0 of the caller's 1 utterance (#1 unanswered), and requireAnswer wants " +
      "every one answered",
  );
  const text = formatReport(report).split("\n");
  assert.ok(
    text.includes("  responses        0/1 answered, #2 cut short by the caller's hang-up · —"),
    text.join("\n"),
  );
  assert.ok(text.includes("    #2 segments 1.00 s–1.20 s → cut short by the caller's hang-up"));
  const total = aggregateReports([report, report]);
  assert.equal(total.utterances, 2);
  assert.equal(total.unanswered, 2);
  assert.equal(total.cutShort, 2);
  assert.match(
    formatReport(total),
    /\n {2}responses {8}0\/2 answered, 2 cut short by the caller's own schedule · —\n/,
  );
});

Deno.test("found by the detector, the utterance a hang-up cut is the caller's too", async () => {
  const report = await callSilentBot({ protocol: "raw", audio: undeclared(), hangUpAtMs: 2200 });
  assert.deepEqual(report.utterances.map((u) => u.source), ["detector", "detector"]);
  assert.deepEqual(report.utterances.map((u) => u.cutShortBy), [undefined, "hang-up"]);
  assert.match(
    unanswered(report) ?? "",
    /^the bot answered 0 of the caller's 1 utterance \(#1 unanswered\)/,
  );
});

Deno.test("a hang-up between utterances cuts none short", async () => {
  const report = await callSilentBot({ protocol: "raw", audio: twoUtterances(), hangUpAtMs: 800 });
  assert.deepEqual(report.utterances.map((u) => u.cutShortBy), [undefined]);
});

Deno.test("the call's bound cutting the caller mid-sentence is the caller's schedule too", async () => {
  const report = await callSilentBot({
    protocol: "raw",
    audio: twoUtterances(),
    maxDurationMs: 500,
  });
  assert.equal(report.ended.by, "timeout", report.ended.detail);
  assert.deepEqual(report.utterances.map((u) => u.cutShortBy), ["max-duration"]);
  // Its only utterance cut short, the call checked nothing: it fails, saying why.
  assert.match(
    unanswered(report) ?? "",
    /^the caller said no utterance \(its own schedule cut the first short and left 1 more unsaid: the call reached its maximum duration at 0\.50 s\): /,
  );
  assert.match(
    formatReport(report),
    /\n {4}#1 segments 0\.30 s–0\.50 s → cut short by the call's bound\n/,
  );
});
