// A resampler's buffers grow to the largest chunk it is fed; one large chunk (a second of audio
// handed over at once) must not leave them that size for the resampler's life, and cutting them
// back must not cost the per-chunk path an allocation once the chunk sizes hold steady.
import assert from "node:assert/strict";
import { Resampler } from "../../src/audio/resampler.ts";
import { runWithGc } from "../_gc_script.ts";

Deno.test("`Resampler` fed one large chunk, then small ones, holds what one fed only small chunks holds", async () => {
  // In a process of its own, where a full garbage collection can be asked for before measuring.
  const report = await runWithGc(new URL("./resampler_held_script.ts", import.meta.url)) as {
    pair: string;
    afterLargeChunk: number;
    smallChunksOnly: number;
  }[];
  assert.equal(report.length, 4);
  for (const { pair, afterLargeChunk, smallChunksOnly } of report) {
    // Grown by a 1 s chunk, 22.05 → 48 kHz held 2.6 MB more for good; cut back, the difference
    // is the heap's noise (a few KB).
    assert.ok(
      afterLargeChunk - smallChunksOnly < 64 * 1024,
      `${pair}: ${afterLargeChunk} bytes held after a 1 s chunk, ${smallChunksOnly} without`,
    );
  }
});

Deno.test("`Resampler` fed one large chunk, then flushed or reset, holds what one fed a small chunk holds", async () => {
  // A stream's end (a reply's last audio sent, an interruption): no call may follow for minutes,
  // so the cut after 64 calls never came, and a reply handed over as one second held 2.6 MB.
  const report = await runWithGc(new URL("./resampler_held_script.ts", import.meta.url)) as {
    pair: string;
    flushedAfterLargeChunk: number;
    resetAfterLargeChunk: number;
    flushedAfterSmallChunk: number;
  }[];
  assert.equal(report.length, 4);
  for (
    const { pair, flushedAfterLargeChunk, resetAfterLargeChunk, flushedAfterSmallChunk } of report
  ) {
    for (
      const [end, held] of [["flushed", flushedAfterLargeChunk], [
        "reset",
        resetAfterLargeChunk,
      ]] as const
    ) {
      assert.ok(
        held - flushedAfterSmallChunk < 64 * 1024,
        `${pair}: ${held} bytes held after a 1 s chunk ${end}, ${flushedAfterSmallChunk} after 20 ms`,
      );
    }
  }
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
