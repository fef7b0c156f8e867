// The streaming resampler's output length after every `process()`: the exact-length rule. After
// `n` input frames the outputs in all are `floor(n × outputRate / inputRate)` less a hold-back
// fixed for the pair (the filter's delay): the same hold-back whatever the chunks, so no chunk's
// output runs a sample over or under its share beside the chunks before it. Before, each call
// returned every output whose taps had all arrived: a sample more or less by where the chunk
// ended, and a wire of whole frames (Vonage's 20 ms) ended a reply a sample into a frame of its own.
// The hold-back is what 20 ms chunks leave held: 20 ms is a whole number of the pair's periods
// (both rates are multiples of 50 Hz), where the filter's delay falls on whole samples.
import assert from "node:assert/strict";
import { Resampler, RESAMPLER_RATES } from "../../src/audio/resampler.ts";
import { noise } from "./_test_signals.ts";

const PAIRS = RESAMPLER_RATES.flatMap((from) =>
  RESAMPLER_RATES.filter((to) => to !== from).map((to) => [from, to] as const)
);

/** Frames a 20 ms chunk at `rate` holds. */
const twentyMs = (rate: number) => rate / 50;

/** The hold-back of `from → to`: what a first 20 ms chunk's output falls short of 20 ms by. */
function heldBack(from: number, to: number): number {
  const resampler = new Resampler({ inputRate: from, outputRate: to });
  return twentyMs(to) - resampler.process(noise(twentyMs(from))).length;
}

/** Chunk sizes (frames) of a stream at `rate`, cut in ways that do not fall on whole periods. */
function chunkings(rate: number): [string, number[]][] {
  const tenMs: number[] = [];
  // 10 ms at 22.05 kHz is 220.5 frames: the cuts land on the nearest frame, 220 and 221 in turn.
  for (let i = 0; i < 100; i++) {
    tenMs.push(Math.round((rate * (i + 1)) / 100) - Math.round((rate * i) / 100));
  }
  const irregular = Array.from({ length: 120 }, (_, i) => 1 + ((i * 7919 + 13) % 997));
  const samplesFirst = [...Array(60).fill(1), ...Array(40).fill(Math.round(rate / 37))];
  return [["10 ms", tenMs], ["irregular", irregular], [
    "one frame at a time, then 1/37 s",
    samplesFirst,
  ]];
}

Deno.test("`Resampler` returns, after every chunk, the stream's share less one fixed hold-back, for every pair and chunking", () => {
  const faults: string[] = [];
  for (const [from, to] of PAIRS) {
    const held = heldBack(from, to);
    for (const [name, sizes] of chunkings(from)) {
      const resampler = new Resampler({ inputRate: from, outputRate: to });
      let fed = 0, out = 0;
      for (const size of sizes) {
        out += resampler.process(noise(size, fed + 1)).length;
        fed += size;
        const expected = Math.max(0, Math.floor((fed * to) / from) - held);
        if (out !== expected) {
          faults.push(`${from} → ${to}, ${name}: ${out} after ${fed} frames, not ${expected}`);
          break;
        }
      }
      // The whole stream is still its rounded length (halves up), the hold-back in the flush.
      out += resampler.flush().length;
      const total = Math.floor((2 * fed * to + from) / (2 * from));
      if (out !== total) faults.push(`${from} → ${to}, ${name}: ${out} in all, not ${total}`);
    }
  }
  assert.deepEqual(faults, []);
});

Deno.test("`Resampler`'s hold-back for the bot-to-wire pairs: a 20 ms chunk then gives exactly 20 ms, the first one 20 ms less the hold-back", () => {
  const bots = [8000, 16000, 22050, 24000, 32000, 44100, 48000];
  const wires = [8000, 16000, 24000];
  const faults: string[] = [];
  for (const from of bots) {
    for (const to of wires.filter((wire) => wire !== from)) {
      const held = heldBack(from, to);
      const resampler = new Resampler({ inputRate: from, outputRate: to });
      const lengths = Array.from(
        { length: 50 },
        (_, i) => resampler.process(noise(twentyMs(from), i)).length,
      );
      const expected = [twentyMs(to) - held, ...Array(49).fill(twentyMs(to))];
      if (lengths.join() !== expected.join()) faults.push(`${from} → ${to}: ${lengths.join()}`);
      // At most the 3 ms the README gives for any pair (36 samples of 12 kHz, 16 → 12 kHz).
      if (held < 0 || held / to > 0.003) faults.push(`${from} → ${to}: holds back ${held}`);
    }
  }
  assert.deepEqual(faults, []);
});
