/**
 * A streaming PCM16 sample-rate converter for the rates voice pipelines meet: 8, 12, 16, 22.05,
 * 24, 32, 44.1, 48, 96 and 192 kHz; at 8 kHz flat to 3.4 kHz and ≥ 83 dB down from 4 kHz on. It
 * holds back 0.25–0.33 ms when 8 kHz meets 12, 16, 24 or 48 kHz, at most 3 ms for any pair; see
 * {@linkcode Resampler} for the filters, the latency and the output length.
 *
 * @module
 */

import type { ResamplerCore } from "./_resampler_core.ts";
import { ChainedResampler } from "./_chained_resampler.ts";
import { ellipticFilter } from "./_elliptic_filter.ts";
import { type KaiserEdges, kaiserFilter } from "./_kaiser_filter.ts";
import type { PolyphaseFilter } from "./_polyphase_filter.ts";
import { outputsBefore, PolyphaseResampler, reachBefore } from "./_polyphase_resampler.ts";
import { newInt16Array } from "./_slab.ts";
import { assertResamplerRate } from "./_resampler_rates.ts";
import { MAX_CHANNELS } from "./_frame_limits.ts";
import { shownValue } from "../_kind_of.ts";

export { RESAMPLER_RATES } from "./_resampler_rates.ts";

