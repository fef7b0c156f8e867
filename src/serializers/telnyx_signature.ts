/**
 * Verifying Telnyx's Ed25519 webhook signatures with WebCrypto.
 *
 * @module
 */

/** Options for {@linkcode verifyTelnyxSignature}. */
export interface VerifyTelnyxSignatureOptions {
  /** The account's public key as shown in the Telnyx portal (base64 of the 32 raw bytes). */
  publicKey: string;
  /**
   * How old (or how far in the future) `telnyx-timestamp` may be, in seconds; 0 disables the check.
   *
   * @default {300}
   */
  toleranceSeconds?: number;
  /**
   * The current time in milliseconds since the epoch (injectable for tests).
   *
   * @default {Date.now}
   */
  now?: () => number;
}

const encoder = new TextEncoder();

/**
 * Whether `request` carries a valid Telnyx signature: `telnyx-signature-ed25519` is base64 of an
 * Ed25519 signature, by Telnyx's key, over `${telnyx-timestamp}|${raw body}`; the timestamp must
 * be within `toleranceSeconds` of now (replay protection). The body is read from a clone; the
 * request stays usable. Malformed headers or keys give `false`, never an exception.
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
  const signature = request.headers.get("telnyx-signature-ed25519");
  const timestamp = request.headers.get("telnyx-timestamp");
  if (signature === null || timestamp === null || !/^\d+$/.test(timestamp)) return false;
  const tolerance = options.toleranceSeconds ?? 300;
  if (tolerance > 0) {
    const now = (options.now ?? Date.now)() / 1000;
    if (Math.abs(now - Number(timestamp)) > tolerance) return false;
  }
  let key: CryptoKey;
  let signatureBytes: Uint8Array<ArrayBuffer>;
  try {
    const raw = fromBase64(options.publicKey);
    key = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
    signatureBytes = fromBase64(signature);
  } catch {
    return false;
  }
  const body = request.body === null ? "" : await request.clone().text();
  return await crypto.subtle.verify(
    "Ed25519",
    key,
    signatureBytes,
    encoder.encode(`${timestamp}|${body}`),
  );
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
