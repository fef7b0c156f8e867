/**
 * What the simulated caller says: a WAV file or a PCM16 stream, turned into mono samples at the
 * platform's rate and read out one frame at a time.
 *
 * @module
 */

import { kindOf } from "../_kind_of.ts";
import { concatBytes } from "../audio/_concat_bytes.ts";
import { Resampler, RESAMPLER_RATES } from "../audio/resampler.ts";
import { assertResamplerRate } from "../audio/_resampler_rates.ts";
import { assertSpeechSegments } from "./_speech_segments.ts";
import { readWav } from "./_wav_file.ts";

/** A stretch of the caller's audio that holds speech, in milliseconds from its start. */
export interface SpeechSegment {
  /** Where the speech starts. */
  startMs: number;
  /** Where it ends. */
  endMs: number;
}

/** Raw PCM16 little-endian audio for the caller, whole or as a stream. */
export interface CallerPcm {
  /** The samples, interleaved when `channels` > 1. */
  pcm: Uint8Array | ReadableStream<Uint8Array>;
  /** Samples per second (8000, 16000, 22050, 24000, 44100 or 48000 unless it is the platform's). */
  sampleRate: number;
  /**
   * Interleaved channels; mixed down to mono.
   *
   * @default {1}
   */
  channels?: number;
  /**
   * Where the speech is, when known (else the simulator finds it by its energy): one segment an
   * utterance, none overlapping.
   */
  speechSegments?: SpeechSegment[];
}

/** The caller's audio: the bytes of a WAV file, or raw PCM. */
export type CallerAudioSource = Uint8Array | CallerPcm;

/** Options for {@linkcode CallerAudio}. */
export interface CallerAudioOptions {
  /** The sample rate to deliver (the platform's). */
  sampleRate: number;
}

/**
 * The caller's audio as mono PCM16 at the platform's rate, read frame by frame: a WAV file
 * (PCM of any depth, float, μ-law or A-law, any channel count) or PCM16 bytes or a stream of them,
 * resampled once (a file) or as it arrives (a stream). Past the end it reads silence, as a caller
 * who stopped talking still sends audio.
 *
 * @example A 24 kHz WAV read as 8 kHz telephony frames
 * ```ts
 * import { CallerAudio } from "@x/ws-transport/simulator";
 * import { wrapWav } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * const wav = wrapWav(new Uint8Array(24000 * 2), { sampleRate: 24000, channels: 1 }); // 1 s
 * const audio = new CallerAudio(wav, { sampleRate: 8000 });
 * assert.equal(audio.durationMs, 1000);
 * const frame = await audio.read(160); // 20 ms
 * assert.equal(frame.length, 160);
 * ```
 */
export class CallerAudio {
  /** The delivered sample rate. */
  readonly sampleRate: number;
  /** The speech segments given with the audio, if any. */
  readonly speechSegments: SpeechSegment[] | undefined;
  #samples: Int16Array = new Int16Array(0);
  #at = 0;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #stream: { resampler: Resampler | null; channels: number; carry: Uint8Array } | undefined;
  #streamDone = true;
  #pulling: Promise<void> | undefined;

