/**
 * {@linkcode readMediaFormat}: the wire format a provider's start message announces.
 *
 * @module
 */

import type { JsonReader } from "./json_reader.ts";
import type { TelephonyFormat } from "./telephony_audio.ts";
import {
  isTelephonyRate,
  type TelephonyEncoding,
  telephonyEncodingOf,
} from "./telephony_encoding.ts";

/** How one provider names the fields of its media format object. */
export interface MediaFormatFields {
  /** The field holding the encoding's name (`"encoding"`). */
  encoding: string;
  /** The field holding the sample rate (`"sampleRate"`, `"sample_rate"`). */
  sampleRate: string;
  /**
   * Whether this provider's `L16` / `audio/x-l16` is little-endian (Plivo) rather than RTP's
   * big-endian (Telnyx).
   *
   * @default {false}
   */
  littleEndianL16?: boolean;
  /**
   * The encodings this provider streams, where it streams fewer than `TelephonyAudio` speaks:
   * another named is a decode error as an unknown one is, followed by `streams` when given (what
   * the provider does stream, in its own names).
   *
   * @default {every one `TelephonyAudio` speaks}
   */
  encodings?: readonly TelephonyEncoding[];
  /**
   * The rates this provider documents for each encoding it streams, where it streams fewer than
   * `TelephonyAudio` converts: a rate outside its encoding's list is a decode error naming the
   * field and value, as an unconvertible one is (read at the wrong rate, the call's audio would
   * play at the wrong speed), followed by `streams` when given. An encoding with no list here is
   * refused as one outside `encodings`. Where the start names only one of the two, the other is
   * the stream's (`readMediaFormat`'s `before`), but for an encoding listed at one rate: named
   * alone, it is at that rate (G.711 at 8 kHz, whatever the stream's was).
   *
   * @default {every rate `isTelephonyRate` takes}
   */
  rates?: Readonly<Partial<Record<TelephonyEncoding, readonly number[]>>>;
  /**
   * Said after the refusal of an encoding outside `encodings` or of a rate outside `rates`: what
   * the provider streams.
   */
  streams?: string;
}

/**
 * The encoding and rate a provider's media format object announces, each absent when the
 * provider left it out, ready for {@linkcode TelephonyAudio.configure}. An encoding this module
 * does not speak, or a rate it cannot resample, is a decode error naming the field and value, and
 * so is one the provider does not document (`fields.encodings`, `fields.rates`). `before` is the
 * stream's format until this start: what the start leaves out of the pair is judged as that.
 *
 * @example Plivo's `start.mediaFormat`
 * ```ts
 * import { JsonReader, readMediaFormat } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * const start = JsonReader.parse(
 *   '{"event":"start","start":{"mediaFormat":{"encoding":"audio/x-l16","sampleRate":16000}}}',
 *   "Plivo",
 * ).object("start");
 * const fields = { encoding: "encoding", sampleRate: "sampleRate", littleEndianL16: true };
 * assert.deepEqual(readMediaFormat(start.object("mediaFormat"), fields), {
 *   encoding: "pcm16le",
 *   sampleRate: 16000,
 * });
 * ```
 */
export function readMediaFormat(
  format: JsonReader,
  fields: MediaFormatFields,
  before?: Required<TelephonyFormat>,
): TelephonyFormat {
  const name = format.optionalString(fields.encoding);
  const sampleRate = format.optionalNumber(fields.sampleRate);
  const encoding = name === undefined
    ? undefined
    : telephonyEncodingOf(name, { littleEndianL16: fields.littleEndianL16 ?? false });
  const streams = fields.streams === undefined ? "" : `: ${fields.streams}`;
  if (name !== undefined && (encoding === undefined || !isStreamed(encoding, fields))) {
    throw format.error(
      `unsupported ${format.pathOf(fields.encoding)} ${JSON.stringify(name)}${streams}`,
    );
  }
  // A rate named alone is the stream's encoding's: judged as that (G.722 takes two rates only).
  const rateOf = name !== undefined
    ? ` for ${name}`
    : before === undefined
    ? ""
    : ` for the stream's ${before.encoding}`;
  if (sampleRate !== undefined && !isTelephonyRate(sampleRate, encoding ?? before?.encoding)) {
    throw format.error(`${format.pathOf(fields.sampleRate)} is ${sampleRate}${rateOf}${streams}`);
  }
  const documented = documentedRates(encoding ?? before?.encoding, fields);
  if (sampleRate !== undefined && documented !== undefined && !documented.includes(sampleRate)) {
    throw format.error(`${format.pathOf(fields.sampleRate)} is ${sampleRate}${rateOf}${streams}`);
  }
  // Named alone, the encoding is at the stream's rate (G.722 at its own: `TelephonyAudio`'s rule),
  // or at its only rate where `rates` lists one: G.711, 8 kHz (its RTP clock, RFC 3551 §4.5.14),
  // which Telnyx (PCMU, PCMA), Twilio and SignalWire (μ-law, A-law), Exotel and Plivo (μ-law)
  // stream at no other rate. So a start naming μ-law alone on a 16 kHz PCM16 stream announces
  // μ-law at 8 kHz, not a format to refuse (refused, every packet of the call would be dropped).
  const onlyRate = name !== undefined && sampleRate === undefined && documented?.length === 1
    ? documented[0]
    : undefined;
  const rateBefore = encoding === "g722" ? G722_RTP_CLOCK : onlyRate ?? before?.sampleRate;
  if (
    name !== undefined && sampleRate === undefined && documented !== undefined &&
    rateBefore !== undefined && !documented.includes(rateBefore)
  ) {
    throw format.error(
      `unsupported ${format.pathOf(fields.encoding)} ${
        JSON.stringify(name)
      } at the stream's ${rateBefore} Hz${streams}`,
    );
  }
  const result: TelephonyFormat = {};
  if (encoding !== undefined) result.encoding = encoding;
  // Given, so that the stream is read at it, not at the rate it had (PCMU after 16 kHz L16).
  const rate = sampleRate ?? onlyRate;
  if (rate !== undefined) result.sampleRate = rate;
  return result;
}

/** RTP's clock for G.722 (RFC 3551 §4.5.2): its rate where a start names it without one. */
const G722_RTP_CLOCK = 8000;

/** Whether the provider streams `encoding`: listed in `encodings`, and in `rates` if given. */
function isStreamed(encoding: TelephonyEncoding, fields: MediaFormatFields): boolean {
  return (fields.encodings === undefined || fields.encodings.includes(encoding)) &&
    (fields.rates === undefined || fields.rates[encoding] !== undefined);
}

/**
 * The rates the provider documents for `encoding` (for any of its encodings where that is not
 * known), or `undefined` where it lists none.
 */
function documentedRates(
  encoding: TelephonyEncoding | undefined,
  fields: MediaFormatFields,
): readonly number[] | undefined {
  if (fields.rates === undefined) return undefined;
  if (encoding === undefined) return Object.values(fields.rates).flat();
  return fields.rates[encoding] ?? [];
}
