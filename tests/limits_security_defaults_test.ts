// README, Security, states the defaults a server is protected by when it sets nothing:
// `authorizeTimeoutMs` (10 s, then 503), Telnyx's `toleranceSeconds` (300), `MemoryReplayGuard`'s
// `windowMs` (5 min) and `maxEntries` (100,000), and `maxBodyBytes` (1 MiB). The existing tests
// each set these options themselves, or check a default only from far away (a 60 s-old Telnyx
// request passes, a 600 s-old one not): each would pass with a different default. Here each
// default is checked at its edge, with the option left out.
import assert from "node:assert/strict";
import { admit } from "../src/adapters/_admission.ts";
import { verifyTelnyxSignature } from "../src/serializers/telnyx_signature.ts";
import { MemoryReplayGuard } from "../src/serializers/telephony/replay_guard.ts";
import { verifyTwilioSignature } from "../src/serializers/twilio_signature.ts";
import { FakeClock } from "../src/testing/mod.ts";

const MiB = 1024 * 1024;

Deno.test("default `authorizeTimeoutMs`: an `authorize` that never answers is refused with 503 at 10 s, not before", async () => {
  const clock = new FakeClock();
  const request = new Request("http://127.0.0.1/ws", {
    headers: {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13",
    },
  });
  const answers: (Response | null)[] = [];
  void admit(request, { authorize: () => new Promise<boolean>(() => {}), clock }).then((r) => {
    answers.push(r);
  });
  await clock.tick(9_999);
  assert.equal(answers.length, 0, "still waiting for the verdict at 9,999 ms");
  await clock.tick(1);
  assert.equal(answers[0]?.status, 503);
  await answers[0]!.body?.cancel();
});

Deno.test("default Telnyx `toleranceSeconds`: a request signed 300 s ago (or ahead) passes, 300.001 s does not", async () => {
  // The vector of signatures_test.ts: Ed25519 over "1700000000|" + body.
  const publicKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
  const body = '{"data":{"event_type":"call.hangup","payload":{"call_control_id":"v3:abc"}}}';
  const signature =
    "Xs5FiwDFeAhAZDtrfLLfnush+yAyAnAHjqzJax3cchVzqxmdfgX2k4UkSEhs8NGw+syBjlMtZUZKiNz3tExXCQ==";
  const signedAt = 1700000000_000;
  const checkedAt = async (ms: number) =>
    await verifyTelnyxSignature(
      new Request("https://example.com/hooks", {
        method: "POST",
        headers: { "telnyx-signature-ed25519": signature, "telnyx-timestamp": "1700000000" },
        body,
      }),
      { publicKey, now: () => ms },
    );
  assert.equal(await checkedAt(signedAt + 300_000), true, "300 s old");
  assert.equal(await checkedAt(signedAt + 300_001), false, "300.001 s old");
  assert.equal(await checkedAt(signedAt - 300_000), true, "300 s ahead");
  assert.equal(await checkedAt(signedAt - 300_001), false, "300.001 s ahead");
});

Deno.test("default `MemoryReplayGuard`: a key is refused for 5 minutes, and 100,000 keys are held", () => {
  let now = 0;
  const guard = new MemoryReplayGuard({ now: () => now });
  assert.equal(guard.claim("first"), true);
  now = 299_999;
  assert.equal(guard.claim("first"), false, "within the window");
  now = 300_000;
  assert.equal(guard.claim("first"), true, "the window has passed");
  // 100,000 keys at once (the first again among them): all held, the next forgets the oldest.
  for (let i = 1; i < 100_000; i++) guard.claim(`key ${i}`);
  assert.equal(guard.size, 100_000);
  assert.equal(guard.claim("key 1"), false, "every one of 100,000 is remembered");
  assert.equal(guard.claim("one more"), true);
  assert.equal(guard.size, 100_000);
  assert.equal(guard.claim("first"), true, "the oldest went to make room");
});

/** Twilio's signature (HMAC-SHA1, base64) over the URL and each form field, sorted by name. */
async function twilioSignature(url: string, fields: [string, string][]): Promise<string> {
  const signed = url +
    fields.toSorted(([a], [b]) => a < b ? -1 : 1).map(([k, v]) => k + v).join("");
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode("12345"),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(signed)));
  return btoa(String.fromCharCode(...mac));
}

Deno.test("default `maxBodyBytes`: a signed Twilio form of exactly 1 MiB is read and verifies; one byte more is refused", async () => {
  const url = "https://example.com/twilio/transcription";
  const requestOf = async (size: number) => {
    const pad = "a".repeat(size - "Pad=".length);
    return new Request(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": await twilioSignature(url, [["Pad", pad]]),
      },
      body: `Pad=${pad}`,
    });
  };
  assert.equal(await verifyTwilioSignature(await requestOf(MiB), "12345"), true, "1 MiB");
  assert.equal(await verifyTwilioSignature(await requestOf(MiB + 1), "12345"), false, "1 MiB + 1");
});
