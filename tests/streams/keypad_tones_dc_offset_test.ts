// The detector takes each window's mean out, "so a DC offset is no sound" (README, speech
// detection): the keypad test must take it out of its filters' input too, or the offset's leakage
// into the keypad's filters (a block of 8 to 16 ms is only 5 to 15 bins wide at 697 Hz) reads as a
// tone, and speech with an offset as a digit, counted quiet: at an offset of 6,000 the question
// below was never heard at 10, 17 and 20 ms windows, and heard 120 ms late at 30 ms.
import assert from "node:assert/strict";
import { SpeechDetector } from "../../mod.ts";
import { frames, recording } from "./_real_speech.ts";

/** Where the detector hears speech begin in `samples` (windows of `windowMs`), or undefined. */
function speechStartMs(samples: Int16Array, rate: number, windowMs: number): number | undefined {
  const detector = new SpeechDetector({ sampleRate: rate, windowMs });
  let startMs: number | undefined;
  for (const frame of frames(samples, rate, 20)) {
    detector.push(frame, (event) => {
      if (event.type === "speechstart") startMs ??= event.atMs;
    });
  }
  return startMs;
}

Deno.test("`SpeechDetector` hears speech with a DC offset where it hears it without, at any window", async () => {
  const { samples, rate } = await recording("excuse_me_question_8k.wav");
  const wrong: string[] = [];
  for (const offset of [2000, 6000]) {
    const shifted = samples.map((x) => Math.max(-32768, Math.min(32767, x + offset)));
    for (const windowMs of [10, 17, 20, 30]) {
      const clean = speechStartMs(samples, rate, windowMs);
      const withOffset = speechStartMs(shifted, rate, windowMs);
      if (
        clean === undefined || withOffset === undefined || Math.abs(withOffset - clean) > windowMs
      ) {
        wrong.push(
          `offset ${offset}, windowMs ${windowMs}: at ${clean} ms, with it at ${withOffset}`,
        );
      }
    }
  }
  assert.deepEqual(wrong, []);
});