  /** Decodes `source` (a WAV file's bytes or PCM); throws a `TypeError`/`RangeError` naming what is wrong. */
  constructor(source: CallerAudioSource, options: CallerAudioOptions) {
    // Every source is resampled to it, or read at it: a rate the resampler does not make was
    // named as its `outputRate`, not as this option (and a WAV file at that rate was refused).
    assertResamplerRate(options.sampleRate, "sampleRate");
    this.sampleRate = options.sampleRate;
    if (source instanceof Uint8Array) {
      const wav = readWav(source);
      assertReadableRate(wav.sampleRate, "the WAV file's");
      this.#samples = resampleAll(wav.samples, wav.sampleRate, this.sampleRate);
      this.speechSegments = undefined;
      return;
    }
    const channels = source.channels ?? 1;
    if (!Number.isInteger(channels) || channels < 1) {
      throw new RangeError(`channels must be a positive integer, got ${channels}`);
    }
    // Checked as `simulateCall`'s own `speechSegments` are: the report's utterances come from them.
    if (source.speechSegments) {
      assertSpeechSegments(source.speechSegments, "the audio's speechSegments");
    }
    this.speechSegments = source.speechSegments;
    assertReadableRate(source.sampleRate, "the audio's");
    if (source.pcm instanceof Uint8Array) {
      const samples = mixDown(source.pcm, channels);
      this.#samples = resampleAll(samples, source.sampleRate, this.sampleRate);
    } else {
      this.#reader = source.pcm.getReader();
      this.#streamDone = false;
      this.#stream = {
        resampler: source.sampleRate === this.sampleRate
          ? null
          : new Resampler({ inputRate: source.sampleRate, outputRate: this.sampleRate }),
        channels,
        carry: new Uint8Array(0),
      };
    }
  }

  /** The audio's length in milliseconds; `undefined` for a stream (not known in advance). */
  get durationMs(): number | undefined {
    return this.#reader ? undefined : (this.#samples.length * 1000) / this.sampleRate;
  }

  /**
   * All of the audio from its start, read or not, in a new array: a WAV file's or whole PCM's;
   * `undefined` for a stream, whose samples are let go once read and whose rest is not known
   * until it comes. A call the bot ended early finds in it what the caller never got to say.
   */
  whole(): Int16Array | undefined {
    // Deliberate copy: the reads go on from the same samples, which are not the caller's to change.
    return this.#reader ? undefined : this.#samples.slice();
  }

  /** Whether every sample of the source has been read (what follows is silence). */
  get ended(): boolean {
    return this.#streamDone && this.#at >= this.#samples.length;
  }

  /**
   * Whether the next `count` samples can be read without waiting on the stream (past the end,
   * silence can always be read).
   */
  ready(count: number): boolean {
    return this.#streamDone || this.#samples.length - this.#at >= count;
  }

  /** The next `count` samples (silence past the end), in a new array, once the stream has them. */
  read(count: number): Promise<Int16Array>;
  /**
   * The next `count` samples (silence past the end), in a new array; `null` when `signal` aborts
   * before the stream has brought them: nothing is consumed then, and what the stream brings later
   * is kept for the next read (late, never lost).
   */
  read(count: number, signal: AbortSignal): Promise<Int16Array | null>;
  async read(count: number, signal?: AbortSignal): Promise<Int16Array | null> {
    while (!this.ready(count)) {
      if (signal?.aborted) return null;
      await (signal ? pulledOrAborted(this.#pulled(), signal) : this.#pulled());
    }
    const out = new Int16Array(count);
    out.set(this.#samples.subarray(this.#at, this.#at + count));
    this.#at = Math.min(this.#samples.length, this.#at + count);
    return out;
  }

  /**
   * Stops reading a stream source (the call ended). It does not wait for the source's own cancel:
   * one that never settles would hold the call's report for ever.
   */
  cancel(): void {
    this.#streamDone = true;
    this.#reader?.cancel().catch(() => {/* already errored: nothing left to release */});
  }

  /**
   * The pull under way, or a new one. One at a time: a read given up on leaves its pull to the
   * next read, so a chunk that comes late is merged once, in order.
   */
  #pulled(): Promise<void> {
    return this.#pulling ??= this.#pull().finally(() => (this.#pulling = undefined));
  }

  async #pull(): Promise<void> {
    const stream = this.#stream!;
    const { value, done } = await this.#reader!.read();
    let fresh: Int16Array;
    if (done) {
      this.#streamDone = true;
      fresh = stream.resampler?.flush() ?? new Int16Array(0);
    } else {
      if (!(value instanceof Uint8Array)) {
        // Another kind failed in the byte handling below, naming nothing (`bytes.subarray is not
        // a function`): the call ends as an error that says what the stream gave.
        throw new TypeError(
          `the caller's audio stream gave ${kindOf(value)}, not a Uint8Array of PCM16 bytes`,
        );
      }
      // Keep a partial sample frame for the next chunk: chunk edges need not fall on samples.
      const bytes = concatBytes(stream.carry, value);
      const whole = bytes.length - (bytes.length % (2 * stream.channels));
      stream.carry = bytes.slice(whole);
      const mono = mixDown(bytes.subarray(0, whole), stream.channels);
      fresh = stream.resampler ? stream.resampler.process(mono) : mono;
    }
    // Deliberate copy: the unread rest and the fresh samples become one buffer.
    const rest = this.#samples.subarray(this.#at);
    const merged = new Int16Array(rest.length + fresh.length);
    merged.set(rest);
    merged.set(fresh, rest.length);
    this.#samples = merged;
    this.#at = 0;
  }
}

/**
 * Settles as `pulled` does, or resolves when `signal` aborts first; the listener goes either way:
 * reads sharing one signal would otherwise leave one on it per wait.
 */
function pulledOrAborted(pulled: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve();
    signal.addEventListener("abort", onAbort, { once: true });
    pulled.finally(() => signal.removeEventListener("abort", onAbort)).then(resolve, reject);
  });
}

function resampleAll(samples: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return samples;
  const resampler = new Resampler({ inputRate: from, outputRate: to });
  const body = resampler.process(samples);
  const tail = resampler.flush();
  const out = new Int16Array(body.length + tail.length);
  out.set(body);
  out.set(tail, body.length);
  return out;
}

function mixDown(bytes: Uint8Array, channels: number): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames = Math.floor(bytes.length / (2 * channels));
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += view.getInt16((i * channels + c) * 2, true);
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/** The caller's audio must be at a rate the resampler converts from (or already the far end's). */
function assertReadableRate(rate: number, what: string): void {
  if (RESAMPLER_RATES.includes(rate)) return;
  throw new RangeError(
    `${what} rate is ${rate} Hz: the simulator reads ${RESAMPLER_RATES.join(", ")} Hz ` +
      `(convert it first, e.g. sox in.wav -r 16000 out.wav)`,
  );
}
