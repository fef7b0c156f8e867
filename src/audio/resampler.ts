/**
 * A streaming PCM16 sample-rate converter for the rates voice pipelines meet: 8, 16, 22.05, 24,
 * 44.1 and 48 kHz. It delays audio by 20 samples of the lower rate (2.5 ms when 8 kHz is
 * involved); see {@linkcode Resampler} for the filter, the latency and the output length.
 *
 * @module
 */

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

// Filter design, relative to the Nyquist frequency of the lower of the two rates: flat up to
// PASSBAND of it, STOPBAND_DB down from it on (so nothing aliases or images at all), a
// Kaiser-windowed sinc in between. 0.8 keeps 8 kHz telephony flat to 3.2 kHz (−0.9 dB at 3.4 kHz)
// and the filter short (40 taps at the lower rate): the cost per output sample is the tap count,
// and 8 kHz ⇄ 16/24 kHz must run well beyond 1,000× real time in plain JavaScript.
const PASSBAND = 0.8;
const STOPBAND_DB = 65;

/** One conversion ratio's polyphase table, shared by every `Resampler` with that ratio. */
interface PolyphaseFilter {
  /** Output samples per `down` input samples (the reduced ratio's numerator). */
  readonly up: number;
  /** Input samples per `up` output samples. */
  readonly down: number;
  /** Taps per phase, in input samples; a multiple of 4 (the dot product is unrolled by 4). */
  readonly taps: number;
  /** `up` phases of `taps` coefficients each, phase-major. */
  readonly coefficients: Float32Array;
}

const filters = new Map<number, PolyphaseFilter>();

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

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

