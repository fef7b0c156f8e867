/**
 * {@linkcode JsonReader}: strict, path-tracking reads of a provider's JSON messages.
 *
 * @module
 */

import { TransportError } from "../../errors.ts";
import { describe, isObject, isSequenceNumber, type JsonObject } from "./_json_value.ts";
import { isKeypadDigit } from "../../_keypad_digits.ts";

export type { JsonObject } from "./_json_value.ts";

/** Options for {@linkcode JsonReader}. */
export interface JsonReaderOptions {
  /** The provider's name; every error message starts with it. */
  provider: string;
  /**
   * Where `value` sits in the message, for error messages (`"start.mediaFormat"`); `""` is the
   * message itself.
   *
   * @default {""}
   */
  path?: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A number as the providers' pages write one inside a string: digits, with an optional minus and
 * fraction. Twilio's "Media message" (`"chunk": "1"`, `"timestamp": "5"`), Telnyx's media frames
 * (`"sequence_number": "1"`) and Exotel's (`"chunk": "2"`, `"timestamp": "200"`,
 * `"sample_rate": "8000"`) show digits only; the minus and the fraction are what the same number
 * sent as JSON may hold, so a string reads no wider than that. No exponent, sign `+`, radix
 * prefix, or spaces: none is on any page, and each is how a mangled value slips in.
 */
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

/**
 * Reads one JSON object strictly. Each read names the field it wants; a missing or mistyped field
 * is a `TransportError` with code `"decode"` whose message names the provider, the field's whole
 * path and the value found (`Twilio: media.payload is not a string: 5`), so a deserializer never
 * lets a `TypeError` escape and never needs to spell a path twice. `object()` and
 * `optionalObject()` return a reader for the nested object that knows its own path.
 *
 * "Optional" reads treat `undefined` and `null` alike as absent: providers send both. Only the
 * object's own fields are read: `optionalString("constructor")` on `{}` is `undefined`.
 *
 * @example Reading a media message
 * ```ts
 * import { JsonReader } from "@x/ws-transport/telephony";
 * import { TransportError } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const message = JsonReader.parse('{"event":"media","media":{"payload":"AAA="}}', "Example");
 * assert.equal(message.string("event"), "media");
 * assert.equal(message.object("media").string("payload"), "AAA=");
 * assert.throws(
 *   () => message.object("media").string("track"),
 *   (e) => e instanceof TransportError && e.message === "Example: media.track is not a string: undefined",
 * );
 * ```
 */
export class JsonReader {
  /** The object being read. */
  readonly value: JsonObject;
  readonly #provider: string;
  readonly #path: string;

  /** Reads `value`; see {@linkcode JsonReaderOptions}. */
  constructor(value: JsonObject, options: JsonReaderOptions) {
    this.value = value;
    this.#provider = options.provider;
    this.#path = options.path ?? "";
  }

  /**
   * Parses one inbound message (text, or UTF-8 bytes when a proxy delivered it as binary) that
   * must be a JSON object; anything else is a decode error.
   */
  static parse(data: string | Uint8Array, provider: string): JsonReader {
    const value = JsonReader.parseValue(data, provider);
    if (!isObject(value)) {
      throw decodeError(provider, `message is not an object: ${describe(value)}`);
    }
    return new JsonReader(value, { provider });
  }

