// Vectors computed independently with python3's hmac module and the `cryptography` package (see
// BENCHMARKS.md ("Signature test vectors") for the commands); the Twilio POST vector is also
// the example in Twilio's "Webhooks security" documentation.
import assert from "node:assert/strict";
import { verifyTwilioSignature } from "../../src/serializers/twilio.ts";
import { verifyTelnyxSignature } from "../../src/serializers/telnyx.ts";
import { verifyPlivoSignature } from "../../src/serializers/plivo.ts";
import { hmacBase64 } from "../../src/serializers/telephony/hmac_base64.ts";
import {
  MemoryReplayGuard,
  type ReplayGuard,
} from "../../src/serializers/telephony/replay_guard.ts";

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
    await verifyTelnyxSignature(make("1700000000"), {
      publicKey,
      now: later,
      toleranceSeconds: 601,
    }),
    true,
  );
  assert.equal(
    await verifyTelnyxSignature(make("1700000000", body, "!!"), { publicKey, now }),
    false,
  );
  assert.equal(await verifyTelnyxSignature(make("1700000000"), { publicKey: "AAAA", now }), false);
  // A clock with no finite time is a bad option: NaN would pass any timestamp's age check.
  for (const time of [NaN, Infinity]) {
    await assert.rejects(
      () => verifyTelnyxSignature(make("1700000000"), { publicKey, now: () => time }),
      (e: Error) => e instanceof RangeError && e.message.includes(String(time)),
      String(time),
    );
  }
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
  // A sub-account's call: V3 signed with the sub-account's token, Ma-V3 with the main account's
  // (Plivo, "Validating requests"): the main account's token verifies it through Ma-V3.
  const subAccountCall = new Request("https://example.com/stream?b=2&a=1", {
    headers: {
      "x-plivo-signature-v3": "c3ViLWFjY291bnQtc2lnbmF0dXJl",
      "x-plivo-signature-ma-v3": "H/JBsY+3/jOcw9L7kSDRWVgkfwWkJn4O8aaIXwDAxHo=",
      "x-plivo-signature-v3-nonce": nonce,
    },
  });
  assert.equal(await verifyPlivoSignature(subAccountCall, authToken), true);
  assert.equal(await verifyPlivoSignature(subAccountCall, "other"), false);

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

Deno.test("`verifyPlivoSignature` reads the URL as Plivo's SDKs do: decoded, sorted, not normalized", async () => {
  // Each signature was accepted by Plivo's own Node SDK (plivo@4.79.0,
  // `validateV3Signature("GET", url, nonce, token, signature, {})`) for the URL beside it.
  const authToken = "MAXXXXTOKEN";
  const nonce = "12345678901234567890";
  const vectors: [string, string][] = [
    ["https://example.com/stream?a=1&b=2", "H/JBsY+3/jOcw9L7kSDRWVgkfwWkJn4O8aaIXwDAxHo="],
    // An escaped "&" and "=" sign the same as real ones: the SDKs decode before joining.
    ["https://example.com/stream?a=1%26b%3D2", "H/JBsY+3/jOcw9L7kSDRWVgkfwWkJn4O8aaIXwDAxHo="],
    ["https://example.com/stream?b=2&a=1", "H/JBsY+3/jOcw9L7kSDRWVgkfwWkJn4O8aaIXwDAxHo="],
    [
      "https://example.com/stream?name=J%C3%BCrgen+M&empty=&flag",
      "ON1owgpzhWGBEuMA7updNUb3u4Hw2ajxW5IvPnja1ew=",
    ],
    // The default port and the path's escapes stay as written; no "/" is added to an empty path.
    ["https://example.com:443/Stream/X%41?z=1", "DUvBf7gcqgS1+f/fuXMM2t5qtAG3mS8FcmEGP7AGQxI="],
    ["https://example.com", "dR9bDS6W5Q2laR8MOp+ABWakIY2KlrKbJF2QsQnrBiY="],
    ["https://example.com/stream?a=2&a=1", "I1MyyOewqYmp+GDnxzzQwnrp+qPma/xFO7qAEjvMUME="],
  ];
  const upgrade = (signature: string) =>
    new Request("http://127.0.0.1:8000/stream", {
      headers: { "x-plivo-signature-v3": signature, "x-plivo-signature-v3-nonce": nonce },
    });
  for (const [url, signature] of vectors) {
    assert.equal(await verifyPlivoSignature(upgrade(signature), { authToken, url }), true, url);
  }
  // What normalization would produce is a different URL to Plivo: refused.
  const [, portSignature] = vectors[4]!;
  assert.equal(
    await verifyPlivoSignature(upgrade(portSignature), {
      authToken,
      url: "https://example.com/Stream/XA?z=1",
    }),
    false,
  );
  // A value that differs after decoding is a different request.
  assert.equal(
    await verifyPlivoSignature(upgrade(vectors[0]![1]), {
      authToken,
      url: "https://example.com/stream?a=1%26b%3D3",
    }),
    false,
  );
  // The SDKs compare each comma-separated entry as is: a space after the comma is not trimmed.
  assert.equal(
    await verifyPlivoSignature(upgrade(`bm90IGl0, ${vectors[0]![1]}`), {
      authToken,
      url: vectors[0]![0],
    }),
    false,
  );
});

