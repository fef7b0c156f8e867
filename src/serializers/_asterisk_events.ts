/**
 * Reading Asterisk `chan_websocket` control events in either of its two formats, and the channel
 * formats it carries that the telephony kit can speak. Internal to `AsteriskSerializer`.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import { describe, isObject, type JsonObject } from "./telephony/_json_value.ts";
import { JsonReader } from "./telephony/json_reader.ts";
import type { TelephonyEncoding } from "./telephony/telephony_encoding.ts";
import { setOwnField } from "./_own_field.ts";

const PROVIDER = "Asterisk";

/** One control event, whichever format it came in. */
export interface AsteriskEvent {
  /** The event's name (`MEDIA_START`, `DTMF_END`, …). */
  event: string;
  /**
   * Its parameters: JSON values as sent, or the plain-text form's `key:value` pairs as strings
   * (`STATUS`'s counts and flags as the JSON form types them).
   * `MEDIA_MARK_PROCESSED` and `MEDIA_BUFFERING_COMPLETED` carry their id as `correlation_id`.
   */
  fields: JsonObject;
  /** Whether it came in the JSON format. */
  json: boolean;
}

/** Events whose plain-text form is `EVENT <correlation id>` rather than `key:value` pairs. */
const ID_EVENTS = new Set(["MEDIA_MARK_PROCESSED", "MEDIA_BUFFERING_COMPLETED"]);

/**
 * The fields a plain-text event spells as text but the JSON form sends as numbers and booleans
 * (`STATUS`, chan_websocket.c: `queue_length:%d xon_level:%d xoff_level:%d queue_full:%s
 * bulk_media:%s media_paused:%s`, "true"/"false"): read as JSON has them, so a bot's
 * `if (status.queue_full)` means the same on either format ("false" as text is truthy).
 */
const TYPED_FIELDS: Readonly<Record<string, Readonly<Record<string, "count" | "flag">>>> = {
  STATUS: {
    queue_length: "count",
    xon_level: "count",
    xoff_level: "count",
    queue_full: "flag",
    bulk_media: "flag",
    media_paused: "flag",
  },
};

/** A plain-text event's name: upper-case words joined by underscores. */
const EVENT_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * Reads a TEXT message: JSON when it starts with `{` (the `json` control format, Asterisk 20.18 /
 * 22.8 / 23.2 and later), the single-line plain-text format otherwise. Throws a
 * `TransportError("decode")` for anything else.
 */
export function readAsteriskEvent(text: string): AsteriskEvent {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    const reader = JsonReader.parse(trimmed, PROVIDER);
    return { event: reader.string("event"), fields: reader.value, json: true };
  }
  if (trimmed.includes("\n")) {
    throw decodeError(`a plain-text event spans lines: ${describe(trimmed)}`);
  }
  const space = trimmed.indexOf(" ");
  const event = space < 0 ? trimmed : trimmed.slice(0, space);
  if (!EVENT_NAME.test(event)) throw decodeError(`not a control event: ${describe(trimmed)}`);
  const rest = space < 0 ? "" : trimmed.slice(space + 1).trim();
  const fields: JsonObject = {};
  if (ID_EVENTS.has(event)) {
    if (rest !== "") fields.correlation_id = rest;
    return { event, fields, json: false };
  }
  // `key:value` pairs separated by spaces; a word without a colon continues the value before it
  // (an `ERROR`'s error_text is free text).
  let key: string | undefined;
  for (const word of rest.split(" ")) {
    if (word === "") continue;
    const colon = word.indexOf(":");
    if (colon > 0 && /^[a-z_]+$/.test(word.slice(0, colon))) {
      key = word.slice(0, colon);
      fields[key] = word.slice(colon + 1);
    } else if (key !== undefined) {
      fields[key] = `${fields[key]} ${word}`;
    } else {
      throw decodeError(`${event} has a parameter without a name: ${describe(word)}`);
    }
  }
  const typed = TYPED_FIELDS[event];
  if (typed !== undefined) typeFields(fields, typed);
  return { event, fields, json: false };
}

/**
 * Gives `fields` named in `typed` the JSON form's types: digits become a number, "true" and
 * "false" a boolean. A value of another spelling stays text (the bot sees what came).
 */
function typeFields(fields: JsonObject, typed: Readonly<Record<string, "count" | "flag">>): void {
  for (const [key, kind] of Object.entries(typed)) {
    const value = fields[key];
    if (typeof value !== "string") continue;
    if (kind === "count" && /^\d{1,15}$/.test(value)) fields[key] = Number(value);
    else if (kind === "flag" && (value === "true" || value === "false")) {
      fields[key] = value === "true";
    }
  }
}