  /** Parses one inbound message as any JSON value; what is not JSON is a decode error. */
  static parseValue(data: string | Uint8Array, provider: string): unknown {
    let text: string;
    if (typeof data === "string") text = data;
    else {
      try {
        text = utf8.decode(data);
      } catch (cause) {
        throw decodeError(provider, `binary message of ${data.length} bytes is not UTF-8`, cause);
      }
    }
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw decodeError(provider, `message is not JSON: ${describe(text)}`, cause);
    }
  }

  /** The provider's name the errors start with. */
  get provider(): string {
    return this.#provider;
  }

  /** This object's path in the message (`""` for the message itself). */
  get path(): string {
    return this.#path;
  }

  /** The path of the field `key` of this object, as error messages show it. */
  pathOf(key: string): string {
    return this.#path === "" ? key : `${this.#path}.${key}`;
  }

  /** A decode error for this provider: `"${provider}: ${message}"`. */
  error(message: string, cause?: unknown): TransportError {
    return decodeError(this.#provider, message, cause);
  }

  /** The field `key`, which must be an object. */
  object(key: string): JsonReader {
    const value = this.#field(key);
    if (!isObject(value)) throw this.#wrong(key, "an object");
    return new JsonReader(value, { provider: this.#provider, path: this.pathOf(key) });
  }

  /** The field `key` when present, which must then be an object. */
  optionalObject(key: string): JsonReader | undefined {
    const value = this.#field(key);
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) throw this.#wrong(key, "an object");
    return new JsonReader(value, { provider: this.#provider, path: this.pathOf(key) });
  }

  /** The field `key`, which must be a string. */
  string(key: string): string {
    const value = this.#field(key);
    if (typeof value !== "string") throw this.#wrong(key, "a string");
    return value;
  }

  /** The field `key` when present, which must then be a string. */
  optionalString(key: string): string | undefined {
    const value = this.#field(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw this.#wrong(key, "a string");
    return value;
  }

  /**
   * The field `key` when present, which must then be a finite number: a JSON number, or a string
   * holding a plain decimal number (`"3"`, `"-2"`, `"0.5"`). Providers disagree on whether
   * numbers travel as JSON numbers or strings (Twilio, Telnyx and Exotel send `"chunk": "3"`), and
   * the strings their pages show are digits only. Any other spelling `Number()` would take
   * (`"0x10"`, `"0b1"`, `"1e3"`, `" 7 "`, `"+5"`, `".5"`) is no number a provider sends: read as
   * one, a mangled `"0x10"` chunk became media 16 and moved the reorder stage's timeline.
   */
  optionalNumber(key: string): number | undefined {
    const value = this.#field(key);
    if (value === undefined || value === null) return undefined;
    const number = typeof value === "number"
      ? value
      : typeof value === "string" && PLAIN_DECIMAL.test(value)
      ? Number(value)
      : NaN;
    if (!Number.isFinite(number)) throw this.#wrong(key, "a number");
    return number;
  }

  /** The field `key`, which must be a JSON number that is a whole, non-negative, safe integer. */
  sequenceNumber(key: string): number {
    const value = this.#field(key);
    if (!isSequenceNumber(value)) throw this.#wrong(key, "a sequence number");
    return value;
  }

  /**
   * The field `key` when present, as a record of strings. Numbers and booleans become strings
   * (custom parameters are strings on every provider, but a hand-written TwiML or flow may
   * produce `1` or `true`); nested objects are an error. Every name is kept as an own field,
   * `"__proto__"` too.
   */
  optionalStringRecord(key: string): Record<string, string> | undefined {
    const value = this.#field(key);
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) throw this.#wrong(key, "an object");
    const entries: [string, string][] = [];
    for (const [name, item] of Object.entries(value)) {
      if (typeof item === "string") entries.push([name, item]);
      else if (typeof item === "number" || typeof item === "boolean") {
        entries.push([name, String(item)]);
      } else {
        throw this.error(`${this.pathOf(key)}.${name} is not a string: ${describe(item)}`);
      }
    }
    // Defined, not assigned: assigning `record["__proto__"]` would hit the prototype's setter and
    // lose a parameter of that name, which the parsed JSON holds as an ordinary field.
    return Object.fromEntries(entries);
  }

  /**
   * The field `key` as a keypad digit: "0"–"9", "*", "#", "A"–"D" (lower-case letters and the
   * numbers 0–9 accepted).
   */
  dtmfDigit(key: string): string {
    const value = this.#field(key);
    const digit = typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 9
      ? String(value)
      : typeof value === "string" && value.length === 1
      ? value.toUpperCase()
      : undefined;
    if (digit === undefined || !isKeypadDigit(digit)) throw this.#wrong(key, "a keypad digit");
    return digit;
  }

  /**
   * The object's own field `key`, `undefined` when it has none: an inherited member
   * (`"constructor"`, `"toString"`) is no field of the message.
   */
  #field(key: string): unknown {
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  #wrong(key: string, what: string): TransportError {
    return this.error(`${this.pathOf(key)} is not ${what}: ${describe(this.#field(key))}`);
  }
}

function decodeError(provider: string, message: string, cause?: unknown): TransportError {
  return new TransportError(
    "decode",
    `${provider}: ${message}`,
    cause === undefined ? {} : { cause },
  );
}
