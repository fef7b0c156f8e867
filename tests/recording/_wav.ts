/**
 * Reading what a recorder wrote: a WAV parsed by its header alone (so a wrong header shows), and
 * the stretches of equal samples a test's constant-valued audio leaves in it.
 *
 * @module
 */

import assert from "node:assert/strict";

/** A parsed PCM16 WAV: its header fields and each channel's samples. */
export interface Wav {
  channels: number;
  sampleRate: number;
  /** The header's RIFF and data sizes, as written. */
  riffSize: number;
  dataSize: number;
  /** One array per channel. */
  samples: Int16Array[];
}

/** Parses a canonical 44-byte-header PCM16 WAV; the data runs to the end of `bytes`. */
export function parseWav(bytes: Uint8Array): Wav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (at: number) => new TextDecoder().decode(bytes.subarray(at, at + 4));
  assert.equal(text(0), "RIFF");
  assert.equal(text(8), "WAVE");
  assert.equal(text(12), "fmt ");
  assert.equal(view.getUint16(20, true), 1, "PCM");
  assert.equal(view.getUint16(34, true), 16, "16-bit");
  assert.equal(text(36), "data");
  const channels = view.getUint16(22, true);
  const sampleRate = view.getUint32(24, true);
  assert.equal(view.getUint32(28, true), sampleRate * channels * 2, "byte rate");
  assert.equal(view.getUint16(32, true), channels * 2, "block align");
  const data = bytes.subarray(44);
  assert.equal(data.length % (channels * 2), 0, "whole sample frames");
  const frames = data.length / (channels * 2);
  const samples = Array.from({ length: channels }, () => new Int16Array(frames));
  const pcm = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) samples[c]![f] = pcm.getInt16((f * channels + c) * 2, true);
  }
  return {
    channels,
    sampleRate,
    riffSize: view.getUint32(4, true),
    dataSize: view.getUint32(40, true),
    samples,
  };
}

/** A run of one sample value: where it starts and how many samples it lasts. */
export interface Run {
  value: number;
  start: number;
  length: number;
}

/** The runs of equal samples in `samples`, in order. */
export function runs(samples: Int16Array): Run[] {
  const out: Run[] = [];
  for (let i = 0; i < samples.length;) {
    let j = i + 1;
    while (j < samples.length && samples[j] === samples[i]) j++;
    out.push({ value: samples[i]!, start: i, length: j - i });
    i = j;
  }
  return out;
}

/** How many samples equal `value`. */
export function count(samples: Int16Array, value: number): number {
  let n = 0;
  for (const s of samples) if (s === value) n++;
  return n;
}

/** The PCM16 sample a buffer filled with byte `value` holds. */
export const sampleOf = (value: number): number => ((value << 8) | value) << 16 >> 16;
