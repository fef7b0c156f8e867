// A resampler is reused stream after stream: each reply of the bot ends with `flush()`, an
// interruption `reset()`s it mid-reply. Going down, a new stream starts by computing outputs
// before its output 0 (the elliptic recursion's warm-up), and a two-stage chain hands its first
// stage's such outputs to the second ahead of the stream (`_chained_resampler.ts`): `reset()`
// must bring all of that back, whether it came mid-stream, mid-hand-over or right after a
// `flush()`, and a second `flush()` must find an empty stream. resampler_test.ts checks this for
// one direct pair only.
import assert from "node:assert/strict";
import { Resampler, RESAMPLER_RATES } from "@x/ws-transport/audio";
import { concatSamples, noise } from "./_test_signals.ts";

const pairs = RESAMPLER_RATES.flatMap((a) =>
  RESAMPLER_RATES.filter((b) => b !== a).map((b): [number, number] => [a, b])
);

/** `input` in `chunk`-frame pieces, then `flush()`, through `resampler`. */
function stream(resampler: Resampler, input: Int16Array, chunk: number): Int16Array {
  const step = chunk * resampler.channels;
  const parts: Int16Array[] = [];
  for (let at = 0; at < input.length; at += step) {
    parts.push(resampler.process(input.subarray(at, at + step)).slice());
  }
  parts.push(resampler.flush());
  return concatSamples(parts);
}

Deno.test("`Resampler` starts each stream afresh for every pair: after a flush, a second flush, a reset mid-stream", () => {
  for (const [inputRate, outputRate] of pairs) {
    const options = { inputRate, outputRate, channels: 2 };
    // A loud start (every sample of a misplaced lead-in shows), 20 ms of it.
    const input = noise(2 * Math.round(inputRate / 50), 5);
    const fresh = stream(new Resampler(options), input, input.length);
    const resampler = new Resampler(options);
    const label = `${inputRate} → ${outputRate}`;
    // A stream shorter than the lead-in, flushed, then one flush too many.
    stream(resampler, input.subarray(0, 2), 1);
    assert.equal(resampler.flush().length, 0, `${label}: a second flush`);
    assert.deepEqual(stream(resampler, input, 3), fresh, `${label}: after the flushes`);
    // Reset after 1, 2 and 5 frames (inside the lead-in) and after 160 (past it).
    for (const frames of [1, 2, 5, 160]) {
      resampler.process(input.subarray(0, 2 * frames));
      resampler.reset();
      assert.deepEqual(stream(resampler, input, 7), fresh, `${label}: reset after ${frames}`);
    }
  }
});
