/**
 * Reading the caller's WAV file and writing the call's recording. Reading accepts what people
 * record callers with: PCM 8/16/24/32-bit, 32-bit float, G.711 μ-law and A-law, any channel
 * count (mixed down to mono here) and the rates the resampler takes (resampled later; others are
 * refused by `CallerAudio`, naming them).
 *
 * @module
 */

import { alawDecode, mulawDecode } from "../audio/g711.ts";
import { WAV_HEADER_BYTES, writeWavHeader } from "../audio/wav.ts";

/** A WAV file's audio as PCM16 mono. */
export interface WavAudio {
  /** The samples, mixed down to one channel. */
  samples: Int16Array;
  /** Samples per second. */
  sampleRate: number;
  /** Channels in the file (before mixing down). */
  channels: number;
}

const PCM = 1;
const FLOAT = 3;
const ALAW = 6;
const MULAW = 7;
const EXTENSIBLE = 0xfffe;

/** Parses a RIFF/WAVE file; throws a `TypeError` naming what it cannot read. */
export function readWav(bytes: Uint8Array): WavAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") {
    throw new TypeError("audio is not a WAV file (no RIFF/WAVE header)");
  }
  let format: { code: number; channels: number; rate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + size));
    if (id === "fmt " && body.length >= 16) {
      let code = view.getUint16(at + 8, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (code === EXTENSIBLE && body.length >= 26) code = view.getUint16(at + 8 + 24, true);
      format = {
        code,
        channels: view.getUint16(at + 10, true),
        rate: view.getUint32(at + 12, true),
        bits: view.getUint16(at + 22, true),
      };
    } else if (id === "data") {
      data = body;
    }
    at += 8 + size + (size & 1); // chunks are padded to even sizes
  }
  if (!format) throw new TypeError("WAV file has no fmt chunk");
  if (!data) throw new TypeError("WAV file has no data chunk");
  const { code, channels, rate, bits } = format;
  if (channels < 1 || rate < 1) {
    throw new TypeError(`WAV file has ${channels} channels at ${rate} Hz`);
  }
  return { samples: mixDown(decode(data, code, bits), channels), sampleRate: rate, channels };
}

function decode(data: Uint8Array, code: number, bits: number): Int16Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (code === MULAW && bits === 8) return mulawDecode(data);
  if (code === ALAW && bits === 8) return alawDecode(data);
  if (code === PCM && bits === 8) return Int16Array.from(data, (b) => (b - 128) << 8);
  if (code === PCM && bits === 16) {
    const out = new Int16Array(data.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
    return out;
  }
  if (code === PCM && bits === 24) {
    const out = new Int16Array(Math.floor(data.length / 3));
    for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 3 + 1, true);
    return out;
  }
  if (code === PCM && bits === 32) {
    const out = new Int16Array(data.length >> 2);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true) >> 16;
    return out;
  }
  if (code === FLOAT && bits === 32) {
    const out = new Int16Array(data.length >> 2);
    for (let i = 0; i < out.length; i++) {
      const value = view.getFloat32(i * 4, true);
      out[i] = Math.max(-32768, Math.min(32767, Math.round(value * 32768)));
    }
    return out;
  }
  throw new TypeError(`WAV format ${code} with ${bits} bits per sample is not supported`);
}

function mixDown(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const frames = Math.floor(samples.length / channels);
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[i * channels + c]!;
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/** A 16-bit stereo WAV file of `left` and `right` (the shorter padded with silence). */
export function writeStereoWav(
  left: Int16Array,
  right: Int16Array,
  sampleRate: number,
): Uint8Array {
  const frames = Math.max(left.length, right.length);
  const out = new Uint8Array(WAV_HEADER_BYTES + frames * 4);
  writeWavHeader(out, frames * 4, { sampleRate, channels: 2 });
  const view = new DataView(out.buffer, WAV_HEADER_BYTES);
  for (let i = 0; i < frames; i++) {
    view.setInt16(i * 4, left[i] ?? 0, true);
    view.setInt16(i * 4 + 2, right[i] ?? 0, true);
  }
  return out;
}
