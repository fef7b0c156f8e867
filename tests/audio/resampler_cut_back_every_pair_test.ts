// A resampler's buffers are cut back within 64 calls of a large chunk (README, `Resampler`,
// "Memory"), keeping the history the next outputs still read: that history may hold frames not
// yet read (a chunk's last frames wait for the filter's later taps) and, in a chain, the first
// stage's unrounded outputs are the second's input. Whatever the chunking and wherever the cuts
// fall, the outputs are those of one `process()` of the whole stream (README: "identical, sample
// for sample").
import assert from "node:assert/strict";
import { Resampler } from "../../src/audio/resampler.ts";
import { RESAMPLER_RATES } from "../../src/audio/_resampler_rates.ts";
import { noise } from "./_test_signals.ts";

/** Seeded chunk sizes in frames: mostly 1–100, one in fifty 200–400 ms (a cut follows each). */
function chunkSizes(rate: number, total: number, seed: number): number[] {
  const sizes: number[] = [];
  for (let left = total; left > 0;) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const large = seed % 50 === 0;
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const fifth = Math.round(rate / 5);
    const size = Math.min(left, large ? fifth + (seed % fifth) : 1 + (seed % 100));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

/**
 * {@linkcode chunkSizes} for the first of ten seeds from `seed` on that makes over 130 calls (two
 * windows of 64): at 96 and 192 kHz a seed whose large chunks come early (each 200–400 ms, 20–77
 * thousand frames) eats the 3 s stream in about a hundred calls. The rates up to 48 kHz keep
 * their first seed, so their chunkings are the ones they always had.
 */
function callsEnough(rate: number, total: number, seed: number): number[] {
  let sizes: number[] = [];
  for (let tries = 0; tries < 10 && sizes.length <= 130; tries++) {
    sizes = chunkSizes(rate, total, seed + tries);
  }
  return sizes;
}

/** `stream` through `resampler` in chunks of `sizes` frames, then `flush()`. */
function chunked(resampler: Resampler, stream: Int16Array, sizes: number[], channels: number) {
  // Appended sample by sample: spread into `push`, a 400 ms chunk at 192 kHz (150 thousand
  // samples in stereo) overflowed the call stack.
  const out: number[] = [];
  const append = (part: Int16Array) => {
    for (const sample of part) out.push(sample);
  };
  let at = 0;
  for (const size of sizes) {
    append(resampler.process(stream.subarray(at, at + size * channels)));
    at += size * channels;
  }
  append(resampler.flush());
  return out;
}

Deno.test("`Resampler` cut back at random points gives the samples of one never cut, every pair of rates, mono and stereo", () => {
  let pairs = 0;
  for (const inputRate of RESAMPLER_RATES) {
    for (const outputRate of RESAMPLER_RATES) {
      if (inputRate === outputRate) continue;
      for (const channels of [1, 2]) {
        const frames = inputRate * 3;
        const stream = noise(frames * channels, inputRate + outputRate + channels);
        const options = { inputRate, outputRate, channels };
        const whole = new Resampler(options);
        const expected = [...whole.process(stream), ...whole.flush()];
        const sizes = callsEnough(inputRate, frames, outputRate * channels);
        assert.ok(sizes.length > 130, `${sizes.length} calls: two windows of 64 at least`);
        assert.ok(sizes.some((size) => size > inputRate / 5), "a large chunk among them");
        const pair = `${inputRate} → ${outputRate} Hz, ${channels} ch`;
        const resampler = new Resampler(options);
        assert.deepEqual(chunked(resampler, stream, sizes, channels), expected, pair);
        // Flushed (reset) after its cuts, it starts a new stream as a new resampler does.
        const again = sizes.slice().reverse();
        assert.deepEqual(chunked(resampler, stream, again, channels), expected, `${pair}, again`);
        pairs++;
      }
    }
  }
  assert.equal(pairs, RESAMPLER_RATES.length * (RESAMPLER_RATES.length - 1) * 2);
});

Deno.test("`Resampler` reset mid-stream after a cut starts the next stream as a new one", () => {
  for (const [inputRate, outputRate, channels] of [[22050, 48000, 2], [48000, 8000, 1]]) {
    const options = { inputRate: inputRate!, outputRate: outputRate!, channels: channels! };
    const stream = noise(inputRate! * channels!, 11);
    const resampler = new Resampler(options);
    resampler.process(noise(inputRate! * channels!, 3)); // a 1 s chunk: the buffers grow
    for (let i = 0; i < 70; i++) resampler.process(noise(37 * channels!, i)); // a cut, mid-frame
    resampler.reset();
    const fresh = new Resampler(options);
    const sizes = chunkSizes(inputRate!, inputRate!, 5);
    assert.deepEqual(
      chunked(resampler, stream, sizes, channels!),
      chunked(fresh, stream, sizes, channels!),
      `${inputRate} → ${outputRate} Hz`,
    );
  }
});
