// Every ratio the elliptic filters do not take runs two stages (`_chained_resampler.ts`): an
// elliptic 2:1 filter at the low side and a short Kaiser FIR between twice the low rate and the
// high one. Each stage makes outputs before its output 0 that read the stream's first samples
// (the FIR's taps reach ahead, the elliptic interpolator's delay too); the next stage must read
// them as the stream's lead-in, or the chain is not one linear, time-invariant filter at a
// stream's start: a constant 2313 from the first sample came out up to 117 off (8 → 44.1 kHz)
// what it gives after silence, broadband noise up to 83 off (22.05 → 8 kHz).
import assert from "node:assert/strict";
import { Resampler } from "@x/ws-transport/audio";
import { concatSamples, noise } from "./_test_signals.ts";

/** The pairs that run through two stages: the rest are covered by resampler_loud_start_test.ts. */
const chained: [number, number][] = [
  [8000, 22050],
  [8000, 44100],
  [16000, 22050],
  [16000, 44100],
  [22050, 24000],
  [22050, 48000],
  [24000, 44100],
  [44100, 48000],
  [22050, 8000],
  [44100, 8000],
  [44100, 16000],
  [44100, 24000],
  [48000, 22050],
  [8000, 32000],
  [8000, 96000],
  [12000, 16000],
  [12000, 44100],
  [32000, 44100],
  [22050, 192000],
  [32000, 8000],
  [96000, 8000],
  [22050, 12000],
  [96000, 44100],
  [192000, 12000],
];

/** The whole stream through a fresh resampler, `chunk` frames at a time, then `flush()`. */
function resample(input: Int16Array, rates: [number, number], chunk = input.length): Int16Array {
  const [inputRate, outputRate] = rates;
  const resampler = new Resampler({ inputRate, outputRate });
  const parts: Int16Array[] = [];
  for (let at = 0; at < input.length; at += chunk) {
    parts.push(resampler.process(input.subarray(at, at + chunk)));
  }
  parts.push(resampler.flush());
  return concatSamples(parts);
}

/** `signal` after 100 ms of silence, the silence's output cut off again. */
function afterSilence(signal: Int16Array, rates: [number, number]): Int16Array {
  const silent = rates[0] / 10;
  const input = new Int16Array(silent + signal.length);
  input.set(signal, silent);
  return resample(input, rates).subarray(rates[1] / 10);
}

for (const rates of chained) {
  Deno.test(`\`Resampler\` ${rates[0]} → ${rates[1]} Hz (two stages): a stream that starts loud comes out as it does after silence`, () => {
    const constant = new Int16Array(rates[0] * 3 / 10).fill(2313);
    const broadband = noise(rates[0] * 3 / 10);
    for (const signal of [constant, broadband]) {
      const loud = resample(signal, rates);
      assert.deepEqual(loud, afterSilence(signal, rates).subarray(0, loud.length));
    }
  });
}

Deno.test("`Resampler` (two stages) hands its lead-in on the same way however the stream is cut", () => {
  for (const rates of chained) {
    const signal = noise(rates[0] / 50, 11);
    const whole = resample(signal, rates);
    for (const chunk of [1, 3, 7]) {
      assert.deepEqual(resample(signal, rates, chunk), whole, `${rates}, ${chunk}-frame chunks`);
    }
    // A stream shorter than the lead-in the first stage makes, flushed at once.
    for (const frames of [1, 2, 5]) {
      const short = signal.subarray(0, frames);
      assert.deepEqual(resample(short, rates, 1), resample(short, rates), `${rates}, ${frames}`);
    }
  }
});