/** Options for {@linkcode Resampler}. */
export interface ResamplerOptions {
  /** Samples per second per channel of the input; one of {@linkcode RESAMPLER_RATES}. */
  inputRate: number;
  /** Samples per second per channel of the output; one of {@linkcode RESAMPLER_RATES}. */
  outputRate: number;
  /**
   * Interleaved channels in both input and output: 1 to 32, as many as an audio frame may carry.
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

/** The Kaiser FIR for `inputRate → outputRate`, alone or behind/after an elliptic 2:1 stage. */
function kaiserPath(inputRate: number, outputRate: number, channels: number): ResamplerCore {
  const low = Math.min(inputRate, outputRate), high = Math.max(inputRate, outputRate);
  const kaiser = (from: number, to: number, edges?: KaiserEdges) => {
    const divisor = gcd(from, to);
    return kaiserFilter(to / divisor, from / divisor, edges);
  };
  // Going down, the FIR comes first and must stay flat to 0.425 × low of its own input: a short
  // one manages that only up to a quarter of it or so, so close rates (22.05 → 16, 24 → 22.05,
  // 48 → 44.1 kHz) keep the direct FIR.
  if (outputRate === low && high < 1.8 * low) {
    return new PolyphaseResampler(kaiser(inputRate, outputRate), { channels, exactLength: true });
  }
  // Between 2 × low and high, the band beyond 0.425 × low is either already gone (going up) or
  // about to go (going down), except what folds onto the pass band: from 1.5 × low on. There the
  // images of the pass band land going up, so it stops at 100 dB (at 85, SINAD fell to 86 dB).
  const mid = 2 * low;
  const edges = (rate: number) => ({
    pass: (0.425 * low) / rate,
    stop: (1.5 * low) / rate,
    stopDb: 100,
  });
  const divisor = gcd(inputRate, outputRate);
  const ratio = { up: outputRate / divisor, down: inputRate / divisor, channels };
  const [first, second] = inputRate === low
    ? [ellipticFilter(2, 1), kaiser(mid, high, edges(mid))]
    : [kaiser(high, mid, edges(high)), ellipticFilter(1, 2)];
  return new ChainedResampler(chainStages(first, second, channels), ratio);
}

/**
 * The two stages of a chain. The first stage's outputs before its output 0 that the second one
 * reads are handed on ahead of the stream: dropped, a stream that started loud reached the
 * second stage cut off (only the first stage's output 0 on), and its start came out up to 117
 * (8 → 44.1 kHz) or 83 (22.05 → 8 kHz) off what the same audio gives after silence.
 */
function chainStages(
  first: PolyphaseFilter,
  second: PolyphaseFilter,
  channels: number,
): { first: PolyphaseResampler; second: PolyphaseResampler } {
  const early = Math.min(outputsBefore(first), reachBefore(second));
  return {
    first: new PolyphaseResampler(first, { channels, early }),
    second: new PolyphaseResampler(second, { channels, before: early }),
  };
}

/**
 * Converts interleaved PCM16 from one sample rate to another, chunk by chunk, with the filter
 * state kept across chunks: the concatenated outputs of any chunking of a stream, plus `flush()`,
 * are identical, sample for sample, to one `process()` of the whole stream plus `flush()`.
 *
 * **Quality.** Relative to the Nyquist frequency of the lower rate (4 kHz when 8 kHz is involved):
 * flat within ±0.04 dB up to 85 % (3.4 kHz at 8 kHz); everything from 100 % on attenuated by at
 * least 83 dB (83–92 dB going down 2:1 and 3:1 and with the FIR alone, 100–113 dB for the other
 * elliptic ratios, 92–107 dB through a chain): no aliasing going down, no images going up. Tones
 * anywhere in the pass band keep a SINAD of 88.4 dB or better at −6 dBFS, the limit set by 16-bit
 * input and output (sox `rate -v`: 89–93 dB). `tests/bench/resampler_quality.ts` measures every
 * pair beside soxr and sox.
 *
 * **Filters.** Ratios among 8, 12, 16, 24, 32, 48, 96 and 192 kHz, and 22.05 ⇄ 44.1 kHz, that are
 * 2:1, 3:1, 6:1 or 3:2 (and back) run elliptic IIR filters (order 10 going down 2:1 and 3:1, order
 * 12 otherwise; designed offline, tables in the source), rearranged so that the recursion runs at
 * the lower rate (for 3:2, the input rate) and the rest is a 13–73-tap FIR computed only for the
 * samples kept: a third of the multiplies of a linear-phase FIR with the same pass and stop bands
 * (92 taps at 16 kHz, 138 at 24 kHz), which is what lets 24 → 8 kHz run faster than soxr in plain
 * JavaScript. Their phase is not linear: on top of the delay held back (below), 2 kHz comes 0.14 ms
 * later than low frequencies at 8 kHz, 3 kHz 0.6–0.7 ms, and the 3.4 kHz band edge 2.6–3.9 ms (half
 * that at 16 kHz). Every other ratio goes through twice the lower rate: the elliptic 2:1 filter
 * there, and between that rate and the higher one a Kaiser FIR that only has to stop what would
 * fold onto the pass band (`_chained_resampler.ts`): 8–32 taps up to 48 kHz, 24–144 going down from
 * 96 or 192 kHz (its length grows with the ratio). Going down between close rates (22.05 → 16, 24 →
 * 22.05, 48 → 44.1, 16 → 12, 32 → 24, 32 → 22.05, 44.1 → 32 kHz) that FIR would have to be long
 * after all, so those run a polyphase Kaiser-windowed-sinc FIR alone, designed once per ratio and
 * shared by every instance: linear phase, 72 samples of the lower rate long.
 *
 * **Latency.** `process()` holds back what an output sample needs before it is complete, and
 * nothing else: with the IIR filters, their delay at low frequencies (2–2.6 samples of the lower
 * rate: 0.25–0.33 ms at 8 kHz, under 0.2 ms above), so the output stays aligned with the input
 * there; through twice the lower rate, 4–5.5 samples of it (0.5–0.7 ms at 8 kHz, 0.25–0.35 ms at
 * 16 kHz, less above); with the FIR alone, half its length (36 samples of the lower rate: 3 ms
 * for 16 → 12 kHz, 2.3 ms for 22.05 → 16 kHz, 1.6 ms for 24 → 22.05 and 32 → 22.05 kHz, 1.5 ms
 * for 32 → 24 kHz, 1.1 ms for 44.1 → 32 kHz, 0.8 ms for 48 → 44.1 kHz). That is the whole delay
 * the resampler adds. Rounded to whole output samples: after every `process()` the stream's
 * outputs in all are its share, `floor(inputFrames × outputRate / inputRate)`, less a hold-back
 * fixed for the pair (the delay above, in whole samples: what a 20 ms chunk leaves held), however
 * the stream is cut: the same hold-back for a 5 ms or a 1-frame chunk as for 20 ms, so no chunk's
 * output is a sample longer or shorter than its share beside the chunks before it.
 *
 * **A stream's start** is taken as coming after silence: a stream that starts loud (a reply's
 * first sample) comes out sample for sample as the same audio does after silence, for every pair
 * (the recursions going down run over the outputs before output 0 that reach the stream, and a
 * chain's first stage hands on its own such outputs to the second).
 *
 * **Length.** Over a whole stream (every `process()` output plus `flush()`) the output has exactly
 * `round(inputFrames × outputRate / inputRate)` frames (halves rounded up).
 *
 * **Equal rates** pass through: `process()` returns its argument itself, no filter, no copy.
 *
 * **Memory.** Its buffers grow to the largest chunk fed, and are cut back within 64 calls once
 * chunks are small again (never below twice the largest of those calls), and to their first
 * size by `flush()` and `reset()` (a stream's end, after which no call may come for long): a
 * one-off second of audio at once does not leave megabytes held, and chunks of steady sizes
 * allocate nothing of the resampler's own.
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
 * // A constant stays constant, within the pass band's ±0.04 dB ripple at 0 Hz.
 * assert.ok(Math.abs(out[out.length - 1]! - 1000) <= 5);
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
   * {@linkcode RESAMPLER_RATES} or `channels` is not an integer from 1 to 32.
   */
  constructor(options: ResamplerOptions) {
    const { inputRate, outputRate, channels = 1 } = options;
    assertResamplerRate(inputRate, "inputRate");
    assertResamplerRate(outputRate, "outputRate");
    // Bounded as every frame is (`_frame_limits.ts`): each channel gets its own filter history,
    // so a million of them made the constructor allocate for over a minute instead of refusing.
    if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
      throw new RangeError(
        `channels must be an integer from 1 to ${MAX_CHANNELS}, got ${shownValue(channels)}`,
      );
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
      if (ELLIPTIC_K.includes(Math.max(up, down))) {
        this.#core = new PolyphaseResampler(ellipticFilter(up, down), {
          channels,
          exactLength: true,
        });
      } else {
        this.#core = kaiserPath(inputRate, outputRate, channels);
      }
    }
  }

  /**
   * Feeds `input` (interleaved, a whole number of frames; a `RangeError` otherwise) and returns
   * the output frames that are now complete, in a new array the caller owns; with equal rates,
   * `input` itself. The array may share its `ArrayBuffer` with earlier outputs, other sessions'
   * among them (they are cut from shared slabs, which is 20× cheaper than allocating each): hand
   * on the array, never its `buffer`, and `slice()` it before transferring or detaching its
   * buffer. Or give `allocate`, which makes the output array (a fresh, zeroed one of the length it
   * is given, in samples): a session's own slab, say, so that its frames hold none of another's.
   */
  process(
    input: Int16Array,
    allocate: (length: number) => Int16Array = newInt16Array,
  ): Int16Array {
    const channels = this.channels;
    if (input.length % channels !== 0) {
      throw new RangeError(
        `input.length must be a multiple of channels (${channels}), got ${input.length}`,
      );
    }
    return this.#core === null ? input : this.#core.process(input, allocate);
  }

  /**
   * Ends the stream: returns the frames the filter held back (the input padded with silence), so
   * the stream's output has exactly `round(inputFrames × outputRate / inputRate)` frames, then
   * resets for a new stream. `allocate`: as in {@linkcode Resampler.process}.
   */
  flush(allocate: (length: number) => Int16Array = newInt16Array): Int16Array {
    return this.#core === null ? new Int16Array(0) : this.#core.flush(allocate);
  }

  /** Forgets all input and filter state (e.g. on interruption); the next sample starts a stream. */
  reset(): void {
    this.#core?.reset();
  }
}
