/**
 * Verifying Twilio's `X-Twilio-Signature` header with WebCrypto.
 *
 * @module
 */

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
}

const encoder = new TextEncoder();

/**
 * Whether `request` carries a valid `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the
 * auth token, over the full URL followed, for a form-encoded POST, by each parameter's name and
 * value sorted by name. Twilio signs the Media Streams WebSocket upgrade (a GET) too, so this fits
 * an adapter's `authorize` hook; Twilio signs the `wss://` URL of `<Stream url>`, which a server
sees as `http(s)://`, so pass that URL as `url`. As Twilio's own libraries do, the URL is tried as given and with
 * its default port added or removed. A JSON POST is checked through its `bodySHA256` query
 * parameter. The request's body is read from a clone; the request stays usable.
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
  const options = typeof authToken === "string" ? { authToken } : authToken;
  if (typeof options.authToken !== "string" || options.authToken === "") {
    throw new TypeError(`authToken must be a non-empty string, got ${typeof options.authToken}`);
  }
  const signature = request.headers.get("x-twilio-signature");
  if (signature === null || signature === "") return false;
  const url = options.url ?? request.url;

  let suffix = "";
  const parsed = new URL(url);
  const bodySha = parsed.searchParams.get("bodySHA256");
  if (request.method === "POST" && request.body !== null) {
    const body = await request.clone().text();
    if (bodySha !== null) {
      const digest = await crypto.subtle.digest("SHA-256", encoder.encode(body));
      if (toHex(new Uint8Array(digest)) !== bodySha.toLowerCase()) return false;
    } else if (
      (request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")
    ) {
      const params = [...new URLSearchParams(body)];
      // Sorted by name (code unit order, as Twilio does); a repeated name keeps its values in order.
      params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [name, value] of params) suffix += name + value;
    }
  }

  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(options.authToken),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  for (const candidate of urlVariants(url)) {
    const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(candidate + suffix));
    if (timingSafeEqual(base64(new Uint8Array(mac)), signature)) return true;
  }
  return false;
}

/** The URL as given, plus with its scheme's default port added or removed. */
function urlVariants(url: string): string[] {
  const variants = [url];
  const match = /^(https?|wss?):\/\/([^/?#:]+)(:\d+)?(.*)$/i.exec(url);
  if (match) {
    const [, scheme, host, port, rest] = match;
    const secure = /^(https|wss)$/i.test(scheme!);
    const defaultPort = secure ? ":443" : ":80";
    if (port === undefined) variants.push(`${scheme}://${host}${defaultPort}${rest}`);
    else if (port === defaultPort) variants.push(`${scheme}://${host}${rest}`);
  }
  return variants;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
