// The signature checks run before anyone knows who sent the request: a header shaped like a
// signature must not be enough to make the server buffer a body of the sender's choosing. Each
// check reads at most `maxBodyBytes` (1 MiB by default) of a body, refuses a `Content-Length`
// over it unread, checks the method and media type before reading, and never reads a GET's body
// (Twilio and Plivo sign the WebSocket upgrade, a GET). Providers' webhook bodies are small: the
// largest any documents is Twilio's 1 MB transcription callback (twilio.com/docs/api/errors/17564,
// "Webhook payload exceeds maximum size"); Plivo and Telnyx document none.
import assert from "node:assert/strict";
import { verifyTwilioSignature } from "../../src/serializers/twilio_signature.ts";
import { verifyPlivoSignature } from "../../src/serializers/plivo_signature.ts";
import { verifyTelnyxSignature } from "../../src/serializers/telnyx_signature.ts";
import { hmacBase64 } from "../../src/serializers/telephony/hmac_base64.ts";

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;
const FORM = "application/x-www-form-urlencoded";
/**
 * The most a check may pull from a body: the bound, the chunk that passes it, and one chunk more
 * that the request's clone queues ahead (the Streams Standard's `tee`, behind `clone()`, keeps a
 * queue of one chunk per branch; measured here: three reads of a clone pull four chunks).
 */
const MOST_PULLED = MiB + 2 * CHUNK;

/**
 * A body of `total` bytes ("a", a valid form) handed out `chunk` bytes per pull, and how many
 * bytes were pulled so far. No high-water mark: nothing is pulled before someone reads.
 */
function countedBody(total: number, chunk = CHUNK) {
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const size = Math.min(chunk, total - counter.pulled);
      if (size <= 0) return controller.close();
      counter.pulled += size;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  }, { highWaterMark: 0 });
  return { stream, counter };
}

/** `text` as a stream of `chunk`-byte pieces, with no length known up front (chunked). */
function streamed(text: string, chunk: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset += chunk));
    },
  }, { highWaterMark: 0 });
}

const TELNYX_KEY = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
const TELNYX_NOW = () => 1700000000_000 + 60_000;

/** The three checks, each given headers shaped like its provider's signature and nothing more. */
const FORGED: Array<
  [string, (body: BodyInit, headers?: Record<string, string>) => Promise<boolean>]
> = [
  ["Twilio", (body, headers) =>
    verifyTwilioSignature(
      new Request("https://example.com/voice", {
        method: "POST",
        headers: { "content-type": FORM, "x-twilio-signature": "Zm9yZ2Vk", ...headers },
        body,
      }),
      "12345",
    )],
  ["Plivo", (body, headers) =>
    verifyPlivoSignature(
      new Request("https://example.com/answer", {
        method: "POST",
        headers: {
          "content-type": FORM,
          "x-plivo-signature-v3": "Zm9yZ2Vk",
          "x-plivo-signature-v3-nonce": "1",
          ...headers,
        },
        body,
      }),
      "12345",
    )],
  ["Telnyx", (body, headers) =>
    verifyTelnyxSignature(
      new Request("https://example.com/hooks", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "telnyx-signature-ed25519": "A".repeat(86) + "==",
          "telnyx-timestamp": "1700000000",
          ...headers,
        },
        body,
      }),
      { publicKey: TELNYX_KEY, now: TELNYX_NOW },
    )],
];

Deno.test("the signature checks read a 64 MiB streamed body only up to the bound", async () => {
  for (const [provider, verify] of FORGED) {
    const { stream, counter } = countedBody(64 * MiB);
    assert.equal(await verify(stream), false, provider);
    assert.ok(
      counter.pulled <= MOST_PULLED,
      `${provider}: ${counter.pulled} bytes pulled, the bound is ${MiB} (+ two ${CHUNK} chunks)`,
    );
  }
});

Deno.test("the signature checks refuse a `Content-Length` over the bound without reading", async () => {
  for (const [provider, verify] of FORGED) {
    const { stream, counter } = countedBody(64 * MiB);
    const headers = { "content-length": String(64 * MiB) };
    assert.equal(await verify(stream, headers), false, provider);
    assert.equal(counter.pulled, 0, `${provider}: ${counter.pulled} bytes pulled`);
  }
});

