/**
 * Verifying Plivo's V3 request signatures (`X-Plivo-Signature-V3`, and `X-Plivo-Signature-Ma-V3`
 * signed with the main account's token) with WebCrypto.
 *
 * @module
 */

import { authTokenOptions } from "./_auth_token_options.ts";
import { compareParams, maxBodyBytesOption, signedFormParams } from "./_signed_body.ts";
import { hmacBase64 } from "./telephony/hmac_base64.ts";
import type { ReplayGuard } from "./telephony/replay_guard.ts";
import { timingSafeEqual } from "./telephony/timing_safe_equal.ts";

/** Options for {@linkcode verifyPlivoSignature}. */
export interface VerifyPlivoSignatureOptions {
  /**
   * The auth token (the HMAC key): the call's account's or sub-account's (`X-Plivo-Signature-V3`),
   * or the main account's (`X-Plivo-Signature-Ma-V3`).
   */
  authToken: string;
  /**
   * The URL Plivo requested, exactly as configured in Plivo. Behind a proxy or tunnel
   * `request.url` is often not that URL; pass the public one here.
   *
   * @default {request.url}
   */
  url?: string;
  /**
   * Refuses a validly signed request whose `X-Plivo-Signature-V3-Nonce` was seen before (key
   * `plivo:` and the nonce). Plivo makes a fresh nonce per request, so a repeat is a replay; the
   * nonce carries no time, so the guard can only remember it for its own window, and a replay
   * after the window has passed gets through.
   *
   * @default {undefined}
   */
  replayGuard?: ReplayGuard;
  /**
   * The longest body read, in bytes: a non-negative integer (anything else is a `RangeError`;
   * the bound cannot be switched off). A longer one gives `false`, refused by its
   * `Content-Length` before a byte is read, or, streamed without one, as soon as it passes the
   * bound. Plivo's requests are a call's form parameters, a few kilobytes; it documents no size.
   *
   * @default {1048576}
   */
  maxBodyBytes?: number;
}

/**
 * Whether `request` carries a valid Plivo V3 signature: `X-Plivo-Signature-V3` holds one or more
 * comma-separated base64 HMAC-SHA256 values, keyed with the auth token, over
 * `${base}.${X-Plivo-Signature-V3-Nonce}`. `base` is the URL's scheme, authority and path as
 * given (the scheme lower-cased), then, for a GET (the WebSocket upgrade included), `?` and the
 * query parameters sorted by name and value as `k=v` joined by `&` (when there are any). For a
 * form-encoded POST with parameters the sorted query (possibly empty) follows a `?`, then `.`
 * when the query is not empty, then each POST parameter as name and value, sorted, with no
 * separators. Parameters are compared decoded: `?a=1&b=2` and `?a=1%26b%3D2` sign alike. A POST
 * body that is not a form (`multipart/form-data` too) gives `false`: the signature cannot cover it.
 * So does a nonce with a `.` in it, which would move where the signed URL ends.
 *
 * This is what Plivo's own SDKs compute (plivo-python `plivo/utils/signature_v3.py`, whose
 * `parse_qs` decodes the query before `get_sorted_query_string` joins it back unescaped, and
 * plivo-node `lib/utils/v3Security.js`, likewise through `querystring.parse`), and it matches
 * both on the points where they agree; it follows Python on the scheme's case. The body is read
 * from a clone, after its method and media type are checked (a GET, the upgrade included, is
 * never read; a body on another method gives `false`) and at most `maxBodyBytes` of it; the
 * request stays usable. With a `replayGuard`, a nonce seen before gives `false`.
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
  const options: VerifyPlivoSignatureOptions = authTokenOptions(authToken);
  const maxBodyBytes = maxBodyBytesOption(options.maxBodyBytes);
  // V3 is signed with the token of the account (or sub-account) the call belongs to, Ma-V3 with
  // the main account's: either, checked against the token given, lets a main account's token
  // verify its sub-accounts' calls.
  const headers = ["x-plivo-signature-v3", "x-plivo-signature-ma-v3"]
    .map((name) => request.headers.get(name))
    .filter((value) => value !== null);
  const nonce = request.headers.get("x-plivo-signature-v3-nonce");
  // The signed text is `${base}.${nonce}`: a nonce with a "." in it would let a captured
  // signature for `…/answer.php` pass for `…/answer` with the nonce `php.<nonce>` (or for a
  // query or form cut at any "."). Plivo's nonces are digits ("05429567804466091622" in its
  // signature-validation guide), so none of its own is refused.
  if (headers.length === 0 || nonce === null || nonce.includes(".")) return false;

  const { base: url, query: rawQuery } = splitUrl(options.url ?? request.url);
  let base = url;
  // "&" first: given a string, URLSearchParams drops a leading "?", which `URL.searchParams` and
  // Python's `parse_qs` keep ("??a=1" has the parameter "?a").
  const query = sortedQuery([...new URLSearchParams(`&${rawQuery}`)]);
  const post = await signedFormParams(request, maxBodyBytes);
  if (post === null) return false; // a body the signature cannot cover
  if (request.method === "POST" && post.length > 0) {
    base += `?${query}${query.length > 0 ? "." : ""}`;
    post.sort(compareParams);
    for (const [name, value] of post) base += name + value;
  } else if (query.length > 0) {
    base += `?${query}`;
  }

  const expected = await hmacBase64(`${base}.${nonce}`, {
    key: options.authToken,
    hash: "SHA-256",
  });
  // Plivo's SDKs split on "," and compare each entry as is (no trimming).
  const candidates = headers.flatMap((header) => header.split(","));
  if (!candidates.some((candidate) => timingSafeEqual(candidate, expected))) return false;
  return options.replayGuard === undefined || await options.replayGuard.claim(`plivo:${nonce}`);
}

/**
 * `scheme://authority/path` as written (no URL normalization: Python's `urlparse`/`urlunparse`
 * keep the host's case, a default port and the path's escapes; it lower-cases the scheme) and
 * the raw query, without the fragment.
 */
function splitUrl(url: string): { base: string; query: string } {
  const hash = url.indexOf("#");
  const withoutFragment = hash < 0 ? url : url.slice(0, hash);
  const question = withoutFragment.indexOf("?");
  const base = question < 0 ? withoutFragment : withoutFragment.slice(0, question);
  const colon = base.indexOf(":");
  return {
    base: colon < 0 ? base : base.slice(0, colon).toLowerCase() + base.slice(colon),
    query: question < 0 ? "" : withoutFragment.slice(question + 1),
  };
}

function sortedQuery(params: [string, string][]): string {
  return params.sort(compareParams).map(([name, value]) => `${name}=${value}`).join("&");
}
