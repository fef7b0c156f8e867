// For a caller's audio stream without speech segments, whose rest is never read, the call's own
// detector says whether the caller's hang-up cut an utterance mid-sentence (report.ts
// `CallUtterance.cutShortBy`). It took a spurt merely within the detector's 500 ms hangover for
// one under way: an utterance said in full, 300 ms before the hang-up, was marked cut short and
// owed no answer, where the same audio given whole held it against the bot. Only one still
// sounding at the cut is now. A bot that says nothing on 127.0.0.1 port 0, bot and simulator on
// one FakeClock (./_silent_bot_call.ts): the raw protocol, 20 ms caller frames.
import assert from "node:assert/strict";
import { judgeCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { callSilentBot } from "./_silent_bot_call.ts";

/** Utterances at 800–1200 ms and 2000–2400 ms, found by the detector alone (no segments). */
function undeclared(): { pcm: Uint8Array; sampleRate: number } {
  const { pcm, sampleRate } = syntheticCaller({ utterancesMs: [400, 400], pauseMs: 800 });
  if (!(pcm instanceof Uint8Array)) throw new TypeError("the synthetic caller gives whole PCM");
  return { pcm, sampleRate };
}

/** The same audio as a stream: its rest is not known when the call ends. */
function streamed() {
  const { pcm, sampleRate } = undeclared();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(pcm);
      controller.close();
    },
  });
  return { pcm: stream, sampleRate };
}

const unanswered = (report: Parameters<typeof judgeCall>[0]) =>
  judgeCall(report, { requireAnswer: true }).failures.find((f) => f.reason === "unanswered")
    ?.detail;

Deno.test("a streamed utterance said in full before the hang-up is owed its answer, as a whole one", async () => {
  // 300 ms after the first utterance's end: within the detector's hangover, not within its speech.
  const whole = await callSilentBot({ protocol: "raw", audio: undeclared(), hangUpAtMs: 1500 });
  const stream = await callSilentBot({ protocol: "raw", audio: streamed(), hangUpAtMs: 1500 });
  for (const report of [whole, stream]) {
    assert.deepEqual(
      report.utterances.map((u) => [u.startMs, u.endMs, u.cutShortBy]),
      [[800, 1200, undefined]],
    );
    assert.equal(
      unanswered(report),
      "the bot answered 0 of the caller's 1 utterance (#1 unanswered), and requireAnswer wants " +
        "every one answered",
    );
  }
});

Deno.test("a streamed utterance still sounding at the hang-up is cut short, as a whole one", async () => {
  const whole = await callSilentBot({ protocol: "raw", audio: undeclared(), hangUpAtMs: 1000 });
  const stream = await callSilentBot({ protocol: "raw", audio: streamed(), hangUpAtMs: 1000 });
  for (const report of [whole, stream]) {
    assert.deepEqual(
      report.utterances.map((u) => [u.startMs, u.endMs, u.cutShortBy]),
      [[800, 1000, "hang-up"]],
    );
  }
});