/** A replay guard that records what it was asked, in front of a memory guard. */
function recordingGuard(now: () => number) {
  const claims: { key: string; expiresAt: number | undefined }[] = [];
  const memory = new MemoryReplayGuard({ windowMs: 60_000, now });
  const guard: ReplayGuard = {
    claim(key, expiresAt) {
      claims.push({ key, expiresAt });
      return memory.claim(key, expiresAt);
    },
  };
  return { claims, guard };
}

Deno.test("`verifyPlivoSignature` refuses a replayed nonce when a replay guard is on", async () => {
  const authToken = "MAXXXXTOKEN";
  let now = 1_700_000_000_000;
  const { claims, guard } = recordingGuard(() => now);
  const make = (nonce: string, signature: string) =>
    new Request("https://example.com/stream?b=2&a=1", {
      headers: { "x-plivo-signature-v3": signature, "x-plivo-signature-v3-nonce": nonce },
    });
  const first = ["12345678901234567890", "H/JBsY+3/jOcw9L7kSDRWVgkfwWkJn4O8aaIXwDAxHo="] as const;
  // Signed by Python's hmac over "https://example.com/stream?a=1&b=2.98765432109876543210";
  // plivo-node accepts it.
  const second = ["98765432109876543210", "watVGgiczc7f1pCgdLGcZku62L4C/QKeVP+zog0d3Bs="] as const;
  // A forged signature does not use up the nonce it names.
  assert.equal(
    await verifyPlivoSignature(make(first[0], "Zm9yZ2Vk"), { authToken, replayGuard: guard }),
    false,
  );
  assert.equal(claims.length, 0);
  assert.equal(await verifyPlivoSignature(make(...first), { authToken, replayGuard: guard }), true);
  assert.equal(
    await verifyPlivoSignature(make(...first), { authToken, replayGuard: guard }),
    false,
  );
  assert.equal(
    await verifyPlivoSignature(make(...second), { authToken, replayGuard: guard }),
    true,
  );
  assert.deepEqual(claims.map((c) => c.key), [
    "plivo:12345678901234567890",
    "plivo:12345678901234567890",
    "plivo:98765432109876543210",
  ]);
  assert.equal(claims[0]!.expiresAt, undefined, "no time in the scheme: the guard's window");
  // The guard's limit, as documented: past its window a replay gets through again.
  now += 60_000;
  assert.equal(await verifyPlivoSignature(make(...first), { authToken, replayGuard: guard }), true);
  // Without a guard nothing is remembered.
  assert.equal(await verifyPlivoSignature(make(...first), authToken), true);
});

