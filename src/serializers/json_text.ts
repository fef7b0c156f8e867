/**
 * JSON text with the transport's errors: what cannot be written is an "encode" error, what cannot
 * be read a "decode" error, each naming the bad value.
 *
 * @module
 */

import { TransportError } from "../errors.ts";

/** `JSON.stringify`, with what it cannot encode (cycles, BigInt, undefined) as an encode error. */
export function toJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new TransportError("encode", `message is not JSON-able: ${String(cause)}`, { cause });
  }
  if (text === undefined) {
    throw new TransportError("encode", `message is not JSON-able: ${String(value)}`);
  }
  return text;
}

/** `JSON.parse`, with a decode error quoting the start of the bad text. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new TransportError(
      "decode",
      `text message is not JSON: ${JSON.stringify(text.slice(0, 40))}`,
      { cause },
    );
  }
}
