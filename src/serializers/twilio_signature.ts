/**
 * Verifying Twilio's `X-Twilio-Signature` header with WebCrypto.
 *
 * @module
 */

import { authTokenOptions } from "./_auth_token_options.ts";
import {
  compareParams,
  maxBodyBytesOption,
  signedBodyBytes,
  signedFormParams,
} from "./_signed_body.ts";
import { hmacBase64 } from "./telephony/hmac_base64.ts";
import type { ReplayGuard } from "./telephony/replay_guard.ts";
import { timingSafeEqual } from "./telephony/timing_safe_equal.ts";

/** Options for {@linkcode verifyTwilioSignature}. */
export interface VerifyTwilioSignatureOptions {
  /** The account's auth token (the HMAC key). */
  authToken: string;
  /**
   * The URL Twilio requested, exactly as configured in Twilio (scheme, host, path, query). Behind
   * a proxy or tunnel `request.url` is often not that URL; pass the public one here.
   *
   * @default {request.url}
   */
  url?: string;
  /**
   * Refuses a validly signed request seen before (key `twilio:` and the signature). Twilio's
   * scheme has no timestamp or nonce: two requests with the same URL and parameters have the same
   * signature, so the guard refuses every repeat within its window, Twilio's own retries included,
   * and lets a replay through once the window has passed. Every call's Media Streams upgrade to
   * one fixed `<Stream url>` is such a repeat: use the guard there only when the stream URL is
   * unique per call (e.g. the call SID in its path, written by the TwiML webhook).
   *
   * @default {undefined}
   */
  replayGuard?: ReplayGuard;
  /**
   * The longest body read, in bytes: a non-negative integer (anything else is a `RangeError`;
   * the bound cannot be switched off). A longer one gives `false`, refused by its
   * `Content-Length` before a byte is read, or, streamed without one, as soon as it passes the
   * bound. Twilio's webhook bodies are a few kilobytes; the largest it documents is a
   * transcription status callback of up to 1 MB (error 17564).
   *
   * @default {1048576}
   */
  maxBodyBytes?: number;
}

/**
 * Whether `request` carries a valid `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the
 * auth token, over the full URL followed, for a form-encoded POST, by each parameter's name and
 * value sorted by name. Twilio signs the Media Streams WebSocket upgrade (a GET) too, so this fits
 * an adapter's `authorize` hook; Twilio signs the `wss://` URL of `<Stream url>`, which a server
 * sees as `http(s)://`, so pass that URL as `url`. As Twilio's own libraries do, the URL is tried
 * as given and with its port removed (any port: Twilio may sign a URL on a port of its own
 * without it) or, when it names none, with its scheme's default port added. A URL with a
 * `bodySHA256` query parameter (Twilio's JSON POSTs) binds the body by that hash instead, on any
 * method but GET and HEAD and whatever its media type; without one, a POST body that is not a
 * form (`multipart/form-data` too) gives `false`, since the signature cannot cover it, and so
 * does a body on another method (a GET, the upgrade included, is never read). The request's body
 * is read from a clone (a form only once its method and media type are checked, a hashed body only
 * once the URL's signature matches), up to the first chunk that passes `maxBodyBytes`; the
 * request stays usable. With a `replayGuard`, a signature seen before gives `false` (see its limits there).
 * Only the auth token's HMAC-SHA1 is checked: a request Twilio signed under a Webhook Rule with a
 * SharedKey (its Webhooks configuration API, in public beta), which then carries
 * `X-Twilio-Webhooks-Signature-Settings`, gives `false`.
 *
 * @example Refusing an unsigned upgrade
 * ```ts
 * import { verifyTwilioSignature } from "@x/ws-transport/twilio";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("https://example.com/media");
 * assert.equal(await verifyTwilioSignature(request, "token"), false);
 * ```
 */
export async function verifyTwilioSignature(
  request: Request,
  authToken: string | VerifyTwilioSignatureOptions,
): Promise<boolean> {
  const options: VerifyTwilioSignatureOptions = authTokenOptions(authToken);
  const maxBodyBytes = maxBodyBytesOption(options.maxBodyBytes);
  const signature = request.headers.get("x-twilio-signature");
  if (signature === null || signature === "") return false;
  const url = options.url ?? request.url;

  let suffix = "";
  const bodySha = new URL(url).searchParams.get("bodySHA256");
  const hashedBody = bodySha !== null && request.method !== "GET" && request.method !== "HEAD";
  if (!hashedBody) {
    const params = await signedFormParams(request, maxBodyBytes);
    if (params === null) return false; // a body the signature cannot cover
    // Sorted by name, then a repeated name's values, each value once (code unit order), as
    // Twilio's libraries do (twilio-python: `sorted(set(values))`).
    params.sort(compareParams);
    let previous: [string, string] | undefined;
    for (const param of params) {
      if (previous?.[0] !== param[0] || previous[1] !== param[1]) suffix += param[0] + param[1];
      previous = param;
    }
  }

  let expected: string | undefined;
  for (const candidate of urlVariants(url)) {
    const mac = await hmacBase64(candidate + suffix, { key: options.authToken, hash: "SHA-1" });
    if (!timingSafeEqual(mac, signature)) continue;
    expected = mac;
    break;
  }
  if (expected === undefined) return false;
  // A JSON body: the URL is signed, and the body is bound to it by its hash (a missing body is
  // the empty one, whose hash must match too). The URL's signature is checked first, so only a
  // request Twilio signed gets its body read.
  if (hashedBody && await bodyHash(request, maxBodyBytes) !== bodySha.toLowerCase()) return false;
  return options.replayGuard === undefined ||
    await options.replayGuard.claim(`twilio:${expected}`);
}

/**
 * The SHA-256 of `request`'s body, lower-case hex; `null` when the body cannot be checked (read
 * already, or longer than `maxBodyBytes`).
 */
async function bodyHash(request: Request, maxBodyBytes: number): Promise<string | null> {
  // Hashed as the bytes sent: text would drop a leading byte-order mark and replace bytes that
  // are not UTF-8, and the hash would no longer be Twilio's.
  const body = await signedBodyBytes(request, maxBodyBytes);
  if (body === null) return null;
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", body)));
}

/**
 * The URL as given, plus the one other spelling Twilio may have signed: without its port when it
 * names one (any port: Twilio's security notes say it drops an HTTPS URL's port before signing,
 * and twilio-python and twilio-node try the URL with every port removed), with its scheme's
 * default port when it names none. The user-info part, if any, stays as written.
 */
function urlVariants(url: string): string[] {
  // The authority ends at the first "/", "?" or "#"; the user info at its last "@"; the port is
  // the digits after the host's last ":" (a bracketed IPv6 host keeps its own colons).
  const match = /^(https?|wss?):\/\/([^/?#]*@)?([^/?#]*?)(:\d*)?([/?#].*)?$/i.exec(url);
  if (!match) return [url];
  const [, scheme, userInfo = "", host, port, rest = ""] = match;
  if (port !== undefined) return [url, `${scheme}://${userInfo}${host}${rest}`];
  const defaultPort = /^(https|wss)$/i.test(scheme!) ? ":443" : ":80";
  return [url, `${scheme}://${userInfo}${host}${defaultPort}${rest}`];
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