Deno.test("`verifyTwilioSignature` refuses a replayed signature when a replay guard is on", async () => {
  let now = 1_700_000_000_000;
  const { claims, guard } = recordingGuard(() => now);
  const options = {
    authToken: "12345",
    url: "wss://example.ngrok.app/media?lang=en",
    replayGuard: guard,
  };
  const upgrade = (signature: string) =>
    new Request("http://127.0.0.1:8000/media?lang=en", {
      headers: { "x-twilio-signature": signature, upgrade: "websocket" },
    });
  assert.equal(
    await verifyTwilioSignature(upgrade("AAAAAAAAAAAAAAAAAAAAAAAAAAA="), options),
    false,
  );
  assert.equal(claims.length, 0, "a bad signature claims nothing");
  assert.equal(await verifyTwilioSignature(upgrade("dU3jxqj9WuGtPBHkoXgqkzyD/Xs="), options), true);
  assert.equal(
    await verifyTwilioSignature(upgrade("dU3jxqj9WuGtPBHkoXgqkzyD/Xs="), options),
    false,
  );
  assert.deepEqual(claims.map((c) => c.key), [
    "twilio:dU3jxqj9WuGtPBHkoXgqkzyD/Xs=",
    "twilio:dU3jxqj9WuGtPBHkoXgqkzyD/Xs=",
  ]);
  now += 60_000;
  assert.equal(await verifyTwilioSignature(upgrade("dU3jxqj9WuGtPBHkoXgqkzyD/Xs="), options), true);
});

Deno.test("`verifyTelnyxSignature` refuses a replay within the tolerance when a replay guard is on", async () => {
  const publicKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
  const body = '{"data":{"event_type":"call.hangup","payload":{"call_control_id":"v3:abc"}}}';
  const signature =
    "Xs5FiwDFeAhAZDtrfLLfnush+yAyAnAHjqzJax3cchVzqxmdfgX2k4UkSEhs8NGw+syBjlMtZUZKiNz3tExXCQ==";
  const make = () =>
    new Request("https://example.com/hooks", {
      method: "POST",
      headers: { "telnyx-signature-ed25519": signature, "telnyx-timestamp": "1700000000" },
      body,
    });
  let now = 1700000000_000 + 60_000;
  const { claims, guard } = recordingGuard(() => now);
  const options = { publicKey, now: () => now, toleranceSeconds: 120, replayGuard: guard };
  assert.equal(await verifyTelnyxSignature(make(), options), true);
  assert.equal(await verifyTelnyxSignature(make(), options), false);
  // Remembered exactly as long as the timestamp check would let it through.
  assert.deepEqual(claims[0], {
    key: `telnyx:1700000000:${signature}`,
    expiresAt: (1700000000 + 120) * 1000 + 1,
  });
  now = 1700000000_000 + 120_000; // the last moment the timestamp is accepted
  assert.equal(await verifyTelnyxSignature(make(), options), false);
  now += 1;
  assert.equal(await verifyTelnyxSignature(make(), options), false, "too old, guard or not");
});

Deno.test("`verifyTelnyxSignature` refuses a tolerance that is not a positive, finite number", async () => {
  const request = new Request("https://example.com/hooks", { method: "POST", body: "{}" });
  const publicKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
  for (const toleranceSeconds of [0, -5, NaN, Infinity, -Infinity]) {
    await assert.rejects(
      () => verifyTelnyxSignature(request, { publicKey, toleranceSeconds }),
      (e: Error) => e instanceof RangeError && e.message.includes(String(toleranceSeconds)),
      String(toleranceSeconds),
    );
  }
  // A timestamp far in the future is outside any tolerance.
  const future = new Request("https://example.com/hooks", {
    method: "POST",
    headers: { "telnyx-signature-ed25519": "AAAA", "telnyx-timestamp": "100000000000000000000" },
    body: "{}",
  });
  assert.equal(await verifyTelnyxSignature(future, { publicKey, toleranceSeconds: 1e9 }), false);
});

/** HMAC of `message` under `key`, base64: what a provider's webhook signature is. */
async function hmac(hash: "SHA-1" | "SHA-256", key: string, message: string): Promise<string> {
  const encoder = new TextEncoder();
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message));
  return btoa(String.fromCharCode(...new Uint8Array(mac)));
}

Deno.test("`hmacBase64` refuses an empty key with a `TypeError`, as the verifiers refuse an empty token", async () => {
  // WebCrypto's HMAC import rejects a zero-length key (a `DataError`); the message says which.
  await assert.rejects(
    () => hmacBase64("https://example.com/hook", { key: "", hash: "SHA-1" }),
    (e: Error) => e instanceof TypeError && /key must be a non-empty string/.test(e.message),
  );
});

