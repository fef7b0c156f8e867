// Where the caller's own schedule (`hangUpAtMs`, `--hang-up-at`; `maxDurationMs`) ends the call
// exactly as an utterance ends, that utterance was said in full yet the caller was gone the same
// instant: it had no time at all to hear an answer, so none is owed (report.ts
// `CallUtterance.cutShortBy`), as for one cut mid-sentence. It was owed one: a hang-up at 700 ms
// after an utterance of 300–700 ms failed `requireAnswer` for an answer no bot could have given,
// while a hang-up at 690 ms passed. One that ended a frame (20 ms) before the hang-up is still
// owed its answer: the rule is "no time at all", not a guess at how long an answer takes.
// And the reason a call whose caller said nothing owed an answer fails says the hang-up's words
// once: "cut the first short: the caller hung up at 0.70 s, as asked; 1 left unsaid: the caller
// hung up at 0.70 s, as asked" said the one ending twice.
// A bot that says nothing on 127.0.0.1 port 0, bot and simulator on one FakeClock
// (./_silent_bot_call.ts): the raw protocol, 20 ms caller frames; a Twilio bot that talks over the
// caller for the barge-in (./_twilio_talking_bot.ts).
import assert from "node:assert/strict";
import { type CallReport, judgeCall } from "../../src/simulator/mod.ts";
import { FLAG_NAMES } from "../../src/simulator/_gate_names.ts";
import { judgeCallNaming } from "../../src/simulator/_judge_call.ts";
import { callSilentBot, twoUtterances } from "./_silent_bot_call.ts";
import { callTalkingTwilioBot } from "./_twilio_talking_bot.ts";

/** Why `report` fails `--require-answer`, as the CLI says it. */
const unanswered = (report: CallReport) =>
  judgeCallNaming(report, { requireAnswer: true }, FLAG_NAMES).failures
    .find((f) => f.reason === "unanswered")?.detail;

const CHECKED_NOTHING =
  "with nothing to answer the call checked nothing, and --require-answer passes no call that " +
  "checked nothing";

Deno.test("an utterance ending exactly at the caller's hang-up is owed no answer", async () => {
  // twoUtterances: 300–700 ms and 1000–1400 ms.
  const report = await callSilentBot({ protocol: "raw", audio: twoUtterances(), hangUpAtMs: 700 });
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.equal(report.ended.atMs, 700);
  assert.deepEqual(
    report.utterances.map((u) => [u.startMs, u.endMs, u.cutShortBy]),
    [[300, 700, "hang-up"]],
  );
  assert.equal(report.leftUnsaid?.utterances?.length, 1);
  assert.equal(
    unanswered(report),
    "the caller said no utterance (its own schedule cut the first short and left 1 more unsaid: " +
      `the caller hung up at 0.70 s, as asked): ${CHECKED_NOTHING}`,
  );
});

Deno.test("an utterance ending a frame before the caller's hang-up is owed its answer", async () => {
  const report = await callSilentBot({ protocol: "raw", audio: twoUtterances(), hangUpAtMs: 720 });
  assert.deepEqual(
    report.utterances.map((u) => [u.startMs, u.endMs, u.cutShortBy]),
    [[300, 700, undefined]],
  );
  assert.equal(
    judgeCall(report, { requireAnswer: true }).failures.find((f) => f.reason === "unanswered")
      ?.detail,
    "the bot answered 0 of the caller's 1 utterance (#1 unanswered), and requireAnswer wants " +
      "every one answered",
  );
});

Deno.test("an utterance ending exactly at the call's bound is owed no answer", async () => {
  const report = await callSilentBot({
    protocol: "raw",
    audio: twoUtterances(),
    maxDurationMs: 700,
  });
  assert.equal(report.ended.by, "timeout", report.ended.detail);
  assert.equal(report.ended.atMs, 700);
  assert.deepEqual(report.utterances.map((u) => [u.endMs, u.cutShortBy]), [[700, "max-duration"]]);
  assert.equal(
    unanswered(report),
    "the caller said no utterance (its own schedule cut the first short and left 1 more unsaid: " +
      `the call reached its maximum duration at 0.70 s): ${CHECKED_NOTHING}`,
  );
});

Deno.test("the last utterance ending exactly at the hang-up is owed none, the one before is", async () => {
  // The second utterance, 1000–1400 ms, ends at the hang-up; nothing is left unsaid after it.
  const report = await callSilentBot({ protocol: "raw", audio: twoUtterances(), hangUpAtMs: 1400 });
  assert.deepEqual(
    report.utterances.map((u) => [u.endMs, u.cutShortBy]),
    [[700, undefined], [1400, "hang-up"]],
  );
  assert.deepEqual(report.leftUnsaid?.utterances, []);
  assert.equal(
    unanswered(report),
    "the bot answered 0 of the caller's 1 utterance (#1 unanswered), and --require-answer " +
      "wants every one answered",
  );
});

Deno.test("an utterance ending with the audio, exactly at the hang-up, is owed no answer", async () => {
  // The second utterance declared to run to the audio's end (1700 ms): the caller's audio and its
  // utterance end in the same frame as the hang-up. A frame later, it is owed its answer.
  const endingWithTheAudio = (hangUpAtMs: number) =>
    callSilentBot({
      protocol: "raw",
      audio: twoUtterances(),
      speechSegments: [{ startMs: 300, endMs: 700 }, { startMs: 1000, endMs: 1700 }],
      hangUpAtMs,
    });
  const atEnd = await endingWithTheAudio(1700);
  assert.equal(atEnd.leftUnsaid, null, "all of the audio was said");
  assert.deepEqual(
    atEnd.utterances.map((u) => [u.endMs, u.cutShortBy]),
    [[700, undefined], [1700, "hang-up"]],
  );
  const after = await endingWithTheAudio(1720);
  assert.deepEqual(
    after.utterances.map((u) => [u.endMs, u.cutShortBy]),
    [[700, undefined], [1700, undefined]],
  );
});

Deno.test("a barge-in ending exactly at the caller's hang-up is owed no answer", async () => {
  // The bot talks for 2 s from 100 ms and never stops for the caller; the caller's audio is
  // silence, and it barges in 500 ms into the bot's talk, for 400 ms, then hangs up at its end.
  const bargeIn = (hangUpAtMs: number) =>
    callTalkingTwilioBot([2000], {
      audio: { pcm: new Uint8Array(16 * 2 * 3000), sampleRate: 16000 },
      hangUpAtMs,
      bargeIn: { afterMs: 500, durationMs: 400 },
    });
  const atEnd = await bargeIn(1000);
  assert.deepEqual(
    atEnd.utterances.map((u) => [u.source, u.endMs, u.latencyMs, u.cutShortBy]),
    [["barge-in", 1000, null, "hang-up"]],
  );
  assert.equal(
    unanswered(atEnd),
    "the caller said no utterance (its own schedule cut the first short: the caller hung up at " +
      `1.00 s, as asked): ${CHECKED_NOTHING}`,
  );
  const after = await bargeIn(1020);
  assert.deepEqual(
    after.utterances.map((u) => [u.source, u.endMs, u.cutShortBy]),
    [["barge-in", 1000, undefined]],
  );
});
