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
  /** Said after the refusal of an encoding outside `encodings`: what the provider streams. */
  streams?: string;
}

/**
 * The encoding and rate a provider's media format object announces, each absent when the
 * provider left it out, ready for {@linkcode TelephonyAudio.configure}. An encoding this module
 * does not speak, or a rate it cannot resample, is a decode error naming the field and value.
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
export function readMediaFormat(format: JsonReader, fields: MediaFormatFields): TelephonyFormat {
  const name = format.optionalString(fields.encoding);
  const sampleRate = format.optionalNumber(fields.sampleRate);
  const encoding = name === undefined
    ? undefined
    : telephonyEncodingOf(name, { littleEndianL16: fields.littleEndianL16 ?? false });
  if (
    name !== undefined &&
    (encoding === undefined ||
      (fields.encodings !== undefined && !fields.encodings.includes(encoding)))
  ) {
    const streams = fields.streams === undefined ? "" : `: ${fields.streams}`;
    throw format.error(
      `unsupported ${format.pathOf(fields.encoding)} ${JSON.stringify(name)}${streams}`,
    );
  }
  if (sampleRate !== undefined && !isTelephonyRate(sampleRate, encoding)) {
    const of = name === undefined ? "" : ` for ${name}`;
    throw format.error(`${format.pathOf(fields.sampleRate)} is ${sampleRate}${of}`);
  }
  const result: TelephonyFormat = {};
  if (encoding !== undefined) result.encoding = encoding;
  if (sampleRate !== undefined) result.sampleRate = sampleRate;
  return result;
}
