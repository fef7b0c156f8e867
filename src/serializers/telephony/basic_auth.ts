/**
 * {@linkcode basicAuth}: the `Authorization` header of REST hang-ups.
 *
 * @module
 */

import { encodeBase64 } from "./base64.ts";

const encoder = new TextEncoder();

/**
 * The `Authorization` header value for HTTP Basic auth: `Basic ` and base64 of `user:password`
 * as UTF-8 (RFC 7617), as Twilio's and Plivo's REST APIs take their account credentials.
 *
 * @example An account SID and auth token
 * ```ts
 * import { basicAuth } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * assert.equal(basicAuth("AC1", "tok"), "Basic QUMxOnRvaw==");
 * ```
 */
export function basicAuth(user: string, password: string): string {
  return `Basic ${encodeBase64(encoder.encode(`${user}:${password}`))}`;
}
