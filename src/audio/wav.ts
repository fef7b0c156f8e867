/**
 * RIFF/WAVE headers for PCM16, as pipecat's `add_wav_header` writes them: one 44-byte header per
 * chunk, PCM format 1, 16 bits per sample, the chunk's own rate and channels.
 *
 * @module
 */

import { assertPcmFormat, BYTES_PER_SAMPLE, type PcmFormat } from "./pcm.ts";
import { shownValue } from "../_kind_of.ts";

/** Length of the canonical PCM WAV header. */
export const WAV_HEADER_BYTES = 44;

/** The most PCM bytes a header can count: its RIFF size, 36 + the data's, is 32 bits wide. */
const MAX_DATA_BYTES = 0xffffffff - 36;

/**
 * Writes a 44-byte WAV header for `dataBytes` bytes of PCM16 in `format` into `target` at
 * `offset` (so a caller can put header and data in one allocation). Throws a `RangeError` for a
 * format or size the header cannot state (a rate or channel count that is not a positive
 * integer, more than 32,767 channels, a byte rate or a size past 32 bits), as Python's `wave`
 * refuses them, rather than write a header that lies about the audio; and for an `offset` that
 * is not an integer or leaves fewer than 44 bytes of `target` after it.
 */
export function writeWavHeader(
  target: Uint8Array,
  dataBytes: number,
  format: PcmFormat,
  offset = 0,
): void {
  assertPcmFormat(format);
  const blockAlign = format.channels * BYTES_PER_SAMPLE;
  // nBlockAlign is 16 bits wide, nAvgBytesPerSec and the sizes 32: a value past them would wrap.
  if (blockAlign > 0xffff || format.sampleRate * blockAlign > 0xffffffff) {
    throw new RangeError(
      `a WAV header cannot state ${format.sampleRate} Hz × ${format.channels} channels`,
    );
  }
  if (!Number.isInteger(dataBytes) || dataBytes < 0 || dataBytes > MAX_DATA_BYTES) {
    throw new RangeError(
      `dataBytes must be an integer from 0 to ${MAX_DATA_BYTES}, got ${shownValue(dataBytes)}`,
    );
  }
  // Checked against `target` itself, not its buffer: a DataView is bounded only by the buffer, so
  // a short view of a larger buffer (a slab, a subarray) had its neighbour's bytes overwritten,
  // and a negative offset wrote before the view's start, without a word.
  if (!Number.isInteger(offset) || offset < 0 || offset + WAV_HEADER_BYTES > target.length) {
    const at = shownValue(offset);
    throw new RangeError(
      `a ${WAV_HEADER_BYTES}-byte header at offset ${at} does not fit a target of ` +
        `${target.length} bytes (offset must be an integer from 0 to target.length − ` +
        `${WAV_HEADER_BYTES})`,
    );
  }
  const view = new DataView(target.buffer, target.byteOffset + offset, WAV_HEADER_BYTES);
  view.setUint32(0, 0x52494646, false); // "RIFF"
  view.setUint32(4, 36 + dataBytes, true);
  view.setUint32(8, 0x57415645, false); // "WAVE"
  view.setUint32(12, 0x666d7420, false); // "fmt "
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, BYTES_PER_SAMPLE * 8, true);
  view.setUint32(36, 0x64617461, false); // "data"
  view.setUint32(40, dataBytes, true);
}

/**
 * Returns a new array holding a WAV header followed by `pcm`. The copy is deliberate: header and
 * samples must be one contiguous message.
 *
 * @example
 * ```ts
 * import { wrapWav } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * const wav = wrapWav(new Uint8Array(640), { sampleRate: 16000, channels: 1 });
 * assert.equal(wav.length, 684);
 * assert.equal(new TextDecoder().decode(wav.subarray(0, 4)), "RIFF");
 * ```
 */
export function wrapWav(pcm: Uint8Array, format: PcmFormat): Uint8Array {
  const out = new Uint8Array(WAV_HEADER_BYTES + pcm.length);
  writeWavHeader(out, pcm.length, format);
  out.set(pcm, WAV_HEADER_BYTES);
  return out;
}
