/**
 * {@linkcode hmacBase64}: the keyed hash most providers sign their requests with.
 *
 * @module
 */

import { encodeBase64 } from "./base64.ts";

/** Options for {@linkcode hmacBase64}. */
export interface HmacBase64Options {
  /**
   * The shared secret (the account's auth token), as text; it is used as its UTF-8 bytes. An
   * empty one is a `TypeError`.
   */
  key: string;
  /** The hash: Twilio signs with SHA-1, Plivo (V3) with SHA-256. */
  hash: "SHA-1" | "SHA-256";
}

const encoder = new TextEncoder();

/**
 * Base64 of the HMAC of `message` (as UTF-8) under `options.key`, computed with WebCrypto: what
 * Twilio's `X-Twilio-Signature` and Plivo's `X-Plivo-Signature-V3` carry. Compare the result with
 * the header through {@linkcode timingSafeEqual}.
 *
 * @example Twilio's documented webhook example
 * ```ts
 * import { hmacBase64 } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * const signed = "https://mycompany.com/myapp.php?foo=1&bar=2" +
 *   "CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212";
 * assert.equal(await hmacBase64(signed, { key: "12345", hash: "SHA-1" }), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
 * ```
 */
export async function hmacBase64(message: string, options: HmacBase64Options): Promise<string> {
  // WebCrypto refuses an empty HMAC key with a bare `DataError`; no provider signs with one.
  if (typeof options.key !== "string" || options.key === "") {
    throw new TypeError(`key must be a non-empty string, got ${typeof options.key}`);
  }
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(options.key),
    { name: "HMAC", hash: options.hash },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(message));
  return encodeBase64(new Uint8Array(mac));
}
