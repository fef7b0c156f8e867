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
    if (from.sampleRate !== this.#from?.sampleRate || from.channels !== this.#from.channels) {
      assertConvertible(from, to);
      this.#from = { ...from };
      this.#resampler = from.sampleRate === to.sampleRate ? undefined : new Resampler({
        inputRate: from.sampleRate,
        outputRate: to.sampleRate,
        channels: from.channels,
      });
    }
    const resampled = this.#resampler?.process(samples) ?? samples;
    return mapChannels(resampled, from.channels, to.channels);
  }
}

/** Converted loops, per source and target format: sessions playing one track share them. */
const loops = new WeakMap<object, Map<string, Int16Array>>();

/**
 * A looped track in format `to`, resampled as a loop (the filter sees the end running into the
 * start, so the seam has no edge), made once per source (`key`: the caller's own object) and
 * format.
 */
export function convertLoop(
  key: object,
  samples: Int16Array,
  from: PcmFormat,
  to: PcmFormat,
): Int16Array {
  assertConvertible(from, to);
  const format = `${from.sampleRate}/${from.channels}>${to.sampleRate}/${to.channels}`;
  let converted = loops.get(key);
  const cached = converted?.get(format);
  if (cached !== undefined) return cached;
  let out: Int16Array;
  if (from.sampleRate === to.sampleRate) {
    out = mapChannels(samples, from.channels, to.channels);
  } else {
    out = mapChannels(resampleLoop(samples, from, to.sampleRate), from.channels, to.channels);
  }
  if (converted === undefined) loops.set(key, converted = new Map());
  converted.set(format, out);
  return out;
}

/** The frames the resampler's filter reaches around each one (20 of the lower rate), and more. */
const WRAP_FRAMES = 256;

function resampleLoop(samples: Int16Array, from: PcmFormat, outputRate: number): Int16Array {
  const channels = from.channels;
  const frames = samples.length / channels;
  // The loop with its own end before it and its own start after it, however short it is.
  const padded = new Int16Array((frames + 2 * WRAP_FRAMES) * channels);
  for (let f = -WRAP_FRAMES; f < frames + WRAP_FRAMES; f++) {
    const source = ((f % frames) + frames) % frames;
    for (let c = 0; c < channels; c++) {
      padded[(f + WRAP_FRAMES) * channels + c] = samples[source * channels + c]!;
    }
  }
  const resampler = new Resampler({ inputRate: from.sampleRate, outputRate, channels });
  const head = resampler.process(padded);
  const tail = resampler.flush();
  const all = new Int16Array(head.length + tail.length);
  all.set(head);
  all.set(tail, head.length);
  const ratio = outputRate / from.sampleRate;
  const start = Math.round(WRAP_FRAMES * ratio);
  const end = Math.round((WRAP_FRAMES + frames) * ratio);
  return all.slice(start * channels, end * channels);
}
