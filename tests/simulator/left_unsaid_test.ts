// The utterances the caller never said because its own schedule ended the call (`hangUpAtMs`,
// `--hang-up-at`; `maxDurationMs`, `--max-duration`) were counted nowhere: a run whose hang-up
// came before half the audio's questions read as a shorter conversation, with nothing to tell.
// They are the report's `leftUnsaid` (who ended it, and the utterances, in ms of the audio), told
// in the text report beside the answered count and in the aggregate; `requireAnswer` holds none
// of them against the bot (it owed no answer to what the caller never said), and a call that
// said nothing because of them fails it saying so.
// A bot that says nothing on 127.0.0.1 port 0, bot and simulator on one FakeClock
// (./_silent_bot_call.ts): the raw protocol, 20 ms caller frames, so the hang-ups fall on frames.
import assert from "node:assert/strict";
import { aggregateReports, formatReport, judgeCall } from "../../src/simulator/mod.ts";
import { FLAG_NAMES } from "../../src/simulator/_gate_names.ts";
import { judgeCallNaming } from "../../src/simulator/_judge_call.ts";
import { callSilentBot, twoUtterances } from "./_silent_bot_call.ts";
import { printedHelp } from "./_cli.ts";

Deno.test("the utterances a hang-up at hangUpAtMs left unsaid are the report's leftUnsaid, not held against the bot", async () => {
  const report = await callSilentBot({ protocol: "raw", audio: twoUtterances(), hangUpAtMs: 800 });
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.equal(report.handshakeMs, 0, "raw PCM waits for no answer");
  assert.deepEqual(report.utterances.map((u) => [u.startMs, u.endMs]), [[300, 700]]);
  assert.equal(report.notReached, null, "the bot did not end it");
  assert.deepEqual(report.leftUnsaid, {
    by: "hang-up",
    audioMs: 800,
    utterances: [{ startMs: 1000, endMs: 1400 }],
  });
  // The one the caller said and the bot left unanswered fails the gate; the one never said not.
  assert.deepEqual(judgeCall(report, { requireAnswer: true }).failures, [{
    reason: "unanswered",
    detail: "the bot answered 0 of the caller's 1 utterance (#1 unanswered), and requireAnswer " +
      "wants every one answered",
  }]);
  const text = formatReport(report).split("\n");
  assert.ok(
    text.includes(
      "  responses        0/1 answered, 1 left unsaid: the caller hung up at 0.80 s, as asked · —",
    ),
    text.join("\n"),
  );
  assert.ok(text.includes("    #2 left unsaid: 1.00 s–1.40 s of the caller's audio"));
  assert.equal(JSON.parse(JSON.stringify(report)).leftUnsaid.by, "hang-up");
});

Deno.test("the utterances maxDurationMs cut off are leftUnsaid too, by max-duration", async () => {
  const report = await callSilentBot({
    protocol: "raw",
    audio: twoUtterances(),
    maxDurationMs: 900,
  });
  assert.equal(report.ended.by, "timeout", report.ended.detail);
  assert.deepEqual(report.leftUnsaid, {
    by: "max-duration",
    audioMs: 900,
    utterances: [{ startMs: 1000, endMs: 1400 }],
  });
  assert.match(
    formatReport(report),
    /\n {2}responses {8}0\/1 answered, 1 left unsaid: the call reached its maximum duration at 0\.90 s · —\n/,
  );
});

Deno.test("a call whose own hang-up came before the first utterance fails requireAnswer saying so", async () => {
  const report = await callSilentBot({ protocol: "raw", audio: twoUtterances(), hangUpAtMs: 200 });
  assert.deepEqual(report.utterances, []);
  assert.equal(report.leftUnsaid?.utterances?.length, 2);
  assert.deepEqual(judgeCallNaming(report, { requireAnswer: true }, FLAG_NAMES).failures, [{
    reason: "unanswered",
    detail: "the caller said no utterance (its own schedule ended the call before the first: 2 " +
      "left unsaid: the caller hung up at 0.20 s, as asked): with nothing to answer the call " +
      "checked nothing, and --require-answer passes no call that checked nothing",
  }]);
});

Deno.test("nothing is left unsaid when the caller's audio was all said, nor by a linger's hang-up", async () => {
  const report = await callSilentBot({ protocol: "raw", audio: twoUtterances(), lingerMs: 300 });
  assert.equal(report.ended.by, "caller");
  assert.equal(report.leftUnsaid, null);
});

Deno.test("the aggregate counts what the callers' own schedules left unsaid, apart from the answers", async () => {
  const report = await callSilentBot({ protocol: "raw", audio: twoUtterances(), hangUpAtMs: 800 });
  const total = aggregateReports([report, report]);
  assert.equal(total.leftUnsaid, 2);
  assert.equal(total.leftUnsaidUnknown, 0);
  assert.equal(total.utterances, 2, "the said ones; no answer was owed for the others");
  assert.equal(total.unanswered, 2);
  assert.match(
    formatReport(total),
    /\n {2}responses {8}0\/2 answered, 2 left unsaid: the caller's own schedule \(its hang-up, the call's bound\) ended the call first · —\n/,
  );
});

Deno.test("the simulate CLI's --help says --require-answer counts what the caller left unsaid apart", async () => {
  const help = await printedHelp();
  assert.match(
    help.replace(/\s+/g, " "),
    /those --hang-up-at or --max-duration left unsaid are counted apart \("1 left unsaid"\), not against the bot/,
  );
});
