// A bot that ignores barge-ins passed `requireAnswer`: when its sentence paused for 250 ms or more
// while the caller barged in, the report took the pause for the bot's stop ("stopped in 300 ms")
// and what it said on after it for its answer to the barge-in (a latency of -200 ms), though the
// bot never stopped; with a pause of 200 ms (one spurt) the same bot failed. Now the bot's talk
// under way when the caller began goes on across any pause it breaks while the caller still
// speaks, and across one under 500 ms after that: its stop is when that talk ended for good, and
// only what it says after is an answer. A bot that stops and answers after the caller finished
// is judged as before.
// The bot is Twilio's Media Streams peer (./_twilio_talking_bot.ts: tone and silence alternating
// from 100 ms on, sent at once, played in order; on one FakeClock with the simulator: exact
// times); the caller's audio is 3 s of silence, and it barges in 200 ms into the bot's talk (at
// 300 ms) for 800 ms (to 1,100 ms), once, then hangs up at 3 s.
import assert from "node:assert/strict";
import { type CallReport, judgeCall } from "../../src/simulator/mod.ts";
import { callTalkingTwilioBot } from "./_twilio_talking_bot.ts";

function bargeInto(answer: number[]): Promise<CallReport> {
  return callTalkingTwilioBot(answer, {
    audio: { pcm: new Uint8Array(16 * 2 * 3000), sampleRate: 16000 },
    hangUpAtMs: 3000,
    // Once: what the bot says after a pause would be barged into again, as a new answer.
    bargeIn: { afterMs: 200, durationMs: 800, count: 1 },
  });
}

/** The barge-in's answer and stop, and whether `requireAnswer` failed the call. */
function judged(report: CallReport) {
  const [utterance, ...more] = report.utterances;
  const [bargeIn, ...others] = report.bargeIns;
  assert.deepEqual([more.length, others.length], [0, 0]);
  assert.deepEqual([utterance!.source, utterance!.startMs, utterance!.endMs], [
    "barge-in",
    300,
    1100,
  ]);
  return {
    latencyMs: utterance!.latencyMs,
    stoppedAtMs: bargeIn!.stoppedAtMs,
    stopLatencyMs: bargeIn!.stopLatencyMs,
    unanswered: judgeCall(report, { requireAnswer: true }).failures
      .some((f) => f.reason === "unanswered"),
  };
}

Deno.test("a bot that pauses for 300 ms during the barge-in and talks on neither stopped nor answered", async () => {
  // Tone 100–600 ms, silence to 900 ms, tone 900–2,400 ms: it spoke on over the caller at 900 ms.
  const report = await bargeInto([500, 300, 1500]);
  assert.deepEqual(judged(report), {
    latencyMs: null,
    stoppedAtMs: 2400,
    stopLatencyMs: 2100,
    unanswered: true,
  });
});

Deno.test("a pause of the bot's across the barge-in's end, under 500 ms, is no stop and no answer", async () => {
  // Tone 100–1,000 ms, silence to 1,400 ms, tone 1,400–2,400 ms: 300 ms after the caller ended.
  const report = await bargeInto([900, 400, 1000]);
  assert.deepEqual(judged(report), {
    latencyMs: null,
    stoppedAtMs: 2400,
    stopLatencyMs: 2100,
    unanswered: true,
  });
});

Deno.test("a bot that talks on to the hang-up never stopped", async () => {
  const report = await bargeInto([1000, 300, 2000]);
  assert.deepEqual(judged(report), {
    latencyMs: null,
    stoppedAtMs: null,
    stopLatencyMs: null,
    unanswered: true,
  });
});

Deno.test("a bot that stops for the barge-in and answers once it ended is answered and stopped", async () => {
  // Tone 100–500 ms (stopped 200 ms into the barge-in), its answer from 1,600 ms: 500 ms after.
  const report = await bargeInto([400, 1100, 500]);
  assert.deepEqual(judged(report), {
    latencyMs: 500,
    stoppedAtMs: 500,
    stopLatencyMs: 200,
    unanswered: false,
  });
});
