// A track is converted to a session's format once per track object and format (README, "Background
// audio": "sessions playing the same track share it"). Looped and played once, a resampled track
// differs only in its first and last milliseconds (the loop rings with its own end, the track
// played once starts from silence): the rest is held once for both.
import assert from "node:assert/strict";
import { type AudioFrame, BackgroundAudio } from "../../mod.ts";
import { runWithGc } from "../_gc_script.ts";

Deno.test("one track played looped and once is held once where the two are the same, in either order", async () => {
  // In a process of its own: a heap snapshot counts every buffer held, the test runner's too.
  const report = await runWithGc(new URL("./_track_copies_script.ts", import.meta.url)) as {
    name: string;
    first: number;
    second: number;
  }[];
  assert.equal(report.length, 3);
  for (const { name, first, second } of report) {
    if (name === "at the track's rate") {
      // Not resampled: both play the caller's own samples.
      assert.ok(first < 0.05 && second < 0.05, `${name}: ${first} and ${second} copies held`);
      continue;
    }
    assert.ok(first > 0.9 && first < 1.2, `${name}: the first holds ${first} copies`);
    // Before: a whole second copy (1.0); now only its two ends, a few ms of the 20 s.
    assert.ok(second < 0.1, `${name}: the second adds ${second} copies`);
  }
});

const samplesOf = (f: AudioFrame) =>
  new Int16Array(f.audio.buffer, f.audio.byteOffset, f.audio.length / 2);

/** 300 ms at `rate`: a loud tone that ends loud (its end rings into a loop's start). */
const tone = (rate: number) =>
  Int16Array.from({ length: (rate * 3) / 10 }, (_, i) => Math.round(15000 * Math.sin(i / 3)));

/** What `source` plays at `outRate` over 700 ms: 2⅓ loops, or the track once and nothing after. */
function played(source: Int16Array, inRate: number, outRate: number, loop: boolean): number[] {
  const background = new BackgroundAudio(source, {
    sampleRate: inRate,
    volume: 1,
    fadeMs: 0,
    loop,
  });
  background.attach({ sampleRate: outRate, channels: 1, chunkMs: 20 }, () => {});
  const out: number[] = [];
  for (let i = 0; i < 35; i++) {
    const chunk = background.fill();
    if (chunk !== undefined) out.push(...samplesOf(chunk));
  }
  return out;
}

Deno.test("one track played looped and once plays, each way, what a track of its own plays", () => {
  for (const [inRate, outRate] of [[48000, 8000], [8000, 24000], [44100, 16000], [24000, 22050]]) {
    for (const loopFirst of [true, false]) {
      const shared = tone(inRate!);
      const first = played(shared, inRate!, outRate!, loopFirst);
      const second = played(shared, inRate!, outRate!, !loopFirst);
      const pair = `${inRate} → ${outRate} Hz, ${loopFirst ? "looped" : "once"} first`;
      assert.deepEqual(first, played(tone(inRate!), inRate!, outRate!, loopFirst), pair);
      assert.deepEqual(second, played(tone(inRate!), inRate!, outRate!, !loopFirst), pair);
      assert.equal(second.length, loopFirst ? (outRate! * 3) / 10 : (outRate! * 7) / 10, pair);
    }
  }
});
