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
 * - `"pcm16be"`: 16-bit signed big-endian, RTP's L16 (Telnyx `L16`);
 * - `"g722"`: ITU-T G.722 at 64 kbit/s (Telnyx `G722`): wideband audio at 16 kHz, one byte per
 *   two samples. Its wire rate is RTP's clock for it, 8000: RFC 3551 (§4.5.2) keeps G.722's clock
 *   at 8 kHz though it samples at 16, so a byte is one tick, as a G.711 sample is.
 */
export type TelephonyEncoding = "mulaw" | "alaw" | "pcm16le" | "pcm16be" | "g722";

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
  "g722",
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
 * assert.equal(telephonyEncodingOf("G722"), "g722");
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
    case "audio/g722":
    case "g722":
      return "g722";
    default:
      return undefined;
  }
}

/**
 * Whether `TelephonyAudio` can convert audio at `rate` (the resampler's rates: 8, 12, 16, 22.05,
 * 24, 32, 44.1, 48, 96 and 192 kHz), or, given the `encoding`, at `rate` in it (G.722: 8000, its
 * RTP clock, or 16000, its audio rate). Serializers check a rate a provider announces with this
 * and report a decode error instead of a `RangeError`; it says what can be converted, not what a
 * provider sends: a serializer whose platform documents fewer rates checks its own list too.
 *
 * @example Checking an announced rate
 * ```ts
 * import { isTelephonyRate } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isTelephonyRate(16000), true);
 * assert.equal(isTelephonyRate(11025), false);
 * assert.equal(isTelephonyRate(24000, "g722"), false);
 * ```
 */
export function isTelephonyRate(rate: number, encoding?: TelephonyEncoding): boolean {
  // G.722 is 16 kHz audio on RTP's 8 kHz clock (RFC 3551 §4.5.2): either rate names it, no other.
  if (encoding === "g722") return rate === 8000 || rate === 16000;
  return RESAMPLER_RATES.includes(rate);
}

/**
 * Bytes a sample takes on the wire in `encoding`: 1 for G.711, 2 for 16-bit linear; for G.722 1,
 * a byte per tick of its 8 kHz RTP clock (the wire rate `TelephonyAudio` gives it), which carries
 * two of its 16 kHz samples.
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
  return encoding === "pcm16le" || encoding === "pcm16be" ? 2 : 1;
}

/**
 * The byte that is silence on the wire in each encoding (every byte of a silent payload): what a
 * gap is filled with, or a short payload padded with.
 *
 * G.722 has no such byte: a code is a difference from the decoder's prediction, so what a byte
 * plays as depends on the bytes before it. Its entry, 0xFC, codes no difference in the lower band
 * (its 4-bit core is the zero level) and the least step up in the higher band: a run of it lets
 * both bands' step sizes shrink to their least and the predictors run down, so the audio fades
 * to silence (exact zeros from a decoder's initial state) instead of stopping dead. A decoder fed
 * it for a lost 20 ms packet differs from the sender after it, and forgets the difference as
 * ADPCM does (its step sizes at 1/128 a sample): the error is 20 dB under speech's level 90 ms
 * after the gap at the median, 200 ms at worst (`tests/audio/g722_test.ts`). Padding a stream we
 * encode is better done by encoding zeros with its encoder (`TelephonyAudio.fillSilence`), which
 * keeps its state.
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
  g722: 0xfc,
};
