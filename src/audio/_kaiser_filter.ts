/**
 * The linear-phase polyphase FIR for ratios the elliptic filters do not cover (e.g. 160/147): a
 * Kaiser-windowed sinc sampled at every phase of the ratio, designed once per ratio and shared.
 * Alone (going down between close rates: 22.05 → 16, 24 → 22.05, 48 → 44.1, 16 → 12, 32 → 24,
 * 32 → 22.05, 44.1 → 32 kHz) it is 72 samples of the lower rate long; as the wide-transition stage
 * of a chain (`_chained_resampler.ts`), 8–144 taps.
 *
 * @module
 */

import type { PolyphaseFilter } from "./_polyphase_filter.ts";

// Relative to the Nyquist frequency of the lower of the two rates: flat (±0.001 dB) up to
// PASSBAND of it, STOPBAND_DB down from it on (nothing aliases or images at all), a
// Kaiser-windowed sinc in between. The impulse response spans 72 samples of the lower rate.
const PASSBAND = 0.85;
const STOPBAND_DB = 85;

const filters = new Map<string, PolyphaseFilter>();

/** The zeroth-order modified Bessel function of the first kind (Kaiser's window needs it). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; term > sum * 1e-17; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

/**
 * Where a Kaiser filter's pass band ends and its stop band starts, in cycles per input sample,
 * and how far down the stop band is.
 */
export interface KaiserEdges {
  pass: number;
  stop: number;
  stopDb: number;
}

/**
 * The Kaiser-windowed-sinc polyphase table for `up / down` (reduced), cached. By default flat to
 * 85 % of the lower Nyquist frequency and stopping at 100 %; `edges` places the two elsewhere
 * (the second stage of a chain, whose input or output band is already limited, can afford a
 * much wider transition and so far fewer taps).
 */
export function kaiserFilter(up: number, down: number, edges?: KaiserEdges): PolyphaseFilter {
  // Frequencies in cycles per input sample; the lower Nyquist is min(1, up/down) / 2 of them.
  const nyquist = Math.min(1, up / down) / 2;
  const { pass, stop, stopDb } = edges ?? {
    pass: PASSBAND * nyquist,
    stop: nyquist,
    stopDb: STOPBAND_DB,
  };
  const key = `${up}/${down}/${pass}/${stop}/${stopDb}`;
  const cached = filters.get(key);
  if (cached) return cached;

  const cutoff = (pass + stop) / 2;
  const transition = stop - pass;
  const length = (stopDb - 7.95) / (2.285 * 2 * Math.PI * transition) + 1;
  const taps = Math.round(length / 4) * 4;
  const beta = 0.1102 * (stopDb - 8.7);
  const half = taps / 2;
  const norm = besselI0(beta);

  const coefficients = new Float64Array(up * taps);
  const phase = new Float64Array(taps);
  for (let p = 0; p < up; p++) {
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      // Distance, in input samples, from the output instant to the input sample this tap meets.
      const t = p / up + half - 1 - k;
      const r = t / half;
      const window = r * r < 1 ? besselI0(beta * Math.sqrt(1 - r * r)) / norm : 0;
      const x = 2 * cutoff * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      phase[k] = 2 * cutoff * sinc * window;
      sum += phase[k]!;
    }
    // Each phase sums to exactly 1, so a constant input comes out constant (no phase ripple).
    for (let k = 0; k < taps; k++) coefficients[p * taps + k] = phase[k]! / sum;
  }
  // Output 0 is centred on input 0: its taps reach half a filter back (linear phase, no shift).
  const filter: PolyphaseFilter = {
    up,
    down,
    taps,
    coefficients,
    lead: half - 1,
    firstStart: 0,
    firstPhase: 0,
    warmUp: 0, // no poles: every output stands alone
    poles: new Float64Array(0),
    polesFirst: false,
  };
  filters.set(key, filter);
  return filter;
}
