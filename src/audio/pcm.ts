/**
 * Arithmetic on PCM16 formats: byte rates, durations and sizes. Pacing and chunking rest on these,
 * so they come from the true byte rate of a format (rate × channels × 2), never from a guess.
 *
 * @module
 */

/** The shape of a PCM16 stream. */
export interface PcmFormat {
  /** Samples per second per channel. */
  sampleRate: number;
  /** Interleaved channels. */
  channels: number;
}

/** Bytes in one PCM16 sample. */
export const BYTES_PER_SAMPLE = 2;

/**
 * Bytes per second of PCM16 audio in `format`. Unchecked, as it runs per chunk: a rate or channel
 * count of 0, a fraction or NaN gives 0, a fraction or NaN back (and {@linkcode durationMs}
 * Infinity or NaN). Every entry where a format comes in (the transport's options, serializers,
 * the streams' first frame of a new format, the recorder, the mixer) refuses such a format first;
 * check one of your own with {@linkcode assertPcmFormat}.
 *
 * @example
 * ```ts
 * import { bytesPerSecond } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bytesPerSecond({ sampleRate: 16000, channels: 1 }), 32000);
 * assert.equal(bytesPerSecond({ sampleRate: 8000, channels: 2 }), 32000);
 * ```
 */
export function bytesPerSecond(format: PcmFormat): number {
  return format.sampleRate * format.channels * BYTES_PER_SAMPLE;
}

/**
 * How long `byteLength` bytes of PCM16 in `format` play, in milliseconds. Unchecked, as
 * {@linkcode bytesPerSecond} is.
 *
 * @example
 * ```ts
 * import { durationMs } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * assert.equal(durationMs(640, { sampleRate: 16000, channels: 1 }), 20);
 * ```
 */
export function durationMs(byteLength: number, format: PcmFormat): number {
  return (byteLength * 1000) / bytesPerSecond(format);
}

/**
 * The number of bytes of PCM16 in `format` that play for `ms` milliseconds, rounded down to whole
 * sample frames (never 0: at least one sample frame).
 *
 * @throws {RangeError} when `ms` is not a finite number >= 0, or `format` is not a usable PCM16
 * format (see {@linkcode assertPcmFormat}).
 *
 * @example
 * ```ts
 * import { bytesForDuration } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bytesForDuration(40, { sampleRate: 24000, channels: 1 }), 1920);
 * assert.equal(bytesForDuration(20, { sampleRate: 22050, channels: 2 }), 1764);
 * ```
 */
export function bytesForDuration(ms: number, format: PcmFormat): number {
  // Checked, as the doc promises a whole frame or more: a NaN duration came back as NaN bytes
  // (`new Uint8Array(NaN)` is an empty buffer, no error), 0 channels as 0 bytes.
  if (!(ms >= 0) || !Number.isFinite(ms)) {
    throw new RangeError(`ms must be a finite number >= 0, got ${ms}`);
  }
  assertPcmFormat(format);
  const frameBytes = format.channels * BYTES_PER_SAMPLE;
  const frames = Math.floor((format.sampleRate * ms) / 1000);
  return Math.max(1, frames) * frameBytes;
}

/** Throws a `RangeError` naming the bad value unless `format` is a usable PCM16 format. */
export function assertPcmFormat(format: PcmFormat, what = "format"): void {
  if (!Number.isInteger(format.sampleRate) || format.sampleRate <= 0) {
    throw new RangeError(`${what}.sampleRate must be a positive integer, got ${format.sampleRate}`);
  }
  if (!Number.isInteger(format.channels) || format.channels <= 0) {
    throw new RangeError(`${what}.channels must be a positive integer, got ${format.channels}`);
  }
}

/**
 * The samples of little-endian PCM16 `bytes` as an `Int16Array`: a view of the same memory when
 * the bytes are 2-aligned (the usual case, no copy), a copy otherwise. Every runtime this module
 * targets is little-endian, so the view's samples are the wire's samples. A trailing odd byte is
 * ignored.
 *
 * @example
 * ```ts
 * import { pcm16Samples } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * const samples = pcm16Samples(new Uint8Array([0x01, 0x00, 0xff, 0xff]));
 * assert.deepEqual([...samples], [1, -1]);
 * ```
 */
export function pcm16Samples(bytes: Uint8Array): Int16Array {
  const count = bytes.length >> 1;
  if ((bytes.byteOffset & 1) === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, count);
  // Deliberate copy: an odd offset cannot back an Int16Array view.
  return new Int16Array(bytes.slice(0, count * 2).buffer);
}

/**
 * The bytes of `samples` as little-endian PCM16: a view of the same memory, no copy.
 *
 * @example
 * ```ts
 * import { pcm16Bytes } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...pcm16Bytes(new Int16Array([1, -1]))], [0x01, 0x00, 0xff, 0xff]);
 * ```
 */
export function pcm16Bytes(samples: Int16Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}