/** Designs, once per ratio, the Kaiser-windowed sinc sampled at every phase of the ratio. */
function polyphaseFilter(inputRate: number, outputRate: number): PolyphaseFilter {
  const key = inputRate * 1e6 + outputRate;
  const cached = filters.get(key);
  if (cached) return cached;

  const divisor = gcd(inputRate, outputRate);
  const up = outputRate / divisor;
  const down = inputRate / divisor;
  const nyquist = Math.min(inputRate, outputRate) / 2;
  // Frequencies in cycles per input sample.
  const cutoff = ((1 + PASSBAND) / 2) * nyquist / inputRate;
  const transition = (1 - PASSBAND) * nyquist / inputRate;
  const length = (STOPBAND_DB - 7.95) / (2.285 * 2 * Math.PI * transition) + 1;
  const taps = Math.round(length / 4) * 4;
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  const half = taps / 2;
  const norm = besselI0(beta);

  const coefficients = new Float32Array(up * taps);
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
  const filter: PolyphaseFilter = { up, down, taps, coefficients };
  filters.set(key, filter);
  return filter;
}

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
 * **Filter.** A polyphase Kaiser-windowed-sinc FIR at the reduced ratio of the two rates (e.g.
 * 147/160 for 48 → 44.1 kHz), its phase tables computed once per ratio and shared by every
 * instance. Relative to the Nyquist frequency of the lower rate it is flat (±0.005 dB) up to
 * 80 %, −0.9 dB at 85 %, −6 dB at 90 % and 65 dB down (by design; ≥ 64 dB measured) from 100 %
 * on: no aliasing when going down, no images when going up. Its impulse response spans 40
 * samples of the lower rate. The output is aligned with the input (linear phase, no time shift).
 *
 * **Latency.** An output sample needs inputs up to 20 samples of the lower rate after it, so
 * `process()` holds back that much audio until more input (or `flush()`) arrives: 2.5 ms when
 * 8 kHz is involved, 1.25 ms at 16 kHz, 0.91 ms at 22.05 kHz, 0.83 ms at 24 kHz, 0.45 ms at
 * 44.1 kHz. That is the whole delay the resampler adds.
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

  readonly #filter: PolyphaseFilter | null;
  /** Per channel: input samples as floats, from the oldest one the next output needs. */
  #history: Float32Array[] = [];
  /** Valid samples in each history buffer. */
  #length = 0;
  /** History index of the first tap of the next output. */
  #start = 0;
  /** Filter phase (0 ≤ phase < up) of the next output. */
  #phase = 0;
  /** Input frames and output frames of the current stream. */
  #inputFrames = 0;
  #outputFrames = 0;

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
    this.#filter = inputRate === outputRate ? null : polyphaseFilter(inputRate, outputRate);
    if (this.#filter) {
      for (let c = 0; c < channels; c++) {
        this.#history.push(new Float32Array(this.#filter.taps + 4096));
      }
      this.reset();
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
    const filter = this.#filter;
    if (!filter) return input;
    const frames = input.length / channels;
    this.#append(frames);
    for (let c = 0; c < channels; c++) {
      const history = this.#history[c]!;
      // Deinterleave into float history: the dot products then run over contiguous memory.
      for (let i = 0, j = c, at = this.#length; i < frames; i++, j += channels) {
        history[at + i] = input[j]!;
      }
    }
    this.#length += frames;
    this.#inputFrames += frames;
    return this.#run(this.#ready());
  }

  /**
   * Ends the stream: returns the frames the filter held back (the input padded with silence), so
   * the stream's output has exactly `round(inputFrames × outputRate / inputRate)` frames, then
   * resets for a new stream.
   */
  flush(): Int16Array {
    const filter = this.#filter;
    if (!filter) return new Int16Array(0);
    const total = Math.floor(
      (2 * this.#inputFrames * filter.up + filter.down) / (2 * filter.down),
    );
    // Half a filter of silence after the last sample completes every output up to `total`.
    const pad = filter.taps / 2;
    this.#append(pad);
    for (const history of this.#history) history.fill(0, this.#length, this.#length + pad);
    this.#length += pad;
    const out = this.#run(Math.min(total - this.#outputFrames, this.#ready()));
    this.reset();
    return out;
  }

  /** Forgets all input and filter state (e.g. on interruption); the next sample starts a stream. */
  reset(): void {
    const filter = this.#filter;
    if (!filter) return;
    // The stream starts after silence: the first output's taps reach half a filter back.
    this.#length = filter.taps / 2 - 1;
    for (const history of this.#history) history.fill(0, 0, this.#length);
    this.#start = 0;
    this.#phase = 0;
    this.#inputFrames = 0;
    this.#outputFrames = 0;
  }

  /** Drops history no output needs any more and makes room for `frames` more samples. */
  #append(frames: number): void {
    const start = this.#start;
    const kept = this.#length - start;
    const needed = kept + frames;
    for (let c = 0; c < this.channels; c++) {
      const history = this.#history[c]!;
      if (needed > history.length) {
        // Deliberate copy: a chunk bigger than any before needs a bigger buffer (amortized).
        const grown = new Float32Array(Math.max(needed, 2 * history.length));
        grown.set(history.subarray(start, this.#length));
        this.#history[c] = grown;
      } else if (start > 0) {
        history.copyWithin(0, start, this.#length);
      }
    }
    this.#length = kept;
    this.#start = 0;
  }

  /** How many outputs the history now holds every tap for. */
  #ready(): number {
    const { up, down, taps } = this.#filter!;
    // Output j's first tap is at floor((start·up + phase + j·down) / up); its last must be < length.
    const room = (this.#length - taps + 1) * up - (this.#start * up + this.#phase);
    return room > 0 ? Math.floor((room + down - 1) / down) : 0;
  }

  /** Computes the next `count` output frames, interleaved. */
  #run(count: number): Int16Array {
    const { up, down, taps, coefficients } = this.#filter!;
    const channels = this.channels;
    const out = new Int16Array(count * channels);
    const step = Math.floor(down / up);
    const carry = down % up;
    // Small ratios (up ≤ 8: every pair among 8, 16, 24 and 48 kHz, and 22.05 ⇄ 44.1 kHz) compute
    // four outputs of the same phase per pass, so each coefficient is loaded once for four
    // products. Every output of such a ratio, blocked or not, sums its taps in the same order, so
    // any chunking gives bit-identical results.
    const block = up <= 8 && taps % down === 0 ? 4 * up : 0;
    let start = this.#start;
    let phase = this.#phase;
    for (let c = 0; c < channels; c++) {
      const x = this.#history[c]!;
      start = this.#start;
      phase = this.#phase;
      let j = 0;
      if (block > 0) {
        for (; j + block <= count; j += block) {
          for (let r = 0, s = start, p = phase; r < up; r++) {
            const h = p * taps;
            let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            // Tap k of output q reads x[s + q·down + k]. Taken in the order k = m, m + down,
            // m + 2·down, … for each m < down, the four outputs walk one sequence of stride
            // `down`, each one element ahead of the previous: every input sample is loaded once
            // and passed along, so a pass costs two loads for four products.
            for (let m = 0; m < down; m++) {
              let i = s + m;
              let x0 = x[i]!, x1 = x[i + down]!, x2 = x[i + 2 * down]!;
              i += 3 * down;
              for (let k = h + m, end = h + taps; k < end; k += down, i += down) {
                const ck = coefficients[k]!;
                const x3 = x[i]!;
                a0 += ck * x0;
                a1 += ck * x1;
                a2 += ck * x2;
                a3 += ck * x3;
                x0 = x1;
                x1 = x2;
                x2 = x3;
              }
            }
            const o = (j + r) * channels + c;
            const stride = up * channels;
            out[o] = clamp(Math.round(a0));
            out[o + stride] = clamp(Math.round(a1));
            out[o + 2 * stride] = clamp(Math.round(a2));
            out[o + 3 * stride] = clamp(Math.round(a3));
            s += step;
            p += carry;
            if (p >= up) {
              p -= up;
              s++;
            }
          }
          // `up` outputs advance exactly `down` input samples and return to the same phase.
          start += 4 * down;
        }
        for (; j < count; j++) {
          let a = 0;
          for (let m = 0, h = phase * taps; m < down; m++) {
            for (let k = h + m, end = h + taps, i = start + m; k < end; k += down, i += down) {
              a += coefficients[k]! * x[i]!;
            }
          }
          out[j * channels + c] = clamp(Math.round(a));
          start += step;
          phase += carry;
          if (phase >= up) {
            phase -= up;
            start++;
          }
        }
      } else {
        for (let o = c; j < count; j++, o += channels) {
          const h = phase * taps;
          // Four partial sums break the add dependency chain; the order is fixed, so any
          // chunking gives bit-identical results.
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          for (let k = h, end = h + taps, s = start; k < end; k += 4, s += 4) {
            a0 += coefficients[k]! * x[s]!;
            a1 += coefficients[k + 1]! * x[s + 1]!;
            a2 += coefficients[k + 2]! * x[s + 2]!;
            a3 += coefficients[k + 3]! * x[s + 3]!;
          }
          out[o] = clamp(Math.round(a0 + a1 + (a2 + a3)));
          start += step;
          phase += carry;
          if (phase >= up) {
            phase -= up;
            start++;
          }
        }
      }
    }
    this.#start = start;
    this.#phase = phase;
    this.#outputFrames += count;
    return out;
  }
}

function clamp(sample: number): number {
  return sample > 32767 ? 32767 : sample < -32768 ? -32768 : sample;
}
