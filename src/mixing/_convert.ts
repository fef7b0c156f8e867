/**
 * Bringing background audio to the outbound format: channel mapping and resampling, checked
 * first so a mismatch is refused with an error that names it.
 *
 * @module
 */

import type { PcmFormat } from "../audio/pcm.ts";
import { Resampler, RESAMPLER_RATES } from "../audio/resampler.ts";

/**
 * Throws a `RangeError` (rate) or `TypeError` (channels) naming the mismatch unless audio of
 * `from` can be brought to `to`: equal rates or two rates the resampler knows, and equal channel
 * counts or one side mono.
 */
export function assertConvertible(from: PcmFormat, to: PcmFormat): void {
  if (
    from.sampleRate !== to.sampleRate &&
    (!RESAMPLER_RATES.includes(from.sampleRate) || !RESAMPLER_RATES.includes(to.sampleRate))
  ) {
    throw new RangeError(
      `BackgroundAudio: the source's ${from.sampleRate} Hz cannot be resampled to the ` +
        `transport's ${to.sampleRate} Hz (rates: ${RESAMPLER_RATES.join(", ")})`,
    );
  }
  if (from.channels !== to.channels && from.channels !== 1 && to.channels !== 1) {
    throw new TypeError(
      `BackgroundAudio: the source's ${from.channels} channels cannot be mapped to the ` +
        `transport's ${to.channels} (equal counts, or one of them mono)`,
    );
  }
}

/** Interleaved frames of `from` channels as `to` channels: mono spread, or channels averaged. */
export function mapChannels(samples: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return samples;
  const frames = Math.floor(samples.length / from);
  const out = new Int16Array(frames * to);
  if (from === 1) {
    for (let f = 0, o = 0; f < frames; f++) {
      const s = samples[f]!;
      for (let c = 0; c < to; c++) out[o++] = s;
    }
  } else {
    for (let f = 0, i = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < from; c++) sum += samples[i++]!;
      out[f] = Math.round(sum / from);
    }
  }
  return out;
}

/** A stream's conversion: a resampler kept across pieces, then the channel mapping. */
export class StreamConverter {
  readonly #to: PcmFormat;
  #from: PcmFormat | undefined;
  #resampler: Resampler | undefined;

  /** Converts to `to`. */
  constructor(to: PcmFormat) {
    this.#to = to;
  }

  /**
   * The next piece of a stream in format `from`, converted (a piece in a new format restarts the
   * resampler). Throws as {@linkcode assertConvertible} does.
   */
  convert(samples: Int16Array, from: PcmFormat): Int16Array {
    const to = this.#to;
    let before: Int16Array | undefined;
    if (from.sampleRate !== this.#from?.sampleRate || from.channels !== this.#from.channels) {
      assertConvertible(from, to);
      // The old format's last samples, which its resampler held back, come before the new one's.
      before = this.flush();
      this.#from = { ...from };
      this.#resampler = from.sampleRate === to.sampleRate ? undefined : new Resampler({
        inputRate: from.sampleRate,
        outputRate: to.sampleRate,
        channels: from.channels,
      });
    }
    const resampled = this.#resampler?.process(samples) ?? samples;
    const converted = mapChannels(resampled, from.channels, to.channels);
    if (before === undefined || before.length === 0) return converted;
    // Deliberate copy, once per change of format: the two are one piece of the stream.
    const joined = new Int16Array(before.length + converted.length);
    joined.set(before);
    joined.set(converted, before.length);
    return joined;
  }

  /**
   * The stream (or its stretch in one format) has ended: what the resampler held back of its last
   * samples (its filter's delay: up to 2.3 ms, 0.25–0.7 ms from or to 8 kHz), converted. Without
   * it the stream's end was cut that much short. Empty when nothing was resampled.
   */
  flush(): Int16Array {
    const from = this.#from, resampler = this.#resampler;
    if (from === undefined || resampler === undefined) return new Int16Array(0);
    return mapChannels(resampler.flush(), from.channels, this.#to.channels);
  }
}

