// How a hang-up reads the provider's answer when it is not a plain 2xx: a body that breaks off
// mid-read, a body's cancel that throws, a UTF-8 character cut by the 16 KiB bound, a browser's
// opaque redirect, and request headers given as pairs or with values that are no strings.
import assert from "node:assert/strict";
import type { TransportError } from "../../../src/errors.ts";
import { HangUp, type HangUpRequest } from "../../../src/serializers/telephony/hang_up.ts";
import { PlivoSerializer } from "../../../src/serializers/plivo.ts";
import { fakeFetch } from "../fixtures/telephony_harness.ts";
import { TEST_HANG_UP } from "./_hang_up_session.ts";

const encoder = new TextEncoder();

/**
 * A body that hands over `text` on its first read and then breaks off, as a connection reset
 * mid-answer does (Deno's fetch then rejects the read with this TypeError). Pulled one read at a
 * time: an error raised with chunks still queued would drop them (Streams Standard,
 * ReadableStreamDefaultControllerError resets the queue).
 */
function breakingBody(text: string): ReadableStream<Uint8Array> {
  let pulls = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulls++ === 0) return controller.enqueue(encoder.encode(text));
      controller.error(new TypeError("error reading a body from connection: connection reset"));
    },
  }, { highWaterMark: 0 });
}

/** `TEST_HANG_UP`, with `alreadyEnded` as given. */
function testRequest(alreadyEnded: HangUpRequest["alreadyEnded"]): HangUpRequest {
  return { ...TEST_HANG_UP, alreadyEnded };
}

Deno.test("`HangUp` judges an answer whose body breaks off by its status and what came before", async () => {
  // Plivo, "Hang up a call": DELETE /v1/Account/{auth_id}/Call/{call_uuid}/ answers 404 when the
  // call is gone, which Plivo's serializer reads from the status alone.
  const gone = fakeFetch(() =>
    new Response(breakingBody('{"api_id":"a1","error":"'), { status: 404 })
  );
  const plivo = new PlivoSerializer({ authId: "MA1", authToken: "T", fetch: gone.fetch });
  plivo.deserialize('{"event":"start","start":{"streamId":"s1","callId":"c1"}}');
  // Was: a "protocol" error, `failed: TypeError: error reading a body from connection: …`.
  assert.equal(await plivo.serialize({ type: "end" }), null);
  assert.equal(gone.calls.length, 1);
  // An error that is not "already ended" names its status, what came, and the break.
  const busy = fakeFetch(() => new Response(breakingBody("busy, try"), { status: 500 }));
  await assert.rejects(
    new HangUp({ fetch: busy.fetch }).run(TEST_HANG_UP),
    (e: TransportError) => {
      assert.equal(e.code, "protocol");
      assert.equal(
        e.message,
        'Test hang-up of call "c1" failed: HTTP 500 busy, try (its body broke off: ' +
          "TypeError: error reading a body from connection: connection reset)",
      );
      assert.match(String(e.cause), /connection reset/);
      return true;
    },
  );
});

/**
 * `response`, its body replaced by one whose `cancel` (the body's and its reader's) throws at
 * once, as only a hand-made stream can (the Streams Standard's cancel rejects a promise): what a
 * test double or an adapter behind an injected `fetch` may hand over.
 */
function cancelThrows(response: Response): Response {
  const reader = response.body!.getReader();
  const refuse = (): Promise<void> => {
    throw new TypeError("cancel threw");
  };
  const body = { getReader: () => ({ read: () => reader.read(), cancel: refuse }), cancel: refuse };
  Object.defineProperty(response, "body", { value: body });
  return response;
}

Deno.test("`HangUp` keeps the provider's answer when cancelling the body's rest throws", async () => {
  const ended = testRequest((status) => status === 404);
  // Was, each: a "protocol" error, `failed: TypeError: cancel threw`.
  const ok = fakeFetch(() => cancelThrows(new Response('{"status":"completed"}')));
  await new HangUp({ fetch: ok.fetch }).run(ended);
  const gone = fakeFetch(() => cancelThrows(new Response("gone", { status: 404 })));
  await new HangUp({ fetch: gone.fetch }).run(ended);
  const busy = fakeFetch(() => cancelThrows(new Response("busy", { status: 500 })));
  await assert.rejects(
    new HangUp({ fetch: busy.fetch }).run(ended),
    (e: TransportError) => {
      assert.equal(e.code, "protocol");
      assert.equal(e.message, 'Test hang-up of call "c1" failed: HTTP 500 busy');
      return true;
    },
  );
});