Deno.test("`verifyTwilioSignature` and `verifyPlivoSignature` refuse a POST whose body a URL-only signature does not cover", async () => {
  // A signature over the URL alone is what a request with no body gets (an upgrade, a GET
  // webhook). Replayed as a POST whose fields the check does not read, it must not pass: Twilio's
  // and Plivo's libraries sign the POST parameters the framework parses, whatever they are.
  const url = "https://example.com/twiml?CallSid=CA1";
  const twilioSig = await hmac("SHA-1", "12345", url);
  const forged = new FormData();
  forged.set("From", "+1-forged");
  const multipart = new Request(url, {
    method: "POST",
    body: forged,
    headers: { "x-twilio-signature": twilioSig },
  });
  assert.equal(await verifyTwilioSignature(multipart, "12345"), false);
  const nonce = "n1";
  const plivoSig = await hmac("SHA-256", "token", `https://example.com/answer.${nonce}`);
  const plivoMultipart = new Request("https://example.com/answer", {
    method: "POST",
    body: forged,
    headers: { "x-plivo-signature-v3": plivoSig, "x-plivo-signature-v3-nonce": nonce },
  });
  assert.equal(await verifyPlivoSignature(plivoMultipart, "token"), false);
  // The same form, its media type written in other case, is read (RFC 9110: case-insensitive).
  const shouty = (signature: string) =>
    new Request(url, {
      method: "POST",
      body: "From=%2B1-forged",
      headers: {
        "x-twilio-signature": signature,
        "content-type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
      },
    });
  assert.equal(await verifyTwilioSignature(shouty(twilioSig), "12345"), false);
  const covering = await hmac("SHA-1", "12345", `${url}From+1-forged`);
  assert.equal(await verifyTwilioSignature(shouty(covering), "12345"), true);
});

Deno.test("`verifyTwilioSignature` sorts a repeated parameter's values, as Twilio's libraries do", async () => {
  // twilio-python's compute_signature: `for value in sorted(values)` within each sorted name.
  const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  const signature = await hmac("SHA-1", "12345", `${url}To+1To+2`);
  const request = new Request(url, {
    method: "POST",
    body: "To=%2B2&To=%2B1",
    headers: {
      "x-twilio-signature": signature,
      "content-type": "application/x-www-form-urlencoded",
    },
  });
  assert.equal(await verifyTwilioSignature(request, "12345"), true);
});

Deno.test("the signature helpers cover every body: another method's, one already read, a hashed one that is missing", async () => {
  const url = "https://example.com/hook";
  const urlOnly = await hmac("SHA-1", "12345", url);
  const put = new Request(url, {
    method: "PUT",
    body: "From=%2B1evil",
    headers: {
      "x-twilio-signature": urlOnly,
      "content-type": "application/x-www-form-urlencoded",
    },
  });
  assert.equal(await verifyTwilioSignature(put, "12345"), false, "a PUT's form is not signed");
  const nonce = "n2";
  const plivoUrlOnly = await hmac("SHA-256", "token", `${url}.${nonce}`);
  const plivoPut = new Request(url, {
    method: "PUT",
    body: "CallUUID=forged",
    headers: {
      "x-plivo-signature-v3": plivoUrlOnly,
      "x-plivo-signature-v3-nonce": nonce,
      "content-type": "application/x-www-form-urlencoded",
    },
  });
  assert.equal(await verifyPlivoSignature(plivoPut, "token"), false);
  // A body the handler already read cannot be checked: refused, not an exception.
  const read = new Request(url, {
    method: "POST",
    body: "From=%2B1",
    headers: {
      "x-twilio-signature": await hmac("SHA-1", "12345", `${url}From+1`),
      "content-type": "application/x-www-form-urlencoded",
    },
  });
  await read.text();
  assert.equal(await verifyTwilioSignature(read, "12345"), false);
  // A JSON webhook's bodySHA256 with its body stripped: the empty body's hash does not match.
  const hashed = `${url}?bodySHA256=${"0".repeat(64)}`;
  const stripped = new Request(hashed, {
    method: "POST",
    headers: { "x-twilio-signature": await hmac("SHA-1", "12345", hashed) },
  });
  assert.equal(await verifyTwilioSignature(stripped, "12345"), false);
});