/** A converted track: pieces of samples (interleaved) that play one after the other. */
export type TrackPieces = readonly Int16Array[];

/** Converted tracks, per source, target format and looping: sessions playing one share them. */
const loops = new WeakMap<object, Map<string, TrackPieces>>();

/**
 * A whole track in format `to`, made once per source (`key`: the caller's own object), format and
 * `loop`; the same track made the other way (looped, or played once) already, the two share every
 * stretch where their samples are the same (see {@linkcode sharedWith}). A looped one is
 * resampled as a loop (the filter sees the end running into the start, so the seam has no edge),
 * as many passes of it as go round on a whole sample (see {@linkcode passesOf});
 * one played once (`loop` false) between silences, as it plays (resampled as a loop, its first
 * milliseconds rang with its own end, which never plays before it: a track ending loud began with
 * a click 25 dB under that level, 48 → 8 kHz).
 */
export function convertLoop(
  key: object,
  samples: Int16Array,
  from: PcmFormat,
  to: PcmFormat,
  loop = true,
): TrackPieces {
  assertConvertible(from, to);
  // Without resampling, played once or looped, the samples are the same: one copy for both.
  const once = !loop && from.sampleRate !== to.sampleRate;
  const looped = `${from.sampleRate}/${from.channels}>${to.sampleRate}/${to.channels}`;
  const format = once ? `${looped} once` : looped;
  let converted = loops.get(key);
  const cached = converted?.get(format);
  if (cached !== undefined) return cached;
  let pieces: TrackPieces;
  if (from.sampleRate === to.sampleRate) {
    pieces = [mapChannels(samples, from.channels, to.channels)];
  } else {
    const resampled = resampleLoop(samples, from, to.sampleRate, loop);
    const own = mapChannels(resampled, from.channels, to.channels);
    const other = converted?.get(once ? looped : `${looped} once`);
    // The other way was made first, whole (one piece): this one takes what they have in common.
    pieces = other?.length === 1 ? sharedWith(own, other[0]!, to.channels) : [own];
  }
  if (converted === undefined) loops.set(key, converted = new Map());
  converted.set(format, pieces);
  return pieces;
}

/**
 * `own` as pieces that take from `other` (the same track converted the other way: looped, or
 * played once) the stretch where the two are the same, sample for sample: all but their first
 * 2–31 ms (looped, they ring with the track's end; played once, they start from silence) and last
 * 0.1–1.2 ms (measured, every pair of rates). Only `own`'s two ends are kept, copied; held twice,
 * a 30 s track at 48 kHz stereo was 5.8 MB more for the process.
 */
function sharedWith(own: Int16Array, other: Int16Array, channels: number): Int16Array[] {
  const length = own.length;
  if (other.length !== length) return [own];
  const half = length >> 1;
  let head = 0, tail = length;
  for (let i = 0; i < half; i++) if (own[i] !== other[i]) head = i + 1;
  for (let i = length - 1; i >= half; i--) if (own[i] !== other[i]) tail = i;
  // Whole sample frames in each piece: the mix takes a piece a frame at a time.
  head = Math.ceil(head / channels) * channels;
  tail = Math.floor(tail / channels) * channels;
  if (tail <= head) return [own];
  // Deliberate copies of the ends (milliseconds of audio), so the rest of `own` is let go.
  const pieces = [other.subarray(head, tail)];
  if (head > 0) pieces.unshift(own.slice(0, head));
  if (tail < length) pieces.push(own.slice(tail));
  return pieces;
}

