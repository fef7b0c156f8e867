/**
 * The elliptic filters of `_elliptic_filters.ts` rearranged for the ratios 2:1, 3:1, 6:1, 3:2 and
 * back as a polyphase FIR plus an all-pole cascade that runs at the lower rate (for 3:2, at the
 * input rate). Going down 2:1
 * and 3:1 they are the order-10 `DECIMATION_FILTERS` (84–91 dB, enough for the 80 dB goal, 20 %
 * cheaper), everywhere else the order-12 `ELLIPTIC_FILTERS` (100–113 dB).
 *
 * Each section's poles p, p̄ are raised to the M-th power (M = the ratio): 1 / A(z) = Q(z) / Â(z^M)
 * with Â(z^M) = (1 − p^M·z^−M)(1 − p̄^M·z^−M), Q = Â / A a polynomial of degree 2(M − 1). The
 * whole filter becomes N(z) / Π Â(z^M), where N = gain · Π (1 + c1·z⁻¹ + z⁻²)·Q has degree 2M per
 * section. A recursion in z^−M commutes with keeping every M-th sample and with inserting M − 1
 * zeros, so going down the FIR N runs only for the samples kept, followed by the recursion at the
 * lower rate; going up (and for 3:2, with M = up) the recursion runs on the input, followed by N
 * as an M-phase FIR of 13 taps per output. With S sections that is 2SM + 1 + 2S multiplies per output going down and
 * about 2S + 1 + 2S / M going up, against 3SM and 3S for the cascade at the higher rate: as many
 * multiplies, but most of them in a FIR (four outputs per pass, no loop-carried chain) instead of
 * a recursion at the higher rate. In float64 the two responses agree within 2e-12.
 *
 * @module
 */

import type { PolyphaseFilter } from "./_polyphase_filter.ts";
import { DECIMATION_FILTERS, ELLIPTIC_FILTERS } from "./_elliptic_filters.ts";

const filters = new Map<number, PolyphaseFilter>();

/** The all-pole cascade always has this many sections; shorter filters are padded with 1s. */
export const POLE_SECTIONS = 6;

/** The elliptic table for `up / down` (reduced), or undefined when none fits. */
export function ellipticTable(up: number, down: number): Float64Array | undefined {
  const k = Math.max(up, down);
  return (up === 1 ? DECIMATION_FILTERS.get(k) : undefined) ?? ELLIPTIC_FILTERS.get(k);
}

/**
 * The group delay at 0 Hz of an elliptic table, in samples of the rate it runs at: for a
 * polynomial Σ pₖ·z⁻ᵏ it is Σ k·pₖ / Σ pₖ, numerators counted plus and denominators minus.
 */
export function ellipticDelay(filter: Float64Array): number {
  let delay = 0;
  for (let s = 1; s < filter.length; s += 3) {
    const a1 = filter[s]!, a2 = filter[s + 1]!;
    // The numerator 1 + c1·z⁻¹ + z⁻² is symmetric: exactly one sample.
    delay += 1 - (a1 + 2 * a2) / (1 + a1 + a2);
  }
  return delay;
}

/**
 * The polyphase form of the elliptic filter for `up / down` (2:1, 3:1, 6:1, 3:2 and back),
 * cached. The recursion is stretched by M = down going down (it runs on the outputs) and by
 * M = up otherwise (it runs on the input).
 */