/** A body of `bytes`, in chunks of `chunkBytes`. */
function chunkedBody(bytes: Uint8Array, chunkBytes: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunkBytes));
      at += chunkBytes;
    },
  });
}

Deno.test("`HangUp` leaves out a UTF-8 character cut by the 16 KiB bound, and keeps one cut by a chunk", async () => {
  const seen: unknown[] = [];
  const request = testRequest((_status, body) => {
    seen.push(body);
    return true;
  });
  // "é" is 2 bytes: the bound falls between them, and what follows is never read.
  const cut = encoder.encode(`${"x".repeat(16 * 1024 - 1)}é and more`);
  const long = fakeFetch(() => new Response(chunkedBody(cut, 1000), { status: 404 }));
  await new HangUp({ fetch: long.fetch }).run(request);
  // A chunk boundary between its bytes, within the bound: decoded whole.
  const split = encoder.encode(`${"x".repeat(999)}é!`);
  const short = fakeFetch(() => new Response(chunkedBody(split, 1000), { status: 404 }));
  await new HangUp({ fetch: short.fetch }).run(request);
  assert.deepEqual(seen, ["x".repeat(16 * 1024 - 1), `${"x".repeat(999)}é!`]);
});

Deno.test("`HangUp` reads a browser's opaque redirect (status 0) as a redirect not followed", async () => {
  // Fetch Standard, "opaque-redirect filtered response": what a browser's fetch with
  // `redirect: "manual"` hands over for a 3xx, of type "opaqueredirect", status 0, no headers
  // and no body. Cloudflare Workers hand over the 3xx itself instead (Workers' docs, Runtime
  // APIs, Request, `redirect`: "returned to the caller as-is"): hang_up_redirect_test.ts.
  const opaque = () =>
    Object.defineProperties(new Response(null), {
      type: { value: "opaqueredirect" },
      status: { value: 0 },
      ok: { value: false },
    });
  const browser = fakeFetch(opaque);
  await assert.rejects(
    new HangUp({ fetch: browser.fetch }).run(testRequest((status) => status === 404)),
    (e: TransportError) =>
      e.code === "protocol" &&
      e.message.startsWith('Test hang-up of call "c1" failed: HTTP 0 (a redirect, not followed)'),
  );
  assert.equal(browser.calls.length, 1);
  assert.equal(browser.calls[0]!.init.redirect, "manual");
});

Deno.test("`HangUp` refuses a bad header value given in pairs, and sends one that is no string", async () => {
  // Pairs: refused before anything is sent, the value not shown (it may be a credential).
  const refused = fakeFetch(() => new Response(null, { status: 204 }));
  const pairs: HangUpRequest = {
    ...TEST_HANG_UP,
    init: { method: "DELETE", headers: [["accept", "*/*"], ["authorization", "KEY\r\nsecret1"]] },
  };
  await assert.rejects(
    new HangUp({ fetch: refused.fetch }).run(pairs),
    (e: TransportError) =>
      e.code === "protocol" && e.message.includes("its authorization header holds") &&
      !e.message.includes("secret1"),
  );
  assert.equal(refused.calls.length, 0);
  // A number (from code without types): read as `Headers` reads it, "3", and sent.
  const sent = fakeFetch(() => new Response(null, { status: 204 }));
  const numeric: HangUpRequest = {
    ...TEST_HANG_UP,
    init: { method: "DELETE", headers: { "x-attempt": 3 } as unknown as HeadersInit },
  };
  await new HangUp({ fetch: sent.fetch }).run(numeric);
  assert.equal(new Headers(sent.calls[0]!.init.headers).get("x-attempt"), "3");
});
