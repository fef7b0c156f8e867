/**
 * Words for what a value is, for an error message that names what it got instead.
 *
 * @module
 */

import { thrownText } from "./_thrown_text.ts";

/** What a value is: `null`, `undefined`, `a number (42)`, `an ArrayBuffer`, `a plain object`. */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== "object" && typeof value !== "function") {
    return `a ${typeof value} (${thrownText(value).slice(0, 40)})`;
  }
  let name: unknown;
  try {
    name = Object.getPrototypeOf(value)?.constructor?.name;
  } catch {
    name = undefined; // a proxy whose trap throws: still named, as an object
  }
  if (typeof name !== "string" || name === "" || name === "Object") return "a plain object";
  return withArticle(name);
}

/**
 * A number as a message shows it, anything else by its kind: `got a string (500)`, not `got 500`,
 * so that a number passed as a string does not read as the number itself.
 */
export function shownValue(value: unknown): string {
  return typeof value === "number" ? String(value) : kindOf(value);
}

/**
 * `an audio`, `a mark`, `an ArrayBuffer`; `a Uint8Array`, `a URL` (a class name's U is read
 * "you").
 */
export function withArticle(word: string): string {
  return /^[aeiou]/i.test(word) && !word.startsWith("U") ? `an ${word}` : `a ${word}`;
}
