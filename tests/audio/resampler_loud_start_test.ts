// A resampler is a linear, time-invariant filter: a stream that starts loud comes out as the same
// stream after silence does, shifted. The elliptic decimators (2:1, 3:1, 6:1 going down, and the
// 2:1 stage of the chains down to 8, 16 or 22.05 kHz) skipped the outputs before output 0 without
// running their all-pole cascade over them, though their FIR taps read the stream's first
// samples: a stream that began on a loud sample rang hard (a constant 2313 from the first sample
// came out from −1008 to 5833 at 16 → 8 kHz; sox, the oracle, gives 1709 to 2494). Each reply of
// the bot, each stretch of the caller in a recording, starts a resampler afresh.
import assert from "node:assert/strict";
import { Resampler } from "@x/ws-transport/audio";

/** Decimations through the elliptic filters alone: the output is exactly the shifted one. */
const direct: [number, number][] = [
  [16000, 8000],
  [24000, 8000],
  [48000, 8000],
  [48000, 16000],
  [48000, 24000],
  [44100, 22050],
  [32000, 16000],
  [96000, 32000],
  [96000, 16000],
  [12000, 8000],
  [48000, 32000],
  [192000, 96000],
];
/** Chains whose second stage is an elliptic decimator (see `_chained_resampler.ts`). */
const chained: [number, number][] = [
  [44100, 8000],
  [22050, 8000],
  [44100, 16000],
  [32000, 8000],
  [96000, 8000],
  [32000, 12000],
  [192000, 22050],
];

/** 300 ms of a constant `value`, after `silentMs` of silence, through a fresh resampler. */
function step(inputRate: number, outputRate: number, silentMs: number, value = 2313): Int16Array {
  const input = new Int16Array(inputRate * (silentMs + 300) / 1000);
  input.fill(value, inputRate * silentMs / 1000);
  return new Resampler({ inputRate, outputRate }).process(input);
}

for (const [inputRate, outputRate] of direct) {
  Deno.test(`\`Resampler\` ${inputRate} → ${outputRate} Hz: a stream that starts loud comes out as it does after silence`, () => {
    const loud = step(inputRate, outputRate, 0);
    const later = step(inputRate, outputRate, 100).subarray(outputRate / 10);
    assert.deepEqual(loud.subarray(0, 2000), later.subarray(0, 2000));
  });
}

for (const [inputRate, outputRate] of [...direct, ...chained]) {
  Deno.test(`\`Resampler\` ${inputRate} → ${outputRate} Hz overshoots a loud start no more than a step after silence`, () => {
    const loud = step(inputRate, outputRate, 0);
    const later = step(inputRate, outputRate, 100);
    // The filter's own overshoot (about 14 %, sox's 8 %), and no dip below zero.
    assert.ok(Math.max(...loud) <= Math.max(...later) + 1, `max ${Math.max(...loud)}`);
    assert.ok(Math.min(...loud) >= 0, `min ${Math.min(...loud)}`);
  });
}