Deno.test("`verifyTwilioSignature` and `verifyPlivoSignature` check the method and media type before reading", async () => {
  // Neither signs a body that is not a form, nor a form on another method: nothing to read.
  const cases: Array<[string, string, string]> = [
    ["POST", "application/json", "a JSON POST with no bodySHA256"],
    ["POST", "multipart/form-data; boundary=x", "multipart"],
    ["PUT", FORM, "a PUT's form"],
  ];
  for (const [method, type, what] of cases) {
    const twilio = countedBody(64 * MiB);
    const refusedTwilio = await verifyTwilioSignature(
      new Request("https://example.com/voice", {
        method,
        headers: { "content-type": type, "x-twilio-signature": "Zm9yZ2Vk" },
        body: twilio.stream,
      }),
      "12345",
    );
    assert.equal(refusedTwilio, false, what);
    assert.equal(twilio.counter.pulled, 0, `Twilio, ${what}: ${twilio.counter.pulled} pulled`);
    const plivo = countedBody(64 * MiB);
    const refusedPlivo = await verifyPlivoSignature(
      new Request("https://example.com/answer", {
        method,
        headers: {
          "content-type": type,
          "x-plivo-signature-v3": "Zm9yZ2Vk",
          "x-plivo-signature-v3-nonce": "1",
        },
        body: plivo.stream,
      }),
      "12345",
    );
    assert.equal(refusedPlivo, false, what);
    assert.equal(plivo.counter.pulled, 0, `Plivo, ${what}: ${plivo.counter.pulled} pulled`);
  }
});

Deno.test("`verifyTwilioSignature` reads a `bodySHA256` body only once the URL's signature matches, and bounded", async () => {
  // Twilio signs the URL, `bodySHA256` included, and binds the JSON body by that hash
  // (twilio.com/docs/usage/webhooks/webhooks-security, "Validate signatures"): a forged URL
  // signature is refused with no body read.
  const url = `https://example.com/hooks?bodySHA256=${"0".repeat(64)}`;
  const post = (signature: string, body: BodyInit) =>
    new Request(url, {
      method: "POST",
      headers: { "x-twilio-signature": signature, "content-type": "application/json" },
      body,
    });
  const forged = countedBody(64 * MiB);
  assert.equal(await verifyTwilioSignature(post("Zm9yZ2Vk", forged.stream), "12345"), false);
  assert.equal(forged.counter.pulled, 0, `${forged.counter.pulled} bytes pulled`);
  const signature = await hmacBase64(url, { key: "12345", hash: "SHA-1" });
  const signed = countedBody(64 * MiB);
  assert.equal(await verifyTwilioSignature(post(signature, signed.stream), "12345"), false);
  assert.ok(signed.counter.pulled <= MOST_PULLED, `${signed.counter.pulled} bytes pulled`);
});

Deno.test("`verifyTwilioSignature` and `verifyPlivoSignature` never read a GET upgrade's body", async () => {
  // workerd gives a GET that says `Content-Length: 0` an empty body stream, and hands a POST
  // upgrade to a Worker as a GET with its body (see src/adapters/_admission.ts). Such a request,
  // built here as workerd would present it, with each clone counted.
  const upgrade = (headers: Record<string, string>, length?: string) => {
    const { stream, counter } = countedBody(length === "0" ? 0 : 64 * MiB);
    const all = length === undefined ? headers : { ...headers, "content-length": length };
    const request = new Request("http://127.0.0.1:8000/media?lang=en", { headers: all });
    const seen = { clones: 0, pulled: () => counter.pulled };
    Object.defineProperty(request, "body", { get: () => stream });
    Object.defineProperty(request, "clone", {
      value: () => {
        seen.clones++;
        return new Request(request.url, { method: "POST", headers: all, body: stream });
      },
    });
    return { request, seen };
  };
  // The signed upgrade of signatures_test.ts (Twilio) and of Plivo's SDK vectors there.
  const twilio = { "x-twilio-signature": "dU3jxqj9WuGtPBHkoXgqkzyD/Xs=", upgrade: "websocket" };
  const twilioOptions = { authToken: "12345", url: "wss://example.ngrok.app/media?lang=en" };
  const plivo = {
    "x-plivo-signature-v3": "H/JBsY+3/jOcw9L7kSDRWVgkfwWkJn4O8aaIXwDAxHo=",
    "x-plivo-signature-v3-nonce": "12345678901234567890",
  };
  const plivoOptions = { authToken: "MAXXXXTOKEN", url: "https://example.com/stream?a=1&b=2" };

  const empty = upgrade(twilio, "0");
  assert.equal(await verifyTwilioSignature(empty.request, twilioOptions), true);
  assert.deepEqual([empty.seen.clones, empty.seen.pulled()], [0, 0], "Twilio, Content-Length: 0");
  const emptyPlivo = upgrade(plivo, "0");
  assert.equal(await verifyPlivoSignature(emptyPlivo.request, plivoOptions), true);
  assert.deepEqual([emptyPlivo.seen.clones, emptyPlivo.seen.pulled()], [0, 0], "Plivo");
  // A body of unknown length on a GET: not signed, refused unread.
  const chunked = upgrade(twilio);
  assert.equal(await verifyTwilioSignature(chunked.request, twilioOptions), false);
  assert.deepEqual([chunked.seen.clones, chunked.seen.pulled()], [0, 0], "Twilio, chunked");
  const chunkedPlivo = upgrade(plivo);
  assert.equal(await verifyPlivoSignature(chunkedPlivo.request, plivoOptions), false);
  assert.deepEqual([chunkedPlivo.seen.clones, chunkedPlivo.seen.pulled()], [0, 0], "Plivo");
});

