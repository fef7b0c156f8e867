/**
 * ITU-T G.711 μ-law and A-law: PCM16 ⇄ 8-bit codes, as the telephony providers send them.
 *
 * Decoding yields the standard's reconstruction values scaled to 16 bits (μ-law: the 14-bit value
 * × 4, ±32124 at most; A-law: the 13-bit value × 8, ±32256 at most), the same values Debian's
 * `sox` produces. Encoding is the ITU-T G.191 reference algorithm (`ulaw_compress`,
 * `alaw_compress`): magnitudes are truncated and negative samples take their one's complement
 * (so −1 encodes as μ-law's negative zero, 0x7F). That makes `encode(decode(code)) === code` for
 * every code except μ-law's negative zero (0x7F decodes to 0, and 0 encodes as 0xFF). `sox`'s
 * encoders put their decision levels a sample or two away from the reference's: 510 μ-law and
 * 1,020 A-law inputs of 65,536 encode to the neighbouring level there (the reference's level is
 * the farther one from the input in only 23 A-law cases); the decoders agree on all 256 codes.
 *
 * Both directions are one table lookup per sample and no branch: the reference encoders only look
 * at the top 14 (μ-law) or 12 (A-law) bits of a sample, so the encode tables have 16,384 and 4,096
 * entries, built once when the module loads.
 *
 * Without an `out` argument the functions return a new array cut from a shared slab (fast to
 * allocate; see `_slab.ts`): it is the caller's, but shares its `ArrayBuffer` with other outputs,
 * other sessions' audio among them, so hand on the array, never its `buffer`, and `slice()` it
 * before transferring or detaching its buffer (or pass an `out` of your own).
 *
 * @module
 */

import { newInt16Array, newUint8Array } from "./_slab.ts";

/** μ-law code → PCM16, for all 256 codes. */
const MULAW_DECODE: Int16Array = new Int16Array(256);
/** A-law code → PCM16, for all 256 codes. */
const ALAW_DECODE: Int16Array = new Int16Array(256);
/** μ-law code for the 16-bit samples whose `(x >> 2) & 0x3fff` is the index. */
const MULAW_ENCODE: Uint8Array = new Uint8Array(1 << 14);
/** A-law code for the 16-bit samples whose `(x >> 4) & 0xfff` is the index. */
const ALAW_ENCODE: Uint8Array = new Uint8Array(1 << 12);

// G.191 ulaw_expand / alaw_expand, code by code.
for (let code = 0; code < 256; code++) {
  const inverted = ~code;
  const exponent = (inverted >> 4) & 7;
  const step = 4 << (exponent + 1);
  const magnitude = (0x80 << exponent) + step * (inverted & 15) + (step >> 1) - 4 * 33;
  MULAW_DECODE[code] = code < 0x80 ? -magnitude : magnitude;

  const x = (code ^ 0x55) & 0x7f;
  const segment = x >> 4;
  let mantissa = x & 15;
  if (segment > 0) mantissa += 16;
  mantissa = (mantissa << 4) + 8;
  if (segment > 1) mantissa <<= segment - 1;
  ALAW_DECODE[code] = code > 127 ? mantissa : -mantissa;
}

// G.191 ulaw_compress, on every 14-bit prefix: the sample x = index << 2 stands for all four
// samples sharing it, because the algorithm only reads x >> 2 (and ~x >> 2 === ~(x >> 2)).
for (let index = 0; index < 1 << 14; index++) {
  const x = (index << 18) >> 16; // sign-extend the 14-bit prefix back to a 16-bit sample
  let magnitude = (x < 0 ? ~x >> 2 : x >> 2) + 33;
  if (magnitude > 0x1fff) magnitude = 0x1fff;
  let segment = 1;
  for (let i = magnitude >> 6; i !== 0; i >>= 1) segment++;
  const code = ((8 - segment) << 4) | (15 - ((magnitude >> segment) & 15));
  MULAW_ENCODE[index] = x >= 0 ? code | 0x80 : code;
}

// G.191 alaw_compress, on every 12-bit prefix (the algorithm only reads x >> 4).
for (let index = 0; index < 1 << 12; index++) {
  const x = (index << 20) >> 16;
  let magnitude = x < 0 ? ~x >> 4 : x >> 4;
  if (magnitude > 15) {
    let segment = 1;
    while (magnitude > 16 + 15) {
      magnitude >>= 1;
      segment++;
    }
    magnitude = magnitude - 16 + (segment << 4);
  }
  ALAW_ENCODE[index] = (x >= 0 ? magnitude | 0x80 : magnitude) ^ 0x55;
}

