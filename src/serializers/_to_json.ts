/**
 * JSON text out, with the transport's errors: what cannot be written is an "encode" error naming
 * the bad value. (Reading is `JsonReader`'s.) Internal to the serializers.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import { thrownText } from "../_thrown_text.ts";

/** `JSON.stringify`, with what it cannot encode (cycles, BigInt, undefined) as an encode error. */
export function toJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new TransportError("encode", `message is not JSON-able: ${thrownText(cause)}`, { cause });
  }
  if (text === undefined) {
    throw new TransportError("encode", `message is not JSON-able: ${String(value)}`);
  }
  return text;
}
