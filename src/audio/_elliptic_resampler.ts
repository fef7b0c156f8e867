/**
 * The engine of `Resampler` for 3:2 and 2:3 (16 ⇄ 24 kHz): the order-12 elliptic low-pass filter
 * of `_elliptic_filters.ts` run as a cascade of six second-order sections at the two rates'
 * common multiple, 48 kHz. The integer ratios run the same kind of filter split into a FIR and an
 * all-pole part at the lower rate (`_elliptic_filter.ts`); with both sides of the ratio above 1
 * that split would need a numerator of degree 72, so here the cascade runs as it is.
 *
 * @module
 */

import type { ResamplerCore } from "./_resampler_core.ts";
import { newInt16Array } from "./_slab.ts";
import { ELLIPTIC_FILTERS } from "./_elliptic_filters.ts";
import { ellipticDelay } from "./_elliptic_filter.ts";

/** State values per channel: two per section, six sections. */
const STATE = 12;

/**
 * Converts by `up / down` (reduced) through the elliptic filter for K = max(up, down): each input
 * sample becomes `up` samples at the common rate (itself × up, then zeros), the filter runs at
 * that rate, and every `down`-th result is an output sample.
 *
 * The filter is causal and delays low frequencies by `ellipticDelay` samples of the common rate
 * (2.55 samples of the lower rate). Output sample j is read that many samples after the instant
 * j·down, so the output stays aligned with the input at low frequencies; `process` therefore
 * holds back that much (0.16 ms at 16 kHz) and `flush` completes it from silence. Higher
 * frequencies come later still: 0.34 ms more at 75 % of the lower Nyquist frequency (6 kHz),
 * 1.8 ms more at its 85 % pass-band edge (6.8 kHz).
 */
export class EllipticResampler implements ResamplerCore {
  readonly #up: number;
  readonly #down: number;
  readonly #channels: number;
  readonly #filter: Float64Array;
  readonly #delay: number;
  /** Per channel, the two state values of each section (direct form II). */
  readonly #state: Float64Array;
  /** Common-rate samples to run before the next output sample is read (0: the next one is). */
  #until = 0;
  #inputFrames = 0;
  #outputFrames = 0;

  constructor(up: number, down: number, channels: number) {
    const filter = ELLIPTIC_FILTERS.get(Math.max(up, down));
    if (filter === undefined || filter.length !== 1 + 3 * (STATE / 2)) {
      throw new RangeError(`no elliptic filter for the ratio ${up}/${down}`);
    }
    this.#up = up;
    this.#down = down;
    this.#channels = channels;
    this.#filter = filter;
    this.#delay = Math.round(ellipticDelay(filter));
    this.#state = new Float64Array(STATE * channels);
    this.reset();
  }

  process(input: Int16Array): Int16Array {
    const frames = input.length / this.#channels;
    this.#inputFrames += frames;
    return this.#run(input, frames, -1);
  }

  flush(): Int16Array {
    const total = Math.floor((2 * this.#inputFrames * this.#up + this.#down) / (2 * this.#down));
    const missing = total - this.#outputFrames;
    let out: Int16Array;
    if (missing <= 0) {
      out = new Int16Array(0);
    } else {
      // Silence until the last missing output has been read.
      const samples = this.#until + (missing - 1) * this.#down + 1;
      const frames = Math.ceil(samples / this.#up);
      out = this.#run(new Int16Array(frames * this.#channels), frames, missing);
    }
    this.reset();
    return out;
  }

  reset(): void {
    this.#state.fill(0);
    this.#until = this.#delay;
    this.#inputFrames = 0;
    this.#outputFrames = 0;
  }

  /**
   * Runs `frames` input frames through the filter and returns the outputs read meanwhile
   * (at most `limit` of them when `limit` ≥ 0).
   */
  #run(input: Int16Array, frames: number, limit: number): Int16Array {
    const up = this.#up, down = this.#down, channels = this.#channels;
    const samples = frames * up;
    const until = this.#until;
    let count = samples > until ? Math.floor((samples - 1 - until) / down) + 1 : 0;
    if (limit >= 0 && count > limit) count = limit;
    const out = newInt16Array(count * channels);
    const f = this.#filter;
    const g = f[0]! * up;
    const a11 = f[1]!, a21 = f[2]!, c11 = f[3]!;
    const a12 = f[4]!, a22 = f[5]!, c12 = f[6]!;
    const a13 = f[7]!, a23 = f[8]!, c13 = f[9]!;
    const a14 = f[10]!, a24 = f[11]!, c14 = f[12]!;
    const a15 = f[13]!, a25 = f[14]!, c15 = f[15]!;
    const a16 = f[16]!, a26 = f[17]!, c16 = f[18]!;
    const state = this.#state;
    let left = until;
    for (let c = 0; c < channels; c++) {
      const at = c * STATE;
      let p1 = state[at]!, q1 = state[at + 1]!, p2 = state[at + 2]!, q2 = state[at + 3]!;
      let p3 = state[at + 4]!, q3 = state[at + 5]!, p4 = state[at + 6]!, q4 = state[at + 7]!;
      let p5 = state[at + 8]!, q5 = state[at + 9]!, p6 = state[at + 10]!, q6 = state[at + 11]!;
      left = until;
      let o = c;
      const end = o + count * channels;
      for (let i = c, n = 0, r = 0; n < samples; n++) {
        // Zero-stuffing: the input sample at the first of its `up` instants, zeros after it.
        let v = 0;
        if (r === 0) {
          v = input[i]!;
          i += channels;
          r = up;
        }
        r--;
        // Direct form II per section: w = v − a1·w₁ − a2·w₂, then v = w + c1·w₁ + w₂. The
        // state recurrence reads w₁ last, so its chain is one multiply and one subtraction.
        let w = v - a21 * q1 - a11 * p1;
        v = w + c11 * p1 + q1;
        q1 = p1;
        p1 = w;
        w = v - a22 * q2 - a12 * p2;
        v = w + c12 * p2 + q2;
        q2 = p2;
        p2 = w;
        w = v - a23 * q3 - a13 * p3;
        v = w + c13 * p3 + q3;
        q3 = p3;
        p3 = w;
        w = v - a24 * q4 - a14 * p4;
        v = w + c14 * p4 + q4;
        q4 = p4;
        p4 = w;
        w = v - a25 * q5 - a15 * p5;
        v = w + c15 * p5 + q5;
        q5 = p5;
        p5 = w;
        w = v - a26 * q6 - a16 * p6;
        if (left === 0) {
          // Only read samples need the last section's numerator.
          if (o < end) {
            const y = Math.round(g * (w + c16 * p6 + q6));
            out[o] = y > 32767 ? 32767 : y < -32768 ? -32768 : y;
            o += channels;
          }
          left = down;
        }
        left--;
        q6 = p6;
        p6 = w;
      }
      state[at] = p1, state[at + 1] = q1, state[at + 2] = p2, state[at + 3] = q2;
      state[at + 4] = p3, state[at + 5] = q3, state[at + 6] = p4, state[at + 7] = q4;
      state[at + 8] = p5, state[at + 9] = q5, state[at + 10] = p6, state[at + 11] = q6;
    }
    this.#until = left;
    this.#outputFrames += count;
    return out;
  }
}