function codesOut(length: number, out: Uint8Array | undefined): Uint8Array {
  if (out === undefined) return newUint8Array(length);
  if (out.length < length) {
    throw new RangeError(`out.length must be at least ${length}, got ${out.length}`);
  }
  return out.subarray(0, length);
}

function samplesOut(length: number, out: Int16Array | undefined): Int16Array {
  if (out === undefined) return newInt16Array(length);
  if (out.length < length) {
    throw new RangeError(`out.length must be at least ${length}, got ${out.length}`);
  }
  return out.subarray(0, length);
}

/**
 * Encodes PCM16 samples as G.711 μ-law codes (ITU-T G.191 reference algorithm).
 *
 * Writes into `out` when given (it must hold at least `samples.length` codes; a `RangeError`
 * otherwise) and returns the filled view `out.subarray(0, samples.length)`; allocates otherwise.
 *
 * @example Encode silence and a loud sample
 * ```ts
 * import { mulawEncode } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...mulawEncode(new Int16Array([0, 32767, -32768]))], [0xff, 0x80, 0x00]);
 * ```
 *
 * @example Reuse one buffer for every 20 ms packet
 * ```ts
 * import { mulawEncode } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * const packet = new Uint8Array(160);
 * const codes = mulawEncode(new Int16Array(160), packet);
 * assert.equal(codes.buffer, packet.buffer);
 * ```
 */
export function mulawEncode(samples: Int16Array, out?: Uint8Array): Uint8Array {
  const codes = codesOut(samples.length, out);
  const table = MULAW_ENCODE;
  for (let i = 0; i < samples.length; i++) codes[i] = table[(samples[i]! >> 2) & 0x3fff]!;
  return codes;
}

/**
 * Decodes G.711 μ-law codes to PCM16 samples (the standard's values × 4, as `sox` decodes them).
 *
 * Writes into `out` when given (at least `codes.length` samples; a `RangeError` otherwise) and
 * returns the filled view; allocates otherwise.
 *
 * @example Decode μ-law silence and the extremes
 * ```ts
 * import { mulawDecode } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...mulawDecode(new Uint8Array([0xff, 0x80, 0x00]))], [0, 32124, -32124]);
 * ```
 */
export function mulawDecode(codes: Uint8Array, out?: Int16Array): Int16Array {
  const samples = samplesOut(codes.length, out);
  const table = MULAW_DECODE;
  for (let i = 0; i < codes.length; i++) samples[i] = table[codes[i]!]!;
  return samples;
}

/**
 * Encodes PCM16 samples as G.711 A-law codes (ITU-T G.191 reference algorithm, even bits
 * inverted as on the wire).
 *
 * Writes into `out` when given (at least `samples.length` codes; a `RangeError` otherwise) and
 * returns the filled view; allocates otherwise.
 *
 * @example Encode silence and the extremes
 * ```ts
 * import { alawEncode } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...alawEncode(new Int16Array([0, 32767, -32768]))], [0xd5, 0xaa, 0x2a]);
 * ```
 */
export function alawEncode(samples: Int16Array, out?: Uint8Array): Uint8Array {
  const codes = codesOut(samples.length, out);
  const table = ALAW_ENCODE;
  for (let i = 0; i < samples.length; i++) codes[i] = table[(samples[i]! >> 4) & 0xfff]!;
  return codes;
}

/**
 * Decodes G.711 A-law codes to PCM16 samples (the standard's values × 8, as `sox` decodes them).
 *
 * Writes into `out` when given (at least `codes.length` samples; a `RangeError` otherwise) and
 * returns the filled view; allocates otherwise.
 *
 * @example Decode A-law's smallest values and the extremes
 * ```ts
 * import { alawDecode } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...alawDecode(new Uint8Array([0xd5, 0x55, 0xaa, 0x2a]))], [
 *   8,
 *   -8,
 *   32256,
 *   -32256,
 * ]);
 * ```
 */
export function alawDecode(codes: Uint8Array, out?: Int16Array): Int16Array {
  const samples = samplesOut(codes.length, out);
  const table = ALAW_DECODE;
  for (let i = 0; i < codes.length; i++) samples[i] = table[codes[i]!]!;
  return samples;
}
