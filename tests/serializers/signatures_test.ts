// Vectors computed independently with python3's hmac module and the `cryptography` package (see
// BENCHMARKS.md ("Signature test vectors") for the commands); the Twilio POST vector is also
// the example in Twilio's "Webhooks security" documentation.
import assert from "node:assert/strict";
import { verifyTwilioSignature } from "../../src/serializers/twilio.ts";
import { verifyTelnyxSignature } from "../../src/serializers/telnyx.ts";
import { verifyPlivoSignature } from "../../src/serializers/plivo.ts";

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

Deno.test("`verifyTwilioSignature` accepts Twilio's documented POST example and rejects tampering", async () => {
  const params = {
    CallSid: "CA1234567890ABCDE",
    Caller: "+12349013030",
    Digits: "1234",
    From: "+12349013030",
    To: "+18005551212",
  };
  const make = (signature: string, body = form(params)) =>
    new Request("https://mycompany.com/myapp.php?foo=1&bar=2", {
      method: "POST",
      headers: {
        "x-twilio-signature": signature,
        "content-type": "application/x-www-form-urlencoded",
      },
      body,
    });
  assert.equal(await verifyTwilioSignature(make("0/KCTR6DLpKmkAf8muzZqo1nDgQ="), "12345"), true);
  assert.equal(await verifyTwilioSignature(make("0/KCTR6DLpKmkAf8muzZqo1nDgQ="), "54321"), false);
  const tampered = make("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", form({ ...params, Digits: "9999" }));
  assert.equal(await verifyTwilioSignature(tampered, "12345"), false);
  // The body stays readable for the handler.
  const request = make("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  await verifyTwilioSignature(request, "12345");
  assert.equal((await request.formData()).get("Digits"), "1234");
});

Deno.test("`verifyTwilioSignature` checks a WebSocket upgrade against its public wss URL", async () => {
  const request = new Request("http://127.0.0.1:8000/media?lang=en", {
    headers: { "x-twilio-signature": "dU3jxqj9WuGtPBHkoXgqkzyD/Xs=", upgrade: "websocket" },
  });
  assert.equal(await verifyTwilioSignature(request, "12345"), false);
  const url = "wss://example.ngrok.app/media?lang=en";
  assert.equal(await verifyTwilioSignature(request, { authToken: "12345", url }), true);
  // With the default port spelled out, as Twilio's libraries also accept.
  const withPort = "wss://example.ngrok.app:443/media?lang=en";
  assert.equal(await verifyTwilioSignature(request, { authToken: "12345", url: withPort }), true);
  assert.equal(
    await verifyTwilioSignature(new Request(url.replace("wss", "https")), "12345"),
    false,
  );
  await assert.rejects(() => verifyTwilioSignature(request, ""), TypeError);
});

Deno.test("`verifyTelnyxSignature` checks an Ed25519 signature over timestamp|body", async () => {
  const publicKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
  const body = '{"data":{"event_type":"call.hangup","payload":{"call_control_id":"v3:abc"}}}';
  const signature =
    "Xs5FiwDFeAhAZDtrfLLfnush+yAyAnAHjqzJax3cchVzqxmdfgX2k4UkSEhs8NGw+syBjlMtZUZKiNz3tExXCQ==";
  const make = (timestamp: string, text = body, sig = signature) =>
    new Request("https://example.com/hooks", {
      method: "POST",
      headers: { "telnyx-signature-ed25519": sig, "telnyx-timestamp": timestamp },
      body: text,
    });
  const now = () => 1700000000_000 + 60_000;
  assert.equal(await verifyTelnyxSignature(make("1700000000"), { publicKey, now }), true);
  assert.equal(await verifyTelnyxSignature(make("1700000001"), { publicKey, now }), false);
  assert.equal(
    await verifyTelnyxSignature(make("1700000000", body + " "), { publicKey, now }),
    false,
  );
  // Too old for the default five minutes, fine without the check.
  const later = () => 1700000000_000 + 600_000;
  assert.equal(await verifyTelnyxSignature(make("1700000000"), { publicKey, now: later }), false);
  assert.equal(
    await verifyTelnyxSignature(make("1700000000"), { publicKey, now: later, toleranceSeconds: 0 }),
    true,
  );
  assert.equal(
    await verifyTelnyxSignature(make("1700000000", body, "!!"), { publicKey, now }),
    false,
  );
  assert.equal(await verifyTelnyxSignature(make("1700000000"), { publicKey: "AAAA", now }), false);
});

Deno.test("`verifyPlivoSignature` checks V3 signatures of GET and POST requests", async () => {
  const authToken = "MAXXXXTOKEN";
  const nonce = "12345678901234567890";
  const get = new Request("https://example.com/stream?b=2&a=1", {
    headers: {
      "x-plivo-signature-v3": "H/JBsY+3/jOcw9L7kSDRWVgkfwWkJn4O8aaIXwDAxHo=",
      "x-plivo-signature-v3-nonce": nonce,
    },
  });
  assert.equal(await verifyPlivoSignature(get, authToken), true);
  assert.equal(await verifyPlivoSignature(get, "other"), false);

  const params = { CallUUID: "abc-123", From: "+14155550100", Direction: "inbound" };
  const post = (url: string, signature: string) =>
    new Request(url, {
      method: "POST",
      headers: {
        "x-plivo-signature-v3": signature,
        "x-plivo-signature-v3-nonce": nonce,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: form(params),
    });
  const signed = "3/n8s3jNACCLm6L1tPuPXHPq6A6hZ0MosctlzsHniSg=";
  assert.equal(
    await verifyPlivoSignature(post("https://example.com/answer?q=1", signed), authToken),
    true,
  );
  // A rotated-token list: any member may match.
  const list = `bm90IGl0,${"IwPt+LS8QhixarDlOxsfzi57B+aM644cy0TsVc5dlTo="}`;
  assert.equal(
    await verifyPlivoSignature(post("https://example.com/answer", list), authToken),
    true,
  );
  assert.equal(
    await verifyPlivoSignature(post("https://example.com/answer?q=2", signed), authToken),
    false,
  );
});
