// A resampler's buffers grow to the largest chunk it is fed; one large chunk (a second of audio
// handed over at once) must not leave them that size for the resampler's life, and cutting them
// back must not cost the per-chunk path an allocation once the chunk sizes hold steady.
import assert from "node:assert/strict";
import { Resampler } from "../../src/audio/resampler.ts";
import { runWithGc } from "../_gc_script.ts";

/** What `resampler_held_script.ts` prints: array buffer bytes each kept resampler holds. */
interface Held {
  pair: string;
  afterLargeChunk: number;
  smallChunksOnly: number;
  flushedAfterLargeChunk: number;
  resetAfterLargeChunk: number;
  flushedAfterSmallChunk: number;
}

let held: Promise<Held[]> | undefined;
/**
 * The script's report, run once for the tests below, in a process of its own: heap snapshots count
 * every buffer held, the test runner's too.
 */
const heldReport = () =>
  held ??= runWithGc(new URL("./resampler_held_script.ts", import.meta.url)) as Promise<Held[]>;

Deno.test("`Resampler` fed one large chunk, then small ones, holds its buffers within 64 KB of one fed only small chunks", async () => {
  const report = await heldReport();
  assert.equal(report.length, 4);
  // Counted in array buffers, exactly. Grown by a 1 s chunk and never cut back, each resampler
  // held 2.6 MB more for good (22.05 → 48 kHz; 48 → 8 kHz, the least of these pairs, 460 KB: both
  // counted with the cut-back taken out). Cut back, what is left is by design and the same on any
  // machine: the buffers are kept at twice the most the last 64 calls needed, more than one that
  // never grew started with (22.05 → 48 kHz: 12.8 KB more; 8 → 44.1 kHz 5.8 KB; the others none).
  const overBound = report.filter((r) => r.afterLargeChunk - r.smallChunksOnly >= 64 * 1024)
    .map((r) =>
      `${r.pair}: ${r.afterLargeChunk} bytes held after a 1 s chunk, ${r.smallChunksOnly} without`
    );
  assert.deepEqual(overBound, []);
});

Deno.test("`Resampler` fed one large chunk, then flushed or reset, holds no more buffers than one fed a small chunk", async () => {
  // A stream's end (a reply's last audio sent, an interruption): no call may follow for minutes,
  // so the cut after 64 calls never came, and a reply handed over as one second held 2.6 MB
  // (22.05 → 48 kHz; 460 KB from 48 to 8 kHz, the least of these pairs). Cut back to their first
  // size, the buffers hold what one fed a small chunk holds, or less (counted: 0 to 13.8 KB less;
  // that one keeps the unrounded outputs of 20 ms chunks, see `#cutBackAtStreamEnd`).
  const report = await heldReport();
  assert.equal(report.length, 4);
  const overBound = report.flatMap((r) =>
    ([["flushed", r.flushedAfterLargeChunk], ["reset", r.resetAfterLargeChunk]] as const)
      .filter(([, held]) => held > r.flushedAfterSmallChunk)
      .map(([end, held]) =>
        `${r.pair}: ${held} bytes held after a 1 s chunk ${end}, ` +
        `${r.flushedAfterSmallChunk} after 20 ms`
      )
  );
  assert.deepEqual(overBound, []);
});

Deno.test("`Resampler` allocates no buffer of its own per chunk once chunk sizes hold steady, after a large chunk too", () => {
  // Its buffers are `Float64Array`s: every one made with a length (not a view on a buffer, as
  // `subarray` makes) is counted while the global constructor is this subclass.
  let made = 0;
  const Original = globalThis.Float64Array;
  class Counted extends Original {
    // deno-lint-ignore no-explicit-any
    constructor(...args: any[]) {
      // deno-lint-ignore no-explicit-any
      super(...(args as [any]));
      if (typeof args[0] === "number") made++;
    }
  }
  globalThis.Float64Array = Counted as Float64ArrayConstructor;
  try {
    for (const [inputRate, outputRate, channels] of [[22050, 48000, 1], [48000, 8000, 2]]) {
      const resampler = new Resampler({
        inputRate: inputRate!,
        outputRate: outputRate!,
        channels: channels!,
      });
      const frames = (ms: number) => (inputRate! * ms) / 1000;
      const large = new Int16Array(frames(1000) * channels!);
      const small = new Int16Array(frames(20) * channels!);
      // The output arrays are the caller's (Int16Arrays): one buffer of its own, cut up.
      const out = new Int16Array(outputRate! * channels!);
      const allocate = (length: number) => out.subarray(0, length);
      resampler.process(large);
      // Two windows of 64 calls: the buffers are cut back at the end of the second.
      for (let i = 0; i < 128; i++) resampler.process(small, allocate);
      made = 0;
      for (let i = 0; i < 1000; i++) resampler.process(small, allocate);
      assert.equal(made, 0, `${inputRate} → ${outputRate} Hz: buffers made in 1,000 chunks`);
    }
  } finally {
    globalThis.Float64Array = Original;
  }
});

Deno.test("`Resampler` cut back mid-stream gives the same samples as one that never was", () => {
  for (
    const [inputRate, outputRate, channels] of [[22050, 48000, 1], [48000, 8000, 2], [
      8000,
      44100,
      2,
    ], [24000, 22050, 1]]
  ) {
    const frames = (ms: number) => (inputRate! * ms) / 1000;
    const stream = Int16Array.from(
      { length: frames(5000) * channels! },
      (_, i) => Math.round(9000 * Math.sin(i / 5) + 5000 * Math.sin(i / 41)),
    );
    const options = { inputRate: inputRate!, outputRate: outputRate!, channels: channels! };
    const whole = new Resampler(options);
    const expected = [...whole.process(stream), ...whole.flush()];
    // A 1 s chunk, then 20 ms ones: 200 calls, cut back twice over (after calls 128 and 192).
    const chunked = new Resampler(options);
    const got = [...chunked.process(stream.subarray(0, frames(1000) * channels!))];
    for (let at = frames(1000) * channels!; at < stream.length; at += frames(20) * channels!) {
      got.push(...chunked.process(stream.subarray(at, at + frames(20) * channels!)));
    }
    got.push(...chunked.flush());
    assert.deepEqual(got, expected, `${inputRate} → ${outputRate} Hz, ${channels} ch`);
  }
});
