/**
 * A background track given whole: PCM with its format, from an audio frame, a WAV file's bytes,
 * or bare samples with the format in the options.
 *
 * @module
 */

import { pcm16Samples, type PcmFormat } from "../audio/pcm.ts";
import type { AudioFrame } from "../frames.ts";
import { kindOf, shownValue } from "../_kind_of.ts";

/** A whole track: its samples (interleaved), their format, and the caller's object it came from. */
export interface LoopTrack {
  samples: Int16Array;
  format: PcmFormat;
  key: object;
}

/**
 * Reads a track. Throws a `TypeError` naming what is missing or wrong: no format for bare PCM, a
 * WAV file that is not 16-bit PCM, no audio at all.
 */
export function loopTrack(
  source: AudioFrame | Uint8Array | Int16Array,
  format: Partial<PcmFormat>,
): LoopTrack {
  let track: LoopTrack;
  if (source instanceof Int16Array) {
    track = { samples: source, format: bareFormat(format), key: source };
  } else if (source instanceof Uint8Array) {
    track = isWav(source)
      ? { ...readWav(source), key: source }
      : { samples: decoded(source, 0, source.length), format: bareFormat(format), key: source };
  } else if (isAudioFrame(source)) {
    const { sampleRate, channels } = source;
    track = {
      samples: decoded(source.audio, 0, source.audio.length),
      format: { sampleRate, channels },
      key: source.audio,
    };
  } else {
    // Plain JS gets here too: `await response.arrayBuffer()` is an easy slip for the bytes.
    throw new TypeError(
      "BackgroundAudio: the source must be an AudioFrame, a Uint8Array (a WAV file or PCM16), " +
        `an Int16Array or a ReadableStream, got ${kindOf(source)}` +
        ((source as unknown) instanceof ArrayBuffer ? " (wrap it: new Uint8Array(buffer))" : ""),
    );
  }
  const { sampleRate, channels } = track.format;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(
      `BackgroundAudio: sampleRate must be a positive integer, got ${shownValue(sampleRate)}`,
    );
  }
  if (!Number.isInteger(channels) || channels <= 0) {
    throw new RangeError(
      `BackgroundAudio: channels must be a positive integer, got ${shownValue(channels)}`,
    );
  }
  if (track.samples.length < channels || track.samples.length % channels !== 0) {
    throw new TypeError(
      `BackgroundAudio: the track must hold whole ${channels}-channel frames, got ` +
        `${track.samples.length} samples`,
    );
  }
  return track;
}

/** A copy of a source's samples (see {@linkcode decoded}) and the bytes of it they are. */
interface DecodedCopy {
  start: number;
  end: number;
  samples: Int16Array;
}

/** Copies decoded from a caller's bytes at an odd offset, per those bytes (see {@linkcode decoded}). */
const copies = new WeakMap<Uint8Array, DecodedCopy>();

/**
 * The samples of `bytes` from `start` to `end`. A view where it can be; at an odd byte offset (a
 * WAV or PCM inside a larger buffer) the copy `pcm16Samples` makes, made once per source and
 * shared: every `BackgroundAudio` keeps its track's samples for its life, and each made its own
 * copy, one more copy of the whole track held per session playing it.
 */
function decoded(bytes: Uint8Array, start: number, end: number): Int16Array {
  const region = bytes.subarray(start, end);
  if ((region.byteOffset & 1) === 0) return pcm16Samples(region);
  const held = copies.get(bytes);
  if (held !== undefined && held.start === start && held.end === end) return held.samples;
  const samples = pcm16Samples(region);
  copies.set(bytes, { start, end, samples });
  return samples;
}

function isAudioFrame(source: unknown): source is AudioFrame {
  return typeof source === "object" && source !== null &&
    (source as Partial<AudioFrame>).audio instanceof Uint8Array;
}

function bareFormat(format: Partial<PcmFormat>): PcmFormat {
  if (format.sampleRate === undefined) {
    throw new TypeError("BackgroundAudio: bare PCM needs `sampleRate` in the options");
  }
  return { sampleRate: format.sampleRate, channels: format.channels ?? 1 };
}

const ascii = (bytes: Uint8Array, at: number) =>
  String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);

/** Whether `bytes` begin a RIFF WAVE file. */
export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0) === "RIFF" && ascii(bytes, 8) === "WAVE";
}

/** A whole WAV file's samples and format. */
function readWav(bytes: Uint8Array): { samples: Int16Array; format: PcmFormat } {
  const { format, start, end } = wavData(bytes);
  const samples = decoded(bytes, start, end);
  return {
    samples: samples.subarray(0, samples.length - (samples.length % format.channels)),
    format,
  };
}

/** Where a WAV file's PCM is, and its format. */
export interface WavData {
  format: PcmFormat;
  /** The first byte of the `data` chunk's body. */
  start: number;
  /** Where it ends in the bytes given (their end, for a streamed file of unknown size). */
  end: number;
  /** The `data` chunk's size in bytes, as its header says: `Infinity` where it says none. */
  size: number;
}

/**
 * Where a WAV file's PCM is in `bytes` (its start: the file may be cut short after it), walking
 * the chunks up to `data`. Throws a `TypeError` unless it is 16-bit PCM with its header here.
 */
export function wavData(bytes: Uint8Array): WavData {
  const found = wavDataSoFar(bytes);
  if (found === undefined) {
    throw new TypeError("BackgroundAudio: no WAV data chunk in the file's first bytes");
  }
  return found;
}

/**
 * {@linkcode wavData} of the bytes of a WAV file read so far: `undefined` while its header (up
 * to the `data` chunk) has not all come yet. Throws a `TypeError` for a format it cannot play.
 */
export function wavDataSoFar(bytes: Uint8Array): WavData | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: PcmFormat | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = ascii(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      if (body + 16 > bytes.length) break;
      const code = view.getUint16(body, true);
      // An extensible header says its subformat 24 bytes in: streamed, wait for it.
      if (code === 0xfffe && body + 26 > bytes.length) break;
      const bits = view.getUint16(body + 14, true);
      // 1: PCM; 0xFFFE: WAVE_FORMAT_EXTENSIBLE, whose subformat GUID begins with the format code.
      const pcm = code === 1 ||
        (code === 0xfffe && view.getUint16(body + 24, true) === 1);
      if (!pcm || bits !== 16) {
        throw new TypeError(
          `BackgroundAudio: the WAV file is not 16-bit PCM (format ${code}, ${bits} bits)`,
        );
      }
      format = {
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
      };
      // Streamed, no other check sees it: mapped to mono, 0 channels played nothing, unreported.
      if (format.channels === 0) {
        throw new RangeError("BackgroundAudio: the WAV file has 0 channels");
      }
    } else if (id === "data") {
      if (format === undefined) {
        throw new TypeError("BackgroundAudio: WAV data before its fmt chunk");
      }
      // A streamed WAV's size may be unknown (0 or 0xFFFFFFFF): the data runs to the end.
      const known = size !== 0 && size !== 0xffffffff;
      const end = !known || body + size > bytes.length ? bytes.length : body + size;
      return { format, start: body, end, size: known ? size : Infinity };
    }
    at = body + size + (size & 1);
  }
  return undefined;
}
