/**
 * {@linkcode timingSafeEqual}: comparing a received signature with the expected one.
 *
 * @module
 */

/**
 * Whether two strings are equal, in time that depends only on their lengths (never on where they
 * first differ), so that comparing a received signature with the expected one leaks nothing an
 * attacker could use to guess it byte by byte. Signatures of one scheme all have one length, so
 * the early answer on a length mismatch tells nothing either.
 *
 * @example Checking a signature header
 * ```ts
 * import { timingSafeEqual } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * assert.equal(timingSafeEqual("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="), true);
 * assert.equal(timingSafeEqual("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "1/KCTR6DLpKmkAf8muzZqo1nDgQ="), false);
 * ```
 */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
