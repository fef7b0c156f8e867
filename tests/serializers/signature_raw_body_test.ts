// The signatures that cover a body cover its bytes as sent. Telnyx: "Preserve the raw request
// body" and "Verification needs the exact bytes Telnyx sent" (developers.telnyx.com, API
// fundamentals › Webhooks; Python SDK › Webhooks). Twilio: a JSON webhook's `bodySHA256` is the
// SHA-256 of "the raw request body" (twilio.com/docs/api/errors/57012, "Signature invalid").
// Decoding the body as text first drops a leading byte-order mark and replaces bytes that are not
// UTF-8, so a body carrying either no longer matches what was signed.
import assert from "node:assert/strict";
import { verifyTelnyxSignature } from "../../src/serializers/telnyx_signature.ts";
import { verifyTwilioSignature } from "../../src/serializers/twilio_signature.ts";
import { concatBytes } from "../../src/audio/_concat_bytes.ts";
import { encodeBase64 } from "../../src/serializers/telephony/base64.ts";
import { hmacBase64 } from "../../src/serializers/telephony/hmac_base64.ts";

const encoder = new TextEncoder();

/** `parts` one after another in new bytes. */
const joined = (...parts: Uint8Array[]) =>
  parts.reduce((sum, part) => concatBytes(sum, part), new Uint8Array(0)) as Uint8Array<ArrayBuffer>;

/** Bodies text decoding does not give back: a UTF-8 byte-order mark, and a byte not UTF-8. */
const BODIES: Array<[string, Uint8Array<ArrayBuffer>]> = [
  ["a byte-order mark", joined(new Uint8Array([0xef, 0xbb, 0xbf]), encoder.encode('{"a":1}'))],
  [
    "a byte not UTF-8",
    joined(encoder.encode('{"a":"'), new Uint8Array([0xff]), encoder.encode('"}')),
  ],
];

Deno.test("`verifyTelnyxSignature` checks the body's bytes as sent, not the body decoded as text", async () => {
  // Telnyx's side: an Ed25519 key pair, signing `${telnyx-timestamp}|${raw body}`.
  const keys = await crypto.subtle.generateKey(
    { name: "Ed25519" },
    true,
    ["sign", "verify"],
  ) as CryptoKeyPair;
  const publicKey = encodeBase64(
    new Uint8Array(await crypto.subtle.exportKey("raw", keys.publicKey)),
  );
  const now = () => 1_700_000_000_000;
  for (const [what, body] of BODIES) {
    const signed = joined(encoder.encode("1700000000|"), body);
    const signature = await crypto.subtle.sign("Ed25519", keys.privateKey, signed);
    const request = new Request("https://example.com/hooks", {
      method: "POST",
      headers: {
        "telnyx-signature-ed25519": encodeBase64(new Uint8Array(signature)),
        "telnyx-timestamp": "1700000000",
      },
      body,
    });
    assert.equal(await verifyTelnyxSignature(request, { publicKey, now }), true, what);
  }
});

Deno.test("`verifyTwilioSignature` hashes a JSON body's bytes as sent for `bodySHA256`", async () => {
  for (const [what, body] of BODIES) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
    const hex = [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    // Twilio's side: the URL, `bodySHA256` included, signed with the auth token (no parameters).
    const url = `https://example.com/hooks?bodySHA256=${hex}`;
    const signature = await hmacBase64(url, { key: "12345", hash: "SHA-1" });
    const request = new Request(url, {
      method: "POST",
      headers: { "x-twilio-signature": signature, "content-type": "application/json" },
      body,
    });
    assert.equal(await verifyTwilioSignature(request, "12345"), true, what);
  }
});
