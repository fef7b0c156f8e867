// Holding outputs back to the exact-length rule's share changes when samples come out, never
// which: for every pair, mono and stereo, a stream cut one frame at a time, at random (1 to 900
// frames), or in one huge chunk, after a stream that was flushed or reset mid-way, comes out (with
// its flush) sample for sample as the whole stream's one-shot resample, round(n × out / in)
// frames long: none lost, repeated or out of order, whatever the rule held back where.
import assert from "node:assert/strict";
import { Resampler, RESAMPLER_RATES } from "../../src/audio/resampler.ts";
import { concatSamples, noise } from "./_test_signals.ts";

const PAIRS = RESAMPLER_RATES.flatMap((from) =>
  RESAMPLER_RATES.filter((to) => to !== from).map((to) => [from, to] as const)
);

/** A deterministic generator (a linear congruential one): the cuts are the same every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

const CUTTINGS = ["one frame at a time", "random", "one huge chunk"] as const;

/** Frame counts that add up to `frames`, cut as `how` says. */
function cuts(how: (typeof CUTTINGS)[number], frames: number, random: () => number): number[] {
  const sizes: number[] = [];
  for (let at = 0; at < frames;) {
    const size = how === "one frame at a time"
      ? 1
      : how === "random"
      ? 1 + Math.floor(random() * 900)
      : frames;
    sizes.push(Math.min(size, frames - at));
    at += size;
  }
  return sizes;
}

Deno.test("`Resampler` under the exact-length rule: any cutting of a stream, after a flush or reset mid-stream, gives the one-shot resample's samples, for every pair, mono and stereo", () => {
  const random = lcg(18);
  const faults: string[] = [];
  for (const [from, to] of PAIRS) {
    for (const channels of [1, 2]) {
      const frames = 1500 + Math.floor(random() * 1500);
      const source = noise(frames * channels, from + to + channels);
      const oneShot = new Resampler({ inputRate: from, outputRate: to, channels });
      const expected = concatSamples([oneShot.process(source), oneShot.flush()]);
      const length = Math.floor((2 * frames * to + from) / (2 * from)) * channels;
      if (expected.length !== length) {
        faults.push(`${from} → ${to} ×${channels}: ${expected.length} samples, not ${length}`);
      }
      for (const how of CUTTINGS) {
        const resampler = new Resampler({ inputRate: from, outputRate: to, channels });
        // A stream before, ended mid-way: what the rule held back of it must not leak into this.
        resampler.process(noise(137 * channels, 5));
        if (how === "random") resampler.reset();
        else resampler.flush();
        const parts: Int16Array[] = [];
        let at = 0;
        for (const size of cuts(how, frames, random)) {
          // Copied: outputs are cut from a shared slab.
          parts.push(
            resampler.process(source.slice(at * channels, (at + size) * channels)).slice(),
          );
          at += size;
        }
        parts.push(resampler.flush());
        const got = concatSamples(parts);
        if (got.length !== expected.length || got.some((sample, i) => sample !== expected[i])) {
          faults.push(`${from} → ${to} ×${channels}, ${how}: not the one-shot resample`);
        }
      }
    }
  }
  assert.deepEqual(faults, []);
});