Deno.test("signed requests still verify, streamed in small chunks, up to exactly `maxBodyBytes`", async () => {
  // Twilio's documented POST example (signatures_test.ts): token "12345".
  const twilioBody = new URLSearchParams({
    CallSid: "CA1234567890ABCDE",
    Caller: "+12349013030",
    Digits: "1234",
    From: "+12349013030",
    To: "+18005551212",
  }).toString();
  const twilio = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request("https://mycompany.com/myapp.php?foo=1&bar=2", {
      method: "POST",
      headers: {
        "x-twilio-signature": "0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
        "content-type": FORM,
        ...headers,
      },
      body,
    });
  const size = new TextEncoder().encode(twilioBody).length;
  const request = twilio(streamed(twilioBody, 7));
  assert.equal(
    await verifyTwilioSignature(request, { authToken: "12345", maxBodyBytes: size }),
    true,
  );
  // The request stays readable for the handler.
  assert.equal((await request.formData()).get("Digits"), "1234");
  assert.equal(
    await verifyTwilioSignature(twilio(streamed(twilioBody, 7)), {
      authToken: "12345",
      maxBodyBytes: size - 1,
    }),
    false,
    "one byte over",
  );
  // With its length declared, as a server hands it over.
  const declared = twilio(twilioBody, { "content-length": String(size) });
  assert.equal(await verifyTwilioSignature(declared, "12345"), true);
  const overDeclared = twilio(twilioBody, { "content-length": String(size) });
  assert.equal(
    await verifyTwilioSignature(overDeclared, { authToken: "12345", maxBodyBytes: size - 1 }),
    false,
  );

  // Plivo's POST vector (signatures_test.ts), streamed.
  const plivoBody = new URLSearchParams({
    CallUUID: "abc-123",
    From: "+14155550100",
    Direction: "inbound",
  }).toString();
  const plivo = new Request("https://example.com/answer?q=1", {
    method: "POST",
    headers: {
      "x-plivo-signature-v3": "3/n8s3jNACCLm6L1tPuPXHPq6A6hZ0MosctlzsHniSg=",
      "x-plivo-signature-v3-nonce": "12345678901234567890",
      "content-type": FORM,
    },
    body: streamed(plivoBody, 5),
  });
  assert.equal(await verifyPlivoSignature(plivo, "MAXXXXTOKEN"), true);
  assert.equal((await plivo.formData()).get("CallUUID"), "abc-123");

  // Telnyx's vector (signatures_test.ts), streamed.
  const telnyxBody = '{"data":{"event_type":"call.hangup","payload":{"call_control_id":"v3:abc"}}}';
  const telnyx = (maxBodyBytes?: number) =>
    verifyTelnyxSignature(
      new Request("https://example.com/hooks", {
        method: "POST",
        headers: {
          "telnyx-signature-ed25519":
            "Xs5FiwDFeAhAZDtrfLLfnush+yAyAnAHjqzJax3cchVzqxmdfgX2k4UkSEhs8NGw+syBjlMtZUZKiNz3tExXCQ==",
          "telnyx-timestamp": "1700000000",
        },
        body: streamed(telnyxBody, 3),
      }),
      {
        publicKey: TELNYX_KEY,
        now: TELNYX_NOW,
        ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
      },
    );
  assert.equal(await telnyx(), true);
  assert.equal(await telnyx(telnyxBody.length), true);
  assert.equal(await telnyx(telnyxBody.length - 1), false);

  // A JSON body bound by `bodySHA256`, streamed.
  const json = '{"a":1}';
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(json)),
  );
  const url = `https://example.com/hooks?bodySHA256=${
    [...digest].map((b) => b.toString(16).padStart(2, "0")).join("")
  }`;
  const hashed = new Request(url, {
    method: "POST",
    headers: {
      "x-twilio-signature": await hmacBase64(url, { key: "12345", hash: "SHA-1" }),
      "content-type": "application/json",
    },
    body: streamed(json, 2),
  });
  assert.equal(await verifyTwilioSignature(hashed, "12345"), true);
  assert.equal(await hashed.text(), json);
});

Deno.test("`maxBodyBytes` that is not a non-negative integer is a `RangeError` naming it", async () => {
  const get = () => new Request("https://example.com/hook");
  for (const maxBodyBytes of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
    const named = (e: Error) => e instanceof RangeError && e.message.includes(String(maxBodyBytes));
    await assert.rejects(
      () => verifyTwilioSignature(get(), { authToken: "t", maxBodyBytes }),
      named,
      `Twilio ${maxBodyBytes}`,
    );
    await assert.rejects(
      () => verifyPlivoSignature(get(), { authToken: "t", maxBodyBytes }),
      named,
      `Plivo ${maxBodyBytes}`,
    );
    await assert.rejects(
      () => verifyTelnyxSignature(get(), { publicKey: TELNYX_KEY, maxBodyBytes }),
      named,
      `Telnyx ${maxBodyBytes}`,
    );
  }
});
