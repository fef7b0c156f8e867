// A spurt starts with its sound, not with a click before it: a stretch of sound must sound for
// 20 ms without a break to be a spurt (a lone click is none, tests/simulator/talk_spurts_dc_test.ts),
// but a click within the hangover before that sound began it, so the bot's first audible audio,
// its answer's start and a barge-in due into its talk were dated from a pop. Who acts on the talk
// as it goes (the caller's barge-in) reads `soundedStartMs`: `null` while only a click sounds.
import assert from "node:assert/strict";
import { TalkSpurtDetector } from "../../src/simulator/_talk_spurts.ts";

const RATE = 8000;
const quiet = (ms: number) => new Int16Array((RATE * ms) / 1000);
/** `ms` of a 440 Hz sine at `peak`. */
const tone = (ms: number, peak = 9000) =>
  new Int16Array((RATE * ms) / 1000).map((_, i) =>
    Math.round(peak * Math.sin((2 * Math.PI * 440 * i) / RATE))
  );

Deno.test("a click 100 ms before speech does not start its spurt, nor sound in its figures", () => {
  const detector = new TalkSpurtDetector({
    sampleRate: RATE,
    thresholdDbfs: -45,
    hangoverMs: 250,
    originMs: 0,
  });
  detector.push(quiet(100));
  detector.push(tone(10)); // the click, 100–110 ms
  assert.equal(detector.currentStartMs, 100, "a stretch of sound under way");
  assert.equal(detector.soundedStartMs, null, "no spurt yet");
  detector.push(quiet(90));
  detector.push(tone(10));
  assert.equal(detector.soundedStartMs, null, "10 ms of it so far");
  detector.push(tone(290)); // speech, 200–500 ms
  assert.equal(detector.soundedStartMs, 200);
  assert.equal(detector.currentStartMs, 200);
  detector.push(quiet(500));
  detector.finish();
  assert.deepEqual(detector.spurts, [{ startMs: 200, endMs: 500 }]);
  assert.equal(detector.audibleMs(0, 1000), 300, "the click's block is silent");
  assert.equal(detector.audibleAt(105), false);
});