export function ellipticFilter(up: number, down: number): PolyphaseFilter {
  const key = up * 1e6 + down;
  const cached = filters.get(key);
  if (cached) return cached;
  const m = up === 1 ? down : up;
  const table = ellipticTable(up, down);
  if (table === undefined) throw new RangeError(`no elliptic filter for the ratio ${up}/${down}`);
  let numerator = [table[0]!];
  // Sections beyond the table's are 1 / (1 + 0·z⁻¹ + 0·z⁻²): the engine runs six.
  const poles = new Float64Array(2 * POLE_SECTIONS);
  for (let s = 0; s < (table.length - 1) / 3; s++) {
    const a1 = table[1 + 3 * s]!, a2 = table[2 + 3 * s]!, c1 = table[3 + 3 * s]!;
    // h: the power series of 1 / A(z); sums: p^k + p̄^k. Both obey x_k = −a1·x_{k−1} − a2·x_{k−2}.
    const h = [1, -a1];
    const sums = [2, -a1];
    for (let k = 2; k <= Math.max(2 * m - 2, m); k++) {
      h.push(-a1 * h[k - 1]! - a2 * h[k - 2]!);
      sums.push(-a1 * sums[k - 1]! - a2 * sums[k - 2]!);
    }
    const d1 = -sums[m]!;
    const d2 = a2 ** m;
    poles[2 * s] = d1;
    poles[2 * s + 1] = d2;
    // Q = Â · (1 / A), exact to degree 2(M − 1): q_k = h_k + d1·h_{k−M}.
    const q = Array.from({ length: 2 * m - 1 }, (_, k) => h[k]! + (k >= m ? d1 * h[k - m]! : 0));
    numerator = convolve(numerator, convolve([1, c1, 1], q));
  }
  const delay = Math.round(ellipticDelay(table));
  const filter = up === 1
    ? decimator(down, numerator, delay, poles)
    : interpolator({ up, down }, numerator, delay, poles);
  filters.set(key, filter);
  return filter;
}

/**
 * Output j is N applied at input sample j·M + delay, then the all-pole cascade. The outputs
 * before output 0 whose taps reach the stream's first samples (j ≥ −⌊delay / M⌋) are computed
 * too, and their values run through the cascade, then dropped (`warmUp`): the recursion's state
 * is the filter's response to those samples. Skipped, it started from rest while the FIR's
 * outputs after it already held them: not the elliptic filter, but one that rang on a stream
 * that starts loud (a constant 2313 from the first sample came out from −1008 to 5833 at
 * 16 → 8 kHz; from silence, then 2313, at most 2630).
 */
function decimator(
  m: number,
  numerator: number[],
  delay: number,
  poles: Float64Array,
): PolyphaseFilter {
  const taps = numerator.length;
  const coefficients = new Float64Array(taps);
  for (let i = 0; i < numerator.length; i++) coefficients[taps - 1 - i] = numerator[i]!;
  const warmUp = Math.floor(delay / m);
  return {
    up: 1,
    down: m,
    taps,
    coefficients,
    lead: taps - 1 - delay + warmUp * m,
    firstStart: 0,
    firstPhase: 0,
    warmUp,
    poles,
    polesFirst: false,
  };
}

/**
 * The all-pole cascade runs on the input; output j is N, times L = up for the inserted zeros,
 * applied at instant n = j·down + delay of the L-times rate: phase r = n mod L reads the input
 * samples i₀ − t (i₀ = ⌊n / L⌋) with N[r + t·L].
 */
function interpolator(
  ratio: { up: number; down: number },
  numerator: number[],
  delay: number,
  poles: Float64Array,
): PolyphaseFilter {
  const l = ratio.up;
  const taps = Math.ceil(numerator.length / l);
  const coefficients = new Float64Array(l * taps);
  for (let r = 0; r < l; r++) {
    for (let t = 0; t < taps; t++) {
      const n = r + t * l;
      if (n < numerator.length) coefficients[r * taps + taps - 1 - t] = l * numerator[n]!;
    }
  }
  return {
    up: l,
    down: ratio.down,
    taps,
    coefficients,
    lead: taps - 1,
    firstStart: Math.floor(delay / l),
    firstPhase: delay % l,
    warmUp: 0, // the cascade runs on the input, all of it: nothing to bring in
    poles,
    polesFirst: true,
  };
}

function convolve(a: number[], b: number[]): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) out[i + j] = out[i + j]! + a[i]! * b[j]!;
  }
  return out;
}
