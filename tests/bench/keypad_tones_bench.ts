/**
 * The cost of the keypad-tone test (`KeypadTones.holdsDigit`) on one window: the speech detector
 * asks it of every window that may begin or go on speech, so it runs on most of a caller's loud
 * chunks. Windows of a digit's two tones (whole, and 40 ms of tone in a 60 ms window: where its
 * quiet ends are left out) and of white noise (sound that is no digit), at 8, 16 and 48 kHz.
 *
 * Run: `npx deno bench --allow-all tests/bench/keypad_tones_bench.ts`
 *
 * @module
 */

import { KeypadTones } from "../../src/streams/_keypad_tones.ts";

/** `ms` of a window at `rate`: a digit (697 + 1336 Hz, -20 dBFS each) from `toneFromMs` on. */
function window(rate: number, ms: number, toneFromMs: number, toneToMs = ms): Float64Array {
  const out = new Float64Array(Math.round(rate * ms / 1000));
  let seed = 7;
  for (let i = 0; i < out.length; i++) {
    // A fixed LCG: the same hiss, 40 dB under the tones, at every run.
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const t = i / rate;
    const sounding = t * 1000 >= toneFromMs && t * 1000 < toneToMs;
    out[i] = (seed / 0x7fffffff - 0.5) * 60 +
      (sounding ? 4634 * (Math.sin(2 * Math.PI * 697 * t) + Math.sin(2 * Math.PI * 1336 * t)) : 0);
  }
  return out;
}

/** White noise at -20 dBFS: sound, no digit. */
function hiss(rate: number, ms: number): Float64Array {
  const out = new Float64Array(Math.round(rate * ms / 1000));
  let seed = 11;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = (seed / 0x7fffffff - 0.5) * 11350;
  }
  return out;
}

let sink = 0;
for (const rate of [8000, 16000, 48000]) {
  const cases: [string, number, Float64Array][] = [
    ["a digit, 10 ms", 10, window(rate, 10, 0)],
    ["hiss, 10 ms", 10, hiss(rate, 10)],
    ["a digit, 20 ms", 20, window(rate, 20, 0)],
    ["a digit's 40 ms in 60 ms", 60, window(rate, 60, 10, 50)],
    ["hiss, 60 ms", 60, hiss(rate, 60)],
  ];
  for (const [name, ms, samples] of cases) {
    const test = new KeypadTones(rate, ms);
    Deno.bench(`${rate} Hz: ${name}`, { group: `${rate} ${ms}` }, () => {
      // 100 windows an iteration: one is under the timer's resolution.
      for (let i = 0; i < 100; i++) if (test.holdsDigit(samples)) sink++;
    });
  }
}
globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});
