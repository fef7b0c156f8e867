/**
 * Small facts about parsed JSON values, shared by the reader and the serializers that build their
 * own error messages. Internal to the package.
 *
 * @module
 */

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `value` is a sequence number: a JSON number that is a whole, non-negative, safe integer. */
export function isSequenceNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** A short, printable rendering of a bad value for error messages (at most 60 characters). */
export function describe(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value));
  } catch {
    // A BigInt or a cycle: JSON cannot show it, its type tag can.
    text = Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
