/**
 * Resamplers kept after converting a stream that began with one large chunk (a whole second, as
 * a TTS reply or a file handed over at once) and went on in 20 ms chunks, for pairs through every
 * engine; prints, as JSON, for each pair, the memory each kept resampler holds, and the same for
 * ones that only ever saw 20 ms chunks. Run by resampler_held_test.ts with
 * `--v8-flags=--expose-gc`.
 *
 * @module
 */

import { Resampler } from "../../src/audio/resampler.ts";
import { collectGarbage } from "../_collect_garbage.ts";

/** [input rate, output rate, channels]: the chain, the elliptic filters, the FIR alone. */
const PAIRS = [
  [22050, 48000, 1],
  [48000, 8000, 1],
  [8000, 44100, 2],
  [24000, 22050, 1],
] as const;
/** Resamplers kept per measurement: what each holds stands clear of the heap's own noise. */
const KEPT = 8;
/** 20 ms chunks after the first: over three windows of the resampler's 64 calls. */
const SMALL_CHUNKS = 200;

/**
 * Memory held per resampler that was fed `firstMs` in one chunk, then `smallChunks` 20 ms chunks,
 * then, if `end` says so, flushed or reset (a stream's end).
 */
async function heldEach(
  rates: readonly [number, number, number],
  firstMs: number,
  smallChunks = SMALL_CHUNKS,
  end?: "flush" | "reset",
) {
  const [inputRate, outputRate, channels] = rates;
  const sine = (ms: number) =>
    Int16Array.from(
      { length: Math.round((inputRate * ms) / 1000) * channels },
      (_, i) => Math.round(8000 * Math.sin(i / 7)),
    );
  const first = sine(firstMs), small = sine(20);
  const before = await collectGarbage();
  const kept: Resampler[] = [];
  for (let k = 0; k < KEPT; k++) {
    const resampler = new Resampler({ inputRate, outputRate, channels });
    resampler.process(first);
    for (let i = 0; i < smallChunks; i++) resampler.process(small);
    if (end === "flush") resampler.flush();
    if (end === "reset") resampler.reset();
    kept.push(resampler);
  }
  const after = await collectGarbage();
  if (kept.length !== KEPT) throw new Error("unreachable: the resamplers are kept to here");
  return Math.round((after - before) / KEPT);
}

const report = [];
for (const pair of PAIRS) {
  report.push({
    pair: `${pair[0]} → ${pair[1]} Hz, ${pair[2]} ch`,
    afterLargeChunk: await heldEach(pair, 1000),
    smallChunksOnly: await heldEach(pair, 20),
    flushedAfterLargeChunk: await heldEach(pair, 1000, 0, "flush"),
    resetAfterLargeChunk: await heldEach(pair, 1000, 0, "reset"),
    flushedAfterSmallChunk: await heldEach(pair, 20, 0, "flush"),
  });
}
console.log(JSON.stringify(report));
