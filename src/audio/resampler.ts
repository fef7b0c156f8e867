/**
 * A streaming PCM16 sample-rate converter for the rates voice pipelines meet: 8, 16, 22.05, 24,
 * 44.1 and 48 kHz, flat to 3.4 kHz at 8 kHz and ≥ 85 dB down from the Nyquist frequency on. It
 * holds back 0.3 ms when 8 kHz meets 16, 24 or 48 kHz; see {@linkcode Resampler} for the
 * filters, the latency and the output length.
 *
 * @module
 */

import type { ResamplerCore } from "./_resampler_core.ts";
import { EllipticResampler } from "./_elliptic_resampler.ts";
import { ellipticFilter } from "./_elliptic_filter.ts";
import { kaiserFilter } from "./_kaiser_filter.ts";
import { PolyphaseResampler } from "./_polyphase_resampler.ts";

/** The sample rates {@linkcode Resampler} converts between. */
export const RESAMPLER_RATES: readonly number[] = Object.freeze([
  8000,
  16000,
  22050,
  24000,
  44100,
  48000,
]);

/** Options for {@linkcode Resampler}. */
export interface ResamplerOptions {
  /** Samples per second per channel of the input; one of {@linkcode RESAMPLER_RATES}. */
  inputRate: number;
  /** Samples per second per channel of the output; one of {@linkcode RESAMPLER_RATES}. */
  outputRate: number;
  /**
   * Interleaved channels in both input and output.
   *
   * @default {1}
   */
  channels?: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The elliptic engine's filters run at K × the lower rate, for these K. */
const ELLIPTIC_K = [2, 3, 6];

function checkRate(rate: number, name: string): void {
  if (!RESAMPLER_RATES.includes(rate)) {
    throw new RangeError(`${name} must be one of ${RESAMPLER_RATES.join(", ")}, got ${rate}`);
  }
}

/**
 * Converts interleaved PCM16 from one sample rate to another, chunk by chunk, with the filter
 * state kept across chunks: the concatenated outputs of any chunking of a stream, plus `flush()`,
 * are identical, sample for sample, to one `process()` of the whole stream plus `flush()`.
 *
 * **Quality.** Relative to the Nyquist frequency of the lower rate (4 kHz when 8 kHz is
 * involved), the pass band is flat within ±0.025 dB up to 85 % (3.4 kHz at 8 kHz) and
 * everything from 100 % on is attenuated by at least 85 dB (100 dB for the pairs below): no
 * aliasing when going down, no images when going up. A tone anywhere in the pass band keeps a
 * SINAD of about 90 dB or better, bounded by the 16-bit output; tests/bench/resampler_quality.ts
 * measures every pair beside sox and soxr.
 *
 * **Filters.** Ratios among 8, 16, 24 and 48 kHz, and 22.05 ⇄ 44.1 kHz (2:1, 3:1, 6:1, 3:2 and
 * back), run an order-12 elliptic IIR filter (six second-order sections, designed offline) at the
 * two rates' common multiple: three multiplies per section and sample, several times faster than
 * a linear-phase FIR of the same pass and stop bands. Its phase is not linear: low frequencies are
 * delayed 0.3 ms at 8 kHz (0.15 ms at 16 kHz), 3 kHz about 1 ms, and the 3.4 kHz band edge about
 * 3.5 ms. The other ratios (with 22.05 or 44.1 kHz on one side only, e.g. 160/147) run a
 * polyphase Kaiser-windowed-sinc FIR designed once per ratio and shared by every instance: linear
 * phase, its impulse response 72 samples of the lower rate long.
 *
 * **Latency.** `process()` holds back what the filter needs before an output sample is complete,
 * and nothing else: with the IIR filter, its delay at low frequencies (2.5 samples of the lower
 * rate, 0.3 ms at 8 kHz), so the output stays aligned with the input there; with the FIR, half
 * its length (36 samples of the lower rate: 1.6 ms at 22.05 kHz, 0.8 ms at 44.1 kHz, 4.5 ms for
 * 8 kHz ⇄ 22.05 or 44.1 kHz). That is the whole delay the resampler adds.
 *
 * **Length.** Over a whole stream (every `process()` output plus `flush()`) the output has exactly
 * `round(inputFrames × outputRate / inputRate)` frames (halves rounded up).
 *
 * **Equal rates** pass through: `process()` returns its argument itself, no filter, no copy.
 *
 * @example 8 kHz telephony up to 16 kHz for a speech recognizer, in 20 ms chunks
 * ```ts
 * import { Resampler } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * const resampler = new Resampler({ inputRate: 8000, outputRate: 16000 });
 * let frames = 0;
 * for (let i = 0; i < 50; i++) frames += resampler.process(new Int16Array(160)).length;
 * frames += resampler.flush().length;
 * assert.equal(frames, 16000);
 * ```
 *
 * @example 24 kHz speech synthesis down to 8 kHz, in stereo
 * ```ts
 * import { Resampler } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * const resampler = new Resampler({ inputRate: 24000, outputRate: 8000, channels: 2 });
 * const out = resampler.process(new Int16Array(2 * 2400).fill(1000));
 * const tail = resampler.flush();
 * assert.equal((out.length + tail.length) / 2, 800);
 * assert.equal(out[out.length - 1], 1000);
 * ```
 */
export class Resampler {
  /** Samples per second per channel of the input. */
  readonly inputRate: number;
  /** Samples per second per channel of the output. */
  readonly outputRate: number;
  /** Interleaved channels. */
  readonly channels: number;

  readonly #core: ResamplerCore | null;

  /**
   * Makes a resampler. Throws a `RangeError` when a rate is not one of
   * {@linkcode RESAMPLER_RATES} or `channels` is not a positive integer.
   */
  constructor(options: ResamplerOptions) {
    const { inputRate, outputRate, channels = 1 } = options;
    checkRate(inputRate, "inputRate");
    checkRate(outputRate, "outputRate");
    if (!Number.isInteger(channels) || channels < 1) {
      throw new RangeError(`channels must be a positive integer, got ${channels}`);
    }
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    this.channels = channels;
    if (inputRate === outputRate) {
      this.#core = null;
    } else {
      const divisor = gcd(inputRate, outputRate);
      const up = outputRate / divisor;
      const down = inputRate / divisor;
      if (!ELLIPTIC_K.includes(Math.max(up, down))) {
        this.#core = new PolyphaseResampler(kaiserFilter(up, down), channels);
      } else if (Math.min(up, down) === 1) {
        this.#core = new PolyphaseResampler(ellipticFilter(up, down), channels);
      } else {
        this.#core = new EllipticResampler(up, down, channels);
      }
    }
  }

  /**
   * Feeds `input` (interleaved, a whole number of frames; a `RangeError` otherwise) and returns
   * the output frames that are now complete, in a new array the caller owns; with equal rates,
   * `input` itself.
   */
  process(input: Int16Array): Int16Array {
    const channels = this.channels;
    if (input.length % channels !== 0) {
      throw new RangeError(
        `input.length must be a multiple of channels (${channels}), got ${input.length}`,
      );
    }
    return this.#core === null ? input : this.#core.process(input);
  }

  /**
   * Ends the stream: returns the frames the filter held back (the input padded with silence), so
   * the stream's output has exactly `round(inputFrames × outputRate / inputRate)` frames, then
   * resets for a new stream.
   */
  flush(): Int16Array {
    return this.#core === null ? new Int16Array(0) : this.#core.flush();
  }

  /** Forgets all input and filter state (e.g. on interruption); the next sample starts a stream. */
  reset(): void {
    this.#core?.reset();
  }
}
