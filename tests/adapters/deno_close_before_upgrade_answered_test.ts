// Deno: a bot that closes its session (`transport.close(code, reason)`) while the upgrade's 101
// has not gone out yet (the route still awaiting something of its own): Deno's socket stays
// connecting (`Deno.upgradeWebSocket`'s socket opens once the response is sent), its `close()`
// then only marks it closing, and no event comes. The close waits for the socket to open, at most
// `closeTimeoutMs`, then for an answer, as long again. With `closeTimeoutMs` above
// `openTimeoutMs`, the open bound ended the session first, as one whose socket never opened (1006,
// "the socket did not open…"), and the bot's close was lost. It now ends with the bot's code and
// reason, `initiator` "local", the close unanswered ("timeout"). A real server on 127.0.0.1 port
// 0; the client a raw TCP upgrade (RFC 6455, 4.1), as its 101 is late on purpose.
import assert from "node:assert/strict";
import type { TransportError, WebSocketTransport } from "../../mod.ts";
import { upgrade } from "../../src/adapters/deno.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { within } from "../_ws_client.ts";
import { sendRawUpgrade } from "./_raw_upgrade.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 500;

Deno.test("Deno: a bot's close before the 101 went out outlives the open bound and ends the session with its code", async () => {
  const clock = new FakeClock();
  const made = Promise.withResolvers<WebSocketTransport>();
  const answer = Promise.withResolvers<void>(); // the route's own await, before its 101
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const options = { clock, openTimeoutMs: OPEN_TIMEOUT_MS, closeTimeoutMs: CLOSE_TIMEOUT_MS };
    const { transport, response } = await upgrade(request, options);
    if (transport) made.resolve(transport);
    await answer.promise;
    return response;
  });
  const conn = await sendRawUpgrade(server.addr.port);
  try {
    const transport = await within(made.promise, 3000, "the session");
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push(e.error));
    void transport.close(4000, "bye");
    await clock.tick(OPEN_TIMEOUT_MS);
    assert.equal(errors.length, 0, "the open bound left the session to its close");
    await clock.tick(2 * CLOSE_TIMEOUT_MS - OPEN_TIMEOUT_MS);
    const closed = await within(transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, { code: 4000, reason: "bye", initiator: "local" });
    assert.deepEqual(errors.map((e) => [e.code, e.closeCode, e.message]), [
      ["timeout", 4000, `no close handshake within ${CLOSE_TIMEOUT_MS} ms`],
    ]);
  } finally {
    answer.resolve();
    conn.close();
    await within(server.shutdown(), 3000, "the server's shutdown");
  }
});
