/**
 * Verifying Telnyx's Ed25519 webhook signatures with WebCrypto.
 *
 * @module
 */

import { concatBytes } from "../audio/_concat_bytes.ts";
import { maxBodyBytesOption, signedBodyBytes } from "./_signed_body.ts";
import { decodeBase64, encodeBase64 } from "./telephony/base64.ts";
import type { ReplayGuard } from "./telephony/replay_guard.ts";

/** Options for {@linkcode verifyTelnyxSignature}. */
export interface VerifyTelnyxSignatureOptions {
  /** The account's public key as shown in the Telnyx portal (base64 of the 32 raw bytes). */
  publicKey: string;
  /**
   * How old (or how far in the future) `telnyx-timestamp` may be, in seconds: a positive, finite
   * number (anything else is a `RangeError`; the check cannot be switched off).
   *
   * @default {300}
   */
  toleranceSeconds?: number;
  /**
   * The current time in milliseconds since the epoch (injectable for tests); a value that is not
   * a finite number is a `RangeError`.
   *
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Refuses a validly signed request seen before (key `telnyx:`, the timestamp and the
   * signature), remembering it until its timestamp leaves the tolerance window. The timestamp
   * refuses anything older, so together they refuse every replay, as long as the guard keeps its
   * keys that long (a {@linkcode MemoryReplayGuard} within its `maxEntries`, for one instance).
   *
   * @default {undefined}
   */
  replayGuard?: ReplayGuard;
  /**
   * The longest body read, in bytes: a non-negative integer (anything else is a `RangeError`;
   * the bound cannot be switched off). A longer one gives `false`, refused by its
   * `Content-Length` before a byte is read, or, streamed without one, as soon as it passes the
   * bound. Telnyx's webhooks are one JSON event, a few kilobytes; it documents no size.
   *
   * @default {1048576}
   */
  maxBodyBytes?: number;
}

const encoder = new TextEncoder();

/**
 * Whether `request` carries a valid Telnyx signature: `telnyx-signature-ed25519` is base64 of an
 * Ed25519 signature, by Telnyx's key, over `${telnyx-timestamp}|${raw body}`; the timestamp must
 * be within `toleranceSeconds` of now. The body is read, as the bytes sent, from a clone, once
 * the headers and the key check out, and at most `maxBodyBytes` of it; the request stays
 * usable. Malformed headers or keys give `false`, never an exception; bad options throw. With a
 * `replayGuard`, a request seen before gives `false`.
 *
 * @example Refusing an unsigned webhook
 * ```ts
 * import { verifyTelnyxSignature } from "@x/ws-transport/telnyx";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("https://example.com/hook", { method: "POST", body: "{}" });
 * const publicKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
 * assert.equal(await verifyTelnyxSignature(request, { publicKey }), false);
 * ```
 */
export async function verifyTelnyxSignature(
  request: Request,
  options: VerifyTelnyxSignatureOptions,
): Promise<boolean> {
  if (typeof options.publicKey !== "string" || options.publicKey === "") {
    throw new TypeError(
      `publicKey must be a non-empty base64 string, got ${typeof options.publicKey}`,
    );
  }
  const tolerance = options.toleranceSeconds ?? 300;
  if (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance <= 0) {
    throw new RangeError(
      `toleranceSeconds must be a positive, finite number of seconds, got ${String(tolerance)}`,
    );
  }
  const maxBodyBytes = maxBodyBytesOption(options.maxBodyBytes);
  const now = (options.now ?? Date.now)();
  // A clock that gives NaN would make every age pass the tolerance check below.
  if (typeof now !== "number" || !Number.isFinite(now)) {
    throw new RangeError(`now() must return a finite number of milliseconds, got ${String(now)}`);
  }
  const signature = request.headers.get("telnyx-signature-ed25519");
  const timestamp = request.headers.get("telnyx-timestamp");
  if (signature === null || timestamp === null || !/^\d+$/.test(timestamp)) return false;
  const signedAt = Number(timestamp);
  if (Math.abs(now / 1000 - signedAt) > tolerance) return false;
  let key: CryptoKey;
  let signatureBytes: Uint8Array<ArrayBuffer>;
  try {
    const raw = decodeBase64(options.publicKey);
    key = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
    signatureBytes = decodeBase64(signature);
  } catch {
    return false;
  }
  // The body's bytes as sent: Telnyx signs them, and text would not give them back (decoding
  // drops a leading byte-order mark and replaces bytes that are not UTF-8). Read already (by a
  // framework, or by mistake) or longer than the bound, it cannot be checked: refused.
  const body = await signedBodyBytes(request, maxBodyBytes);
  if (body === null) return false;
  const signed = concatBytes(encoder.encode(`${timestamp}|`), body) as Uint8Array<ArrayBuffer>;
  const valid = await crypto.subtle.verify("Ed25519", key, signatureBytes, signed);
  if (!valid || options.replayGuard === undefined) return valid;
  // The signature re-encoded, so that two spellings of one signature are one key.
  const id = `telnyx:${timestamp}:${encodeBase64(signatureBytes)}`;
  // The timestamp check above passes up to and including (signedAt + tolerance) s; the key
  // must outlive that millisecond.
  return await options.replayGuard.claim(id, (signedAt + tolerance) * 1000 + 1);
}
