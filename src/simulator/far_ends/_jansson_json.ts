/**
 * JSON as Asterisk reads and writes it: through Jansson (akheron/jansson), which Asterisk's
 * main/json.c wraps. The simulated chan_websocket answers in JSON control messages built as
 * chan_websocket.c builds them, so the bytes a bot reads are the bytes Asterisk writes:
 *
 * - Written (`ast_json_dump_string_format(…, AST_JSON_COMPACT)`: `json_dumps` with
 *   `JSON_COMPACT`): no spaces, keys in the order they were packed, `/` and non-ASCII as they are,
 *   and a control character without a short escape as `\u` and four UPPERCASE hex digits (Jansson
 *   src/dump.c `dump_string`: `"\\u%04X"`), where `JSON.stringify` writes them lowercase.
 * - Read (`ast_json_load_buf`: `json_loadb` with no flags): the text must be an object or an
 *   array (no `JSON_DECODE_ANY`), and no string may hold `\u0000` (no `JSON_ALLOW_NUL`) or a lone
 *   UTF-16 surrogate (src/load.c, "invalid Unicode"): `JSON.parse` takes all three.
 *
 * @module
 */

/** `value` as Jansson's `json_dumps(value, JSON_COMPACT)` writes it. */
export function janssonCompact(value: Record<string, unknown>): string {
  // JSON.stringify's escapes are Jansson's but for the case of the hex digits. Matched escape
  // by escape, from the left, so an escaped backslash before a literal "u00…" stays as it is.
  return JSON.stringify(value).replace(
    /\\(?:u([0-9a-f]{4})|.)/g,
    (escape, hex: string | undefined) => hex === undefined ? escape : `\\u${hex.toUpperCase()}`,
  );
}

/**
 * `text` parsed as Jansson's `json_loadb(text, len, 0, …)` parses it, or `undefined` where Jansson
 * fails (chan_websocket.c then answers `ERROR … Unable to parse JSON command`).
 */
export function janssonLoad(text: string): object | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  return holdsNoBadString(value) ? value : undefined;
}

/** Whether no key or string anywhere in `value` holds a NUL or a lone surrogate. */
function holdsNoBadString(value: unknown): boolean {
  if (typeof value === "string") return value.isWellFormed() && !value.includes("\0");
  if (typeof value !== "object" || value === null) return true;
  if (Array.isArray(value)) return value.every(holdsNoBadString);
  return Object.entries(value).every(([key, item]) =>
    holdsNoBadString(key) && holdsNoBadString(item)
  );
}
