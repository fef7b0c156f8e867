/**
 * The call's recording: what the caller said on the left channel, what the caller heard on the
 * right, on one timeline, as a stereo WAV file.
 *
 * @module
 */

import { kindOf, shownValue } from "../_kind_of.ts";
import { Resampler } from "../audio/resampler.ts";
import { assertResamplerRate } from "../audio/_resampler_rates.ts";
import { writeStereoWav } from "./_wav_file.ts";

/**
 * Options for {@linkcode CallRecorder}: two rates alike (any), or two of `RESAMPLER_RATES` (the
 * lower is resampled to the higher).
 */
export interface CallRecorderOptions {
  /** The rate of the caller's audio (what `said` is given). */
  callerRate: number;
  /** The rate of the played audio (what `heard` is given). */
  heardRate: number;
}

/**
 * Throws a `RangeError` naming the rate that cannot be recorded: no positive integer (a rate of 0
 * made every time NaN), or, where the two differ, one the resampler does not take (it was named
 * as the resampler's `inputRate` or `outputRate`, not as the option given).
 */
function checkRates({ callerRate, heardRate }: CallRecorderOptions): void {
  for (const [name, rate] of [["callerRate", callerRate], ["heardRate", heardRate]] as const) {
    if (!Number.isInteger(rate) || rate <= 0) {
      const got = shownValue(rate);
      throw new RangeError(`${name} must be a positive integer, got ${got}`);
    }
  }
  if (callerRate === heardRate) return;
  const why = " when the two rates differ (the lower is resampled to the higher)";
  assertResamplerRate(callerRate, "callerRate", why);
  assertResamplerRate(heardRate, "heardRate", why);
}

/** One channel, growing as audio is written. */
class Track {
  samples = new Int16Array(16_000);
  length = 0;
  readonly #resampler: Resampler | null;

  constructor(from: number, to: number) {
    this.#resampler = from === to ? null : new Resampler({ inputRate: from, outputRate: to });
  }

  write(input: Int16Array): void {
    const samples = this.#resampler ? this.#resampler.process(input) : input;
    if (this.length + samples.length > this.samples.length) {
      const grown = new Int16Array(Math.max(this.samples.length * 2, this.length + samples.length));
      grown.set(this.samples.subarray(0, this.length));
      this.samples = grown;
    }
    this.samples.set(samples, this.length);
    this.length += samples.length;
  }

  pad(count: number): void {
    if (count > 0) this.write(new Int16Array(count));
  }
}

/**
 * Records a simulated call as the caller lived it: the left channel is what the caller said (as
 * sent, from the moment it was sent), the right what the caller heard (the far end's speaker:
 * audio as it played, silence in gaps, nothing of what a clear dropped). Both are kept at the
 * higher of the two rates.
 *
 * @example Two seconds of a call
 * ```ts
 * import { CallRecorder } from "@x/ws-transport/simulator";
 * import assert from "node:assert/strict";
 *
 * const recorder = new CallRecorder({ callerRate: 8000, heardRate: 8000 });
 * recorder.said(new Int16Array(8000).fill(500), 0); // the caller's first second
 * recorder.heard(8000); // a second of silence…
 * recorder.heard(new Int16Array(8000).fill(-500)); // …then a second of the bot
 * const wav = recorder.toWav();
 * assert.equal(wav.length, 44 + 16000 * 4); // stereo, 16-bit, 2 s
 * ```
 */
export class CallRecorder {
  /** The recording's sample rate. */
  readonly sampleRate: number;
  readonly #said: Track;
  readonly #heard: Track;
  readonly #callerRate: number;

  /** Makes an empty recording; see {@linkcode CallRecorderOptions}. */
  constructor(options: CallRecorderOptions) {
    // Without a type checker, no options failed as a destructuring of undefined, naming nothing.
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `CallRecorder options must be { callerRate, heardRate }, got ${kindOf(options)}`,
      );
    }
    checkRates(options);
    this.sampleRate = Math.max(options.callerRate, options.heardRate);
    this.#callerRate = options.callerRate;
    this.#said = new Track(options.callerRate, this.sampleRate);
    this.#heard = new Track(options.heardRate, this.sampleRate);
  }

  /** Adds caller audio that starts at `atMs` of the call (silence fills any time before it). */
  said(samples: Int16Array, atMs: number): void {
    const due = Math.round((atMs * this.#callerRate) / 1000);
    const written = Math.round((this.#said.length * this.#callerRate) / this.sampleRate);
    this.#said.pad(due - written);
    this.#said.write(samples);
  }

  /** Adds what the caller's speaker played next: samples, or a count of silent samples. */
  heard(played: Int16Array | number): void {
    if (typeof played === "number") this.#heard.pad(played);
    else this.#heard.write(played);
  }

  /** The recording as a 16-bit stereo WAV file (left: said, right: heard). */
  toWav(): Uint8Array {
    return writeStereoWav(
      this.#said.samples.subarray(0, this.#said.length),
      this.#heard.samples.subarray(0, this.#heard.length),
      this.sampleRate,
    );
  }
}
