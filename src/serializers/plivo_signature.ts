/**
 * Verifying Plivo's V3 request signatures (`X-Plivo-Signature-V3`) with WebCrypto.
 *
 * @module
 */

import { timingSafeEqual } from "./twilio_signature.ts";

/** Options for {@linkcode verifyPlivoSignature}. */
export interface VerifyPlivoSignatureOptions {
  /** The account's (or sub-account's) auth token (the HMAC key). */
  authToken: string;
  /**
   * The URL Plivo requested, exactly as configured in Plivo. Behind a proxy or tunnel
   * `request.url` is often not that URL; pass the public one here.
   *
   * @default {request.url}
   */
  url?: string;
}

const encoder = new TextEncoder();

/**
 * Whether `request` carries a valid Plivo V3 signature: `X-Plivo-Signature-V3` holds one or more
 * comma-separated base64 HMAC-SHA256 values, keyed with the auth token, over
 * `${base}.${X-Plivo-Signature-V3-Nonce}`. For a GET (the WebSocket upgrade included) `base` is the
 * URL without its query, then `?` and the query parameters sorted by name and value as `k=v`
 * joined by `&` (when there are any). For a form-encoded POST the sorted query (if any) is
 * followed by `.`, then each POST parameter as name and value, sorted, with no separators — as
 * Plivo's server SDKs compute it. The body is read from a clone; the request stays usable.
 *
 * @example Refusing an unsigned request
 * ```ts
 * import { verifyPlivoSignature } from "@x/ws-transport/plivo";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("https://example.com/stream");
 * assert.equal(await verifyPlivoSignature(request, "token"), false);
 * ```
 */
export async function verifyPlivoSignature(
  request: Request,
  authToken: string | VerifyPlivoSignatureOptions,
): Promise<boolean> {
  const options = typeof authToken === "string" ? { authToken } : authToken;
  if (typeof options.authToken !== "string" || options.authToken === "") {
    throw new TypeError(`authToken must be a non-empty string, got ${typeof options.authToken}`);
  }
  const header = request.headers.get("x-plivo-signature-v3");
  const nonce = request.headers.get("x-plivo-signature-v3-nonce");
  if (header === null || nonce === null) return false;

  const url = new URL(options.url ?? request.url);
  let base = `${url.protocol}//${url.host}${url.pathname}`;
  const query = sortedQuery([...url.searchParams]);
  let post: [string, string][] = [];
  if (
    request.method === "POST" && request.body !== null &&
    (request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")
  ) {
    post = [...new URLSearchParams(await request.clone().text())];
  }
  if (request.method === "POST" && post.length > 0) {
    base += `?${query}${query.length > 0 ? "." : ""}`;
    post.sort(compareParams);
    for (const [name, value] of post) base += name + value;
  } else if (query.length > 0) {
    base += `?${query}`;
  }

  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(options.authToken),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, encoder.encode(`${base}.${nonce}`)),
  );
  let binary = "";
  for (const byte of mac) binary += String.fromCharCode(byte);
  const expected = btoa(binary);
  return header.split(",").some((candidate) => timingSafeEqual(candidate.trim(), expected));
}

function compareParams(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function sortedQuery(params: [string, string][]): string {
  return params.sort(compareParams).map(([name, value]) => `${name}=${value}`).join("&");
}