/**
 * How long the loop's own end runs into the filter before the part kept, in samples of the lower
 * rate (the elliptic filters' recursion runs there, or at twice it). Their response to a
 * full-scale impulse falls under half a step of 16 bits within 280 of them (35 ms at 8 kHz, for
 * 48 → 8 kHz); a loop is a sum of such impulses, whose tails add up: after 1,024 the seam is what
 * the loop resampled as a stream would be, within one step of 16 bits, for every pair of rates.
 * (256 input frames were 43 samples at 8 kHz from 48 kHz: each pass of the loop began with a 20 ms
 * transient, a click.) The cost: a 30 s track is converted with at most 2 × 128 ms more (at 8 kHz),
 * under 1 % more.
 */
const WARM_UP_LOW_FRAMES = 1024;

/**
 * The most samples a channel of a loop unrolled to whole samples is (see {@linkcode passesOf}):
 * 2^18, 33 s at 8 kHz, 512 KiB a channel, held once per track object and format.
 */
const MAX_UNROLLED_FRAMES = 1 << 18;

/**
 * How many passes of a loop of `frames` frames at `inputRate` make a whole number of samples at
 * `outputRate`: the loop is resampled as that many, so that it goes round on a sample. One pass
 * of a length that is none (a 44.1 kHz loop at 8 kHz that is not a multiple of 10 ms) was cut to
 * the nearest sample, and each seam jumped by up to half of one (0.48 of one: a 1 kHz tone 0.37 of
 * its amplitude off for the whole pass after it, against the loop resampled as a stream): a click
 * at every seam.
 * 1 where those passes would be longer than {@linkcode MAX_UNROLLED_FRAMES}: a long loop keeps a
 * jump under half a sample, once a pass. 1 for a loop that is no sample at all at `outputRate`:
 * nothing is left of it, and it is refused as it was (see `BackgroundAudio.attach`).
 */
function passesOf(frames: number, inputRate: number, outputRate: number): number {
  const pass = (frames * outputRate) / inputRate;
  if (Math.round(pass) === 0) return 1;
  // A pass is frames × p / q samples (p / q: the two rates' ratio, reduced), whole when q divides
  // `frames`: after q / gcd(frames, q) passes.
  const q = inputRate / gcd(inputRate, outputRate);
  const passes = q / gcd(frames, q);
  return passes * pass <= MAX_UNROLLED_FRAMES ? passes : 1;
}

function resampleLoop(
  samples: Int16Array,
  from: PcmFormat,
  outputRate: number,
  loop: boolean,
): Int16Array {
  const channels = from.channels;
  const trackFrames = samples.length / channels;
  const frames = trackFrames * (loop ? passesOf(trackFrames, from.sampleRate, outputRate) : 1);
  // The loop with its own end before it and its own start after it, however short it is (after
  // it, the filter's delay would do; the same length keeps it simple); a track played once with
  // silence there, as it plays. The lead-in is a whole number of steps of the two rates' common
  // grid, so the track starts on an output sample: else the whole track came a fraction of a
  // sample late (0.4 of one from 8 to 22.05 kHz).
  const lowRate = Math.min(from.sampleRate, outputRate);
  const step = from.sampleRate / gcd(from.sampleRate, outputRate);
  const wrap = Math.ceil((WARM_UP_LOW_FRAMES * from.sampleRate) / lowRate / step) * step;
  const padded = new Int16Array((frames + 2 * wrap) * channels);
  if (!loop) padded.set(samples, wrap * channels);
  for (let f = -wrap; loop && f < frames + wrap; f++) {
    const source = ((f % trackFrames) + trackFrames) % trackFrames;
    for (let c = 0; c < channels; c++) {
      padded[(f + wrap) * channels + c] = samples[source * channels + c]!;
    }
  }
  const resampler = new Resampler({ inputRate: from.sampleRate, outputRate, channels });
  const head = resampler.process(padded);
  const tail = resampler.flush();
  const all = new Int16Array(head.length + tail.length);
  all.set(head);
  all.set(tail, head.length);
  const ratio = outputRate / from.sampleRate;
  const start = Math.round(wrap * ratio);
  const end = Math.round((wrap + frames) * ratio);
  return all.slice(start * channels, end * channels);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