/** A field that must be a string (plain text) or a string or number (JSON). */
export function textField(event: AsteriskEvent, key: string): string {
  const value = event.fields[key];
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  throw decodeError(`${event.event} has no ${key}: ${describe(value)}`);
}

/** A field, when present, as a string. */
export function optionalTextField(event: AsteriskEvent, key: string): string | undefined {
  return event.fields[key] === undefined || event.fields[key] === null
    ? undefined
    : textField(event, key);
}

/** A field that must be a positive whole number (sent as a number, or digits in plain text). */
export function countField(event: AsteriskEvent, key: string): number {
  const text = textField(event, key);
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
    throw decodeError(`${event.event} ${key} is not a positive whole number: ${describe(text)}`);
  }
  return value;
}

/** The channel variables of a JSON `MEDIA_START`, as strings. */
export function channelVariables(event: AsteriskEvent): Record<string, string> {
  const variables = event.fields.channel_variables;
  if (variables === undefined || variables === null) return {};
  if (!isObject(variables)) {
    throw decodeError(`MEDIA_START channel_variables is not an object: ${describe(variables)}`);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    setOwnField(out, name, typeof value === "string" ? value : JSON.stringify(value));
  }
  return out;
}

/** A channel format this package speaks: how samples travel and at what rate. */
export interface AsteriskFormat {
  /** The telephony kit's encoding. */
  encoding: TelephonyEncoding;
  /**
   * Samples per second, as Asterisk counts them (`ast_format_get_sample_rate`): G.722's audio
   * rate, 16000, though its bytes go at 8,000 a second (RTP's clock for it).
   */
  sampleRate: number;
  /**
   * The byte that is silence in this encoding. G.722 has none (`SILENCE_BYTE`): the serializer
   * pads with zeros coded by its encoder instead; 0xFC is what fades a decoder out.
   */
  silence: number;
}

/**
 * Asterisk's format names (`ast_format_get_name`) for the codecs carried here. `slin*` is signed
 * linear in the host's byte order, little-endian on the x86 and ARM machines Asterisk runs on.
 * `g722` is 16 kHz audio at 64 kbit/s (main/codec_builtin.c: `sample_rate` 16000, 80 bytes a
 * 10 ms `minimum_ms`, `default_ms` 20), so chan_websocket frames it in 160 bytes
 * (`optimal_frame_size` = default_ms × minimum_bytes / minimum_ms) and re-frames it freely
 * (`minimum_bytes` over 10: no passthrough).
 * `slin12`, `slin32`, `slin96` and `slin192` are the same signed linear at 12, 32, 96 and 192 kHz
 * (main/codec_builtin.c: `sample_rate` 12000 … 192000, `minimum_bytes` 240, 640, 1920, 3840 a
 * 10 ms `minimum_ms`, `default_ms` 20: 480-, 1280-, 3840- and 7680-byte frames).
 * Not here: the passthrough codecs (`opus`, `speex`, `g729`), which need framing this package
 * does not do.
 */
export const ASTERISK_FORMATS: Readonly<Record<string, AsteriskFormat>> = Object.freeze({
  ulaw: { encoding: "mulaw", sampleRate: 8000, silence: 0xff },
  alaw: { encoding: "alaw", sampleRate: 8000, silence: 0xd5 },
  slin: { encoding: "pcm16le", sampleRate: 8000, silence: 0 },
  slin12: { encoding: "pcm16le", sampleRate: 12000, silence: 0 },
  slin16: { encoding: "pcm16le", sampleRate: 16000, silence: 0 },
  slin24: { encoding: "pcm16le", sampleRate: 24000, silence: 0 },
  slin32: { encoding: "pcm16le", sampleRate: 32000, silence: 0 },
  slin44: { encoding: "pcm16le", sampleRate: 44100, silence: 0 },
  slin48: { encoding: "pcm16le", sampleRate: 48000, silence: 0 },
  slin96: { encoding: "pcm16le", sampleRate: 96000, silence: 0 },
  slin192: { encoding: "pcm16le", sampleRate: 192000, silence: 0 },
  g722: { encoding: "g722", sampleRate: 16000, silence: 0xfc },
});

/** The format named `name`, or a decode error that says which formats to dial with. */
export function asteriskFormat(name: string): AsteriskFormat {
  const format = Object.hasOwn(ASTERISK_FORMATS, name) ? ASTERISK_FORMATS[name] : undefined;
  if (format === undefined) {
    throw decodeError(
      `the channel's format ${describe(name)} is not one this serializer speaks; dial with ` +
        `c(<format>) for one of ${Object.keys(ASTERISK_FORMATS).join(", ")}`,
    );
  }
  return format;
}

function decodeError(message: string): TransportError {
  return new TransportError("decode", `${PROVIDER}: ${message}`);
}
