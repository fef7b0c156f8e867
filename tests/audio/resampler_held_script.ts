/**
 * Resamplers kept after converting a stream that began with one large chunk (a whole second, as
 * a TTS reply or a file handed over at once) and went on in 20 ms chunks, for pairs through every
 * engine; prints, as JSON, for each pair, the bytes of array buffers (where a resampler's filter
 * history, scratch and outputs live) each kept resampler holds, and the same for ones that only
 * ever saw 20 ms chunks. Counted in heap snapshots (`heapCensus`), exactly, not read off the
 * process's memory use: that moved with the runtime's own allocations (22.05 → 48 kHz read 41 KB
 * apart on one machine, against a 64 KB bound, where the buffers are 12.8 KB apart). Run by
 * resampler_held_test.ts.
 *
 * @module
 */

import { Resampler } from "../../src/audio/resampler.ts";
import { heapCensus } from "../_collect_garbage.ts";

/** [input rate, output rate, channels]: the chain, the elliptic filters, the FIR alone. */
const PAIRS = [
  [22050, 48000, 1],
  [48000, 8000, 1],
  [8000, 44100, 2],
  [24000, 22050, 1],
] as const;
/** Resamplers kept per measurement. */
const KEPT = 8;
/** 20 ms chunks after the first: over three windows of the resampler's 64 calls. */
const SMALL_CHUNKS = 200;

/** Everything made is kept to the end: nothing measured is let go while another is measured. */
const kept: unknown[] = [];
// The heap snapshot's machinery, made on its first use (see `heapCensus`): not measured.
let counted = heapCensus().bufferBytes;

/** Bytes of array buffers made since the last call, all of them still held. */
function grown(): number {
  const now = heapCensus().bufferBytes;
  const grew = now - counted;
  counted = now;
  return grew;
}

/**
 * Array buffer bytes held per resampler that was fed `first` in one chunk, then `smallChunks`
 * chunks `small`, then, if `end` says so, flushed or reset (a stream's end).
 */
function heldEach(
  [inputRate, outputRate, channels]: readonly [number, number, number],
  first: Int16Array,
  small: Int16Array,
  smallChunks: number,
  end?: "flush" | "reset",
): number {
  for (let k = 0; k < KEPT; k++) {
    const resampler = new Resampler({ inputRate, outputRate, channels });
    resampler.process(first);
    for (let i = 0; i < smallChunks; i++) resampler.process(small);
    if (end === "flush") resampler.flush();
    if (end === "reset") resampler.reset();
    kept.push(resampler);
  }
  return Math.round(grown() / KEPT);
}

const report = [];
for (const pair of PAIRS) {
  const [inputRate, outputRate, channels] = pair;
  const sine = (ms: number) =>
    Int16Array.from(
      { length: Math.round((inputRate * ms) / 1000) * channels },
      (_, i) => Math.round(8000 * Math.sin(i / 7)),
    );
  const second = sine(1000), small = sine(20);
  // What the pair's first resampler makes once for the process (its filter's tables) is kept
  // before measuring, as are the chunks fed: neither is a resampler's.
  const first = new Resampler({ inputRate, outputRate, channels });
  first.process(small);
  kept.push(second, small, first);
  grown();
  report.push({
    pair: `${pair[0]} → ${pair[1]} Hz, ${pair[2]} ch`,
    afterLargeChunk: heldEach(pair, second, small, SMALL_CHUNKS),
    smallChunksOnly: heldEach(pair, small, small, SMALL_CHUNKS),
    flushedAfterLargeChunk: heldEach(pair, second, small, 0, "flush"),
    resetAfterLargeChunk: heldEach(pair, second, small, 0, "reset"),
    flushedAfterSmallChunk: heldEach(pair, small, small, 0, "flush"),
  });
}
console.log(JSON.stringify(report));
if (kept.length !== PAIRS.length * (3 + 5 * KEPT)) throw new Error("unreachable: all kept to here");