Deno.test("`verifyTwilioSignature` takes a repeated name's identical values once, as Twilio's libraries do", async () => {
  // twilio-python: `for value in sorted(set(values))`; twilio-node: `Array.from(new Set(v)).sort()`.
  const url = "https://example.com/hook";
  const request = new Request(url, {
    method: "POST",
    body: "a=1&a=1&b=2",
    headers: {
      "x-twilio-signature": await hmac("SHA-1", "12345", `${url}a1b2`),
      "content-type": "application/x-www-form-urlencoded",
    },
  });
  assert.equal(await verifyTwilioSignature(request, "12345"), true);
});

Deno.test("`verifyTelnyxSignature` refuses a request whose body was read already, never throws", async () => {
  const request = new Request("https://example.com/hook", {
    method: "POST",
    body: "{}",
    headers: {
      "telnyx-signature-ed25519": "A".repeat(86) + "==",
      "telnyx-timestamp": String(Math.floor(Date.now() / 1000)),
    },
  });
  await request.text();
  const publicKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
  assert.equal(await verifyTelnyxSignature(request, { publicKey }), false);
});

Deno.test("`verifyTwilioSignature` tries a URL on any port without it, as Twilio's libraries do", async () => {
  // Twilio's security notes: for callbacks over HTTPS, Twilio drops the port (if any) before
  // computing the signature; twilio-python (`remove_port`) and twilio-node (`removePort`) try the
  // URL with whatever port it names removed. The vectors are twilio-python's own
  // (tests/unit/test_request_validator.py: `test_validation_removes_port_on_https`, `…_on_http`,
  // `…_adds_port_on_https`, `…_adds_port_on_http`): Twilio's documented parameters, token "12345".
  const params = {
    CallSid: "CA1234567890ABCDE",
    Digits: "1234",
    From: "+14158675309",
    To: "+18005551212",
    Caller: "+14158675309",
  };
  /** A signed POST to `url`; with `publicUrl`, received at a local address and checked as that. */
  const check = (url: string, signature: string, publicUrl?: string) =>
    verifyTwilioSignature(
      new Request(url, {
        method: "POST",
        headers: {
          "x-twilio-signature": signature,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: form(params),
      }),
      publicUrl === undefined ? "12345" : { authToken: "12345", url: publicUrl },
    );
  const withoutPort = "RSOYDt4T1cUTdK1PDd93/VVr8B8="; // over https://mycompany.com/myapp.php?…
  assert.equal(await check("https://mycompany.com:1234/myapp.php?foo=1&bar=2", withoutPort), true);
  assert.equal(await check("https://mycompany.com/myapp.php?foo=1&bar=2", withoutPort), true);
  // Signed with the port, as Twilio signs some callbacks: the URL as given still verifies.
  const onHttpPort = "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="; // over http://mycompany.com:1234/…
  assert.equal(await check("http://mycompany.com:1234/myapp.php?foo=1&bar=2", onHttpPort), true);
  // Signed with the default port spelled out, checked against a URL that names none.
  const with443 = "kvajT1Ptam85bY51eRf/AJRuM3w=";
  assert.equal(await check("https://mycompany.com/myapp.php?foo=1&bar=2", with443), true);
  const with80 = "0ZXoZLH/DfblKGATFgpif+LLRf4=";
  assert.equal(await check("http://mycompany.com/myapp.php?foo=1&bar=2", with80), true);
  // Another host or query is another URL, whatever the port.
  assert.equal(await check("https://mycompany.org:1234/myapp.php?foo=1&bar=2", withoutPort), false);
  assert.equal(await check("https://mycompany.com:1234/myapp.php?foo=1", withoutPort), false);
  // The port is found after user info (Twilio's HTTP-authentication URL form) and after an IPv6
  // host, whose colons stay (signatures by python3's hmac over each URL without its port).
  const local = "http://127.0.0.1:8000/myapp.php?foo=1&bar=2";
  assert.equal(
    await check(
      local,
      "CukzLTc1tT5dXEDIHm/tKBanW10=",
      "https://user:pass@mycompany.com:8443/myapp.php?foo=1&bar=2",
    ),
    true,
  );
  assert.equal(
    await check(
      local,
      "cJj0ZdT17HpXbqVMZgQilda2zhg=",
      "https://[2001:db8::1]:8443/myapp.php?foo=1&bar=2",
    ),
    true,
  );
});

Deno.test("`verifyPlivoSignature` refuses a nonce with a dot, which would move where the signed URL ends", async () => {
  // Plivo signs `${url}.${nonce}` (its signature-validation guide: the message is the base URI
  // and the nonce, e.g. "05429567804466091622"). Signatures by python3's hmac over each message.
  const authToken = "MAXXXXTOKEN";
  const nonce = "05429567804466091622";
  const upgrade = (url: string, signedNonce: string, signature: string) =>
    verifyPlivoSignature(
      new Request("http://127.0.0.1:8000/", {
        headers: { "x-plivo-signature-v3": signature, "x-plivo-signature-v3-nonce": signedNonce },
      }),
      { authToken, url },
    );
  const answerPhp = "1eB6dSnJky0Tjv0mcjBhB1S3zPZFUfAVScBYRysQmKk="; // "…/answer.php.0542…"
  assert.equal(await upgrade("https://example.com/answer.php", nonce, answerPhp), true);
  // The same signed text, split at another dot: another URL, which Plivo never signed.
  assert.equal(await upgrade("https://example.com/answer", `php.${nonce}`, answerPhp), false);
  const hostParam = "QaqSXXRAbrBaLXtC8evkIXbKnYxKgvZqedZs1/HjBLY="; // "…?host=api.example.com.0542…"
  assert.equal(
    await upgrade("https://example.com/stream?host=api.example.com", nonce, hostParam),
    true,
  );
  assert.equal(
    await upgrade("https://example.com/stream?host=api", `example.com.${nonce}`, hostParam),
    false,
    "a query value cut short",
  );
});

Deno.test("`verifyTwilioSignature` and `verifyPlivoSignature` read a body's leading byte-order mark as `formData()` does", async () => {
  // `formData()` parses a form's bytes with the URL Standard's urlencoded parser, which decodes
  // each name "without BOM": a captured request replayed with a byte-order mark before its body
  // reaches the application with its first field renamed ("\uFEFFCallSid"). `text()` drops the
  // mark, so reading the form from it verified the fields as signed. Signatures over the fields
  // without the mark: Twilio's URL then each name and value sorted; Plivo's URL, "?", the
  // parameters sorted, "." and the nonce.
  const url = "https://example.com/voice";
  const twilio = await hmac("SHA-1", "12345", `${url}CallSidCA1From+1555`);
  const plivo = await hmac("SHA-256", "12345", `${url}?CallUUIDc1From+1555.n1`);
  const bom = (text: string) =>
    new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const twilioRequest = (body: Uint8Array<ArrayBuffer> | string) =>
    new Request(url, { method: "POST", headers: { ...form, "x-twilio-signature": twilio }, body });
  const plivoRequest = (body: Uint8Array<ArrayBuffer> | string) =>
    new Request(url, {
      method: "POST",
      headers: { ...form, "x-plivo-signature-v3": plivo, "x-plivo-signature-v3-nonce": "n1" },
      body,
    });
  // As signed: valid.
  assert.equal(
    await verifyTwilioSignature(twilioRequest("CallSid=CA1&From=%2B1555"), "12345"),
    true,
  );
  assert.equal(await verifyPlivoSignature(plivoRequest("CallUUID=c1&From=%2B1555"), "12345"), true);
  // With the mark: the application reads another name, so the signature does not cover it.
  const marked = bom("CallSid=CA1&From=%2B1555");
  assert.deepEqual([...(await twilioRequest(marked).formData()).keys()], ["\uFEFFCallSid", "From"]);
  assert.equal(await verifyTwilioSignature(twilioRequest(marked), "12345"), false);
  assert.equal(
    await verifyPlivoSignature(plivoRequest(bom("CallUUID=c1&From=%2B1555")), "12345"),
    false,
  );
});
