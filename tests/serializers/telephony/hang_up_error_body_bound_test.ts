// A hang-up answered with an error whose body is huge: a proxy's error page, or a provider whose
// answer streams on. The hang-up reads the body only for its message (200 characters shown) and
// for `alreadyEnded` (Twilio's 404 with code 20404, "Update a Call resource"; Telnyx's 422 with
// code 90018, "Call has already ended": a few hundred bytes of JSON each). It read the whole body
// (`Response.text()`), bounded in time only, holding it all until the timeout; now it reads a
// prefix and cancels the rest.
import assert from "node:assert/strict";
import type { TransportError } from "../../../src/errors.ts";
import { HangUp } from "../../../src/serializers/telephony/hang_up.ts";
import { FakeClock } from "../../../src/testing/mod.ts";
import { TEST_HANG_UP } from "./_hang_up_session.ts";

/** What the server streams: 64 MiB, far more than any socket buffers between it and the client. */
const BODY_BYTES = 64 * 1024 * 1024;
const PIECE_BYTES = 64 * 1024;

/**
 * An HTTP server on 127.0.0.1 answering every request 500 with `BODY_BYTES` of "x", made as the
 * client reads it: `produced` says how much of it was read (or sits in socket buffers).
 */
function hugeErrorApi() {
  let produced = 0;
  const piece = new TextEncoder().encode("x".repeat(PIECE_BYTES));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (produced >= BODY_BYTES) return controller.close();
        produced += piece.length;
        controller.enqueue(piece);
      },
    }, { highWaterMark: 0 });
    return new Response(body, { status: 500, headers: { "content-type": "text/html" } });
  });
  const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  /** The global fetch, sent to this server instead of the provider's host. */
  const fetchHere = (url: string, init: RequestInit) => fetch(base + new URL(url).pathname, init);
  return { fetchHere, produced: () => produced, close: () => server.shutdown() };
}

Deno.test("`HangUp` reads a bounded prefix of an error's huge body and cancels the rest", async () => {
  const api = hugeErrorApi();
  try {
    // A fake clock that never moves: the hang-up cannot end by its timeout, only by the body.
    const hangUp = new HangUp({ fetch: api.fetchHere, clock: new FakeClock(), timeoutMs: 5000 });
    await assert.rejects(hangUp.run(TEST_HANG_UP), (e: TransportError) => {
      assert.equal(e.code, "protocol");
      assert.equal(
        e.message,
        `Test hang-up of call "c1" failed: HTTP 500 ${"x".repeat(197)}...`,
      );
      return true;
    });
    // Was: 67108864 (the whole body read before the error was made).
    assert.ok(api.produced() < BODY_BYTES, `${api.produced()} bytes of the body were made`);
  } finally {
    await api.close();
  }
});
