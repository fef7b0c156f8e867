/**
 * Strict readers for the JSON messages telephony providers send. Every reader throws a
 * `TransportError` with code `"decode"` naming the field and the value it found, so a
 * deserializer never lets a `TypeError` from a missing or mistyped field escape.
 *
 * Internal to the serializers; not part of the public API.
 *
 * @module
 */

import { TransportError } from "../errors.ts";

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A short, printable rendering of a bad value for error messages. */
export function describe(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Throws a decode error for `provider`. */
export function decodeError(provider: string, message: string, cause?: unknown): TransportError {
  return new TransportError(
    "decode",
    `${provider}: ${message}`,
    cause === undefined ? {} : { cause },
  );
}

/**
 * Parses one inbound message (text, or UTF-8 bytes when a proxy delivered it as binary) into a
 * JSON object with a string `event`.
 */
export function parseEventMessage(
  data: string | Uint8Array,
  provider: string,
): { event: string; message: JsonObject } {
  let text: string;
  if (typeof data === "string") text = data;
  else {
    try {
      text = utf8.decode(data);
    } catch (cause) {
      throw decodeError(provider, `binary message of ${data.length} bytes is not UTF-8`, cause);
    }
  }
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (cause) {
    throw decodeError(provider, `message is not JSON: ${describe(text)}`, cause);
  }
  if (!isObject(message)) {
    throw decodeError(provider, `message is not an object: ${describe(message)}`);
  }
  const event = message.event;
  if (typeof event !== "string") {
    throw decodeError(provider, `message.event is not a string: ${describe(event)}`);
  }
  return { event, message };
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `owner[key]` as an object, or a decode error naming `path`. */
export function objectAt(
  owner: JsonObject,
  key: string,
  path: string,
  provider: string,
): JsonObject {
  const value = owner[key];
  if (!isObject(value)) throw decodeError(provider, `${path} is not an object: ${describe(value)}`);
  return value;
}

/** `owner[key]` as an object when present (undefined or null count as absent). */
export function optionalObjectAt(
  owner: JsonObject,
  key: string,
  path: string,
  provider: string,
): JsonObject | undefined {
  const value = owner[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw decodeError(provider, `${path} is not an object: ${describe(value)}`);
  return value;
}

/** `owner[key]` as a string, or a decode error naming `path`. */
export function stringAt(owner: JsonObject, key: string, path: string, provider: string): string {
  const value = owner[key];
  if (typeof value !== "string") {
    throw decodeError(provider, `${path} is not a string: ${describe(value)}`);
  }
  return value;
}

/** `owner[key]` as a string when present (undefined or null count as absent). */
export function optionalStringAt(
  owner: JsonObject,
  key: string,
  path: string,
  provider: string,
): string | undefined {
  const value = owner[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw decodeError(provider, `${path} is not a string: ${describe(value)}`);
  }
  return value;
}

/**
 * `owner[key]` as a finite number when present. Providers disagree on whether numbers travel
 * as JSON numbers or strings (Twilio and Telnyx send `"sequenceNumber": "3"`), so numeric
 * strings are accepted too.
 */
export function optionalNumberAt(
  owner: JsonObject,
  key: string,
  path: string,
  provider: string,
): number | undefined {
  const value = owner[key];
  if (value === undefined || value === null) return undefined;
  const number = typeof value === "number"
    ? value
    : typeof value === "string" && value.trim() !== ""
    ? Number(value)
    : NaN;
  if (!Number.isFinite(number)) {
    throw decodeError(provider, `${path} is not a number: ${describe(value)}`);
  }
  return number;
}

/**
 * `owner[key]` as a record of string values when present. Numbers and booleans are turned into
 * strings (custom parameters are strings on every provider, but a hand-written TwiML or flow may
 * produce `1` or `true`); nested objects are an error.
 */
export function optionalStringRecordAt(
  owner: JsonObject,
  key: string,
  path: string,
  provider: string,
): Record<string, string> | undefined {
  const value = owner[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw decodeError(provider, `${path} is not an object: ${describe(value)}`);
  const record: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (typeof item === "string") record[name] = item;
    else if (typeof item === "number" || typeof item === "boolean") record[name] = String(item);
    else throw decodeError(provider, `${path}.${name} is not a string: ${describe(item)}`);
  }
  return record;
}

const DTMF_DIGITS = new Set([
  "0",
  "1",
  "2",
  "3",
  "4",
  "5",
  "6",
  "7",
  "8",
  "9",
  "*",
  "#",
  "A",
  "B",
  "C",
  "D",
]);

/** A keypad digit from `owner[key]` ("0"–"9", "*", "#", "A"–"D"; lower-case letters accepted). */
export function dtmfDigitAt(
  owner: JsonObject,
  key: string,
  path: string,
  provider: string,
): string {
  const value = owner[key];
  const digit = typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 9
    ? String(value)
    : typeof value === "string"
    ? value.toUpperCase()
    : undefined;
  if (digit === undefined || !DTMF_DIGITS.has(digit)) {
    throw decodeError(provider, `${path} is not a keypad digit: ${describe(value)}`);
  }
  return digit;
}
