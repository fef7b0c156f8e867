/**
 * What the JSON-over-WebSocket platforms (Twilio, Telnyx, Plivo, Exotel) share on the far end's
 * side: reading the bot's `{"event": …}` messages, ids in each platform's shape, PCM16 bytes.
 * Written from the platforms' documentation, apart from the serializers under test.
 *
 * @module
 */

import { counted } from "../_counted.ts";
import type { FarEndContext } from "../far_end.ts";

/** A JSON object as the bot sent it. */
export type Json = Record<string, unknown>;

/**
 * The bot's message as a JSON object with a string `event`, or `null` after reporting why it is
 * not one (`rule` names the protocol, e.g. `"twilio"`).
 */
export function readEvent(
  data: string | Uint8Array,
  context: FarEndContext,
  protocol: string,
): (Json & { event: string }) | null {
  if (typeof data !== "string") {
    context.violation(
      `${protocol}.binary-message`,
      `a binary message of ${counted(data.length, "byte")}; ${protocol} takes JSON text only`,
    );
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    context.violation(`${protocol}.bad-json`, `not JSON: ${data.slice(0, 60)}`);
    return null;
  }
  if (typeof value !== "object" || value === null || typeof (value as Json).event !== "string") {
    context.violation(`${protocol}.bad-message`, `no "event": ${data.slice(0, 60)}`);
    return null;
  }
  return value as Json & { event: string };
}

/** `value[key]` when it is an object. */
export function objectAt(value: Json, key: string): Json | undefined {
  const found = value[key];
  return typeof found === "object" && found !== null && !Array.isArray(found)
    ? found as Json
    : undefined;
}

/** `prefix` followed by `length` random hex digits (SIDs look like this). */
export function hexId(prefix: string, length = 32): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return prefix + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, length);
}

/** PCM16 little-endian bytes as samples (a copy, whatever the alignment). */
export function samplesFromLittleEndian(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** Samples as PCM16 little-endian bytes. */
export function littleEndianBytes(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return out;
}
