/**
 * The wire encodings telephony providers use, and the names they give them.
 *
 * @module
 */

import { RESAMPLER_RATES } from "../../audio/resampler.ts";

/**
 * How audio samples travel on the wire (what `TelephonyAudio` speaks):
 * - `"mulaw"`: G.711 μ-law, one byte per sample (Twilio, Plivo `audio/x-mulaw`, Telnyx `PCMU`);
 * - `"alaw"`: G.711 A-law, one byte per sample (Telnyx `PCMA`);
 * - `"pcm16le"`: 16-bit signed little-endian (Exotel, Plivo `audio/x-l16`);
 * - `"pcm16be"`: 16-bit signed big-endian, RTP's L16 (Telnyx `L16`).
 */
export type TelephonyEncoding = "mulaw" | "alaw" | "pcm16le" | "pcm16be";

/**
 * The encodings `TelephonyAudio` speaks.
 *
 * @example Checking a configured encoding
 * ```ts
 * import { TELEPHONY_ENCODINGS } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * assert.ok(TELEPHONY_ENCODINGS.includes("alaw"));
 * ```
 */
export const TELEPHONY_ENCODINGS: readonly TelephonyEncoding[] = [
  "mulaw",
  "alaw",
  "pcm16le",
  "pcm16be",
];

/**
 * The {@linkcode TelephonyEncoding} for a provider's name of an encoding (`"audio/x-mulaw"`,
 * `"PCMU"`, `"audio/x-l16"`, …), or `undefined` when it is not one this module speaks.
 * `littleEndianL16` says which byte order `L16`/`audio/x-l16` means for that provider.
 *
 * @example Providers' names for the encodings
 * ```ts
 * import { telephonyEncodingOf } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * assert.equal(telephonyEncodingOf("audio/x-mulaw"), "mulaw");
 * assert.equal(telephonyEncodingOf("PCMA"), "alaw");
 * assert.equal(telephonyEncodingOf("L16"), "pcm16be");
 * assert.equal(telephonyEncodingOf("audio/x-l16", { littleEndianL16: true }), "pcm16le");
 * assert.equal(telephonyEncodingOf("OPUS"), undefined);
 * ```
 */
export function telephonyEncodingOf(
  name: string,
  options: { littleEndianL16?: boolean } = {},
): TelephonyEncoding | undefined {
  const base = name.split(";")[0]!.trim().toLowerCase();
  switch (base) {
    case "audio/x-mulaw":
    case "audio/mulaw":
    case "audio/pcmu":
    case "pcmu":
    case "mulaw":
    case "ulaw":
      return "mulaw";
    case "audio/x-alaw":
    case "audio/alaw":
    case "audio/pcma":
    case "pcma":
    case "alaw":
      return "alaw";
    case "audio/x-l16":
    case "audio/l16":
    case "l16":
      return options.littleEndianL16 ? "pcm16le" : "pcm16be";
    case "audio/x-raw":
    case "raw":
    case "slin":
    case "pcm16le":
      return "pcm16le";
    case "pcm16be":
      return "pcm16be";
    default:
      return undefined;
  }
}

/**
 * Whether `TelephonyAudio` can convert audio at `rate` (the resampler's rates: 8, 16, 22.05, 24,
 * 44.1 and 48 kHz). Serializers check a rate a provider announces with this and report a decode
 * error instead of a `RangeError`.
 *
 * @example Checking an announced rate
 * ```ts
 * import { isTelephonyRate } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isTelephonyRate(16000), true);
 * assert.equal(isTelephonyRate(11025), false);
 * ```
 */
export function isTelephonyRate(rate: number): boolean {
  return RESAMPLER_RATES.includes(rate);
}

/**
 * Bytes a sample takes on the wire in `encoding`: 1 for G.711, 2 for 16-bit linear.
 *
 * @example
 * ```ts
 * import { bytesPerSample } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bytesPerSample("mulaw"), 1);
 * assert.equal(bytesPerSample("pcm16be"), 2);
 * ```
 */
export function bytesPerSample(encoding: TelephonyEncoding): 1 | 2 {
  return encoding === "mulaw" || encoding === "alaw" ? 1 : 2;
}

/**
 * The byte that is silence on the wire in each encoding (every byte of a silent payload): what a
 * gap is filled with, or a short payload padded with.
 *
 * @example
 * ```ts
 * import { SILENCE_BYTE } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * assert.equal(SILENCE_BYTE.mulaw, 0xff);
 * assert.equal(SILENCE_BYTE.alaw, 0xd5);
 * ```
 */
export const SILENCE_BYTE: Readonly<Record<TelephonyEncoding, number>> = {
  mulaw: 0xff,
  alaw: 0xd5,
  pcm16le: 0,
  pcm16be: 0,
};
