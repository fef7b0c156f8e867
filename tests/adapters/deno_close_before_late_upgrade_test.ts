// Deno: a session closed while the route still holds back the upgrade's 101 (awaiting something
// of its own), the 101 sent only once the session has ended. Deno's socket, closed while
// connecting, only marks itself closing and sends nothing; the late 101 opens it as if never
// closed: the caller got Deno's keep-alive ping (RFC 6455 §5.5.2) and no close frame, where
// RFC 6455 §7.1.2 has the closing side send one, and the connection stayed until the idle timeout.
// Now the close goes once the socket opens, and a caller that never answers it has its connection
// dropped `closeTimeoutMs` (the open bound's path: `openTimeoutMs`) later. A real server on
// 127.0.0.1 port 0; the client a raw TCP upgrade (RFC 6455 §4.1), as its 101 is late on purpose,
// reading the server's frames as RFC 6455 §5.2 lays them out (unmasked from a server).
import assert from "node:assert/strict";
import type { TransportClosed, WebSocketTransport } from "../../mod.ts";
import type { DenoUpgradeOptions } from "../../src/adapters/deno.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { within } from "../_ws_client.ts";
import { serveLateUpgrade } from "./_late_upgrade_server.ts";
import { clientClose, closeBody } from "./_raw_frame_reader.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 300;
/** Deno pings after half of it (1 s → 500 ms real): the frame a lost close left the caller. */
const IDLE_TIMEOUT_S = 1;

/**
 * A server whose route holds the 101 until `send101` is called; `closeSession` is given the
 * session as soon as the upgrade made it (`transport` is `null` for one that could not start).
 */
function lateUpgrade(
  closeSession: (transport: WebSocketTransport) => void,
  options: DenoUpgradeOptions = {},
) {
  return serveLateUpgrade({
    openTimeoutMs: OPEN_TIMEOUT_MS,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    idleTimeout: IDLE_TIMEOUT_S,
    ...options,
    clock: new FakeClock(),
  }, closeSession);
}

Deno.test("Deno: a bot's close the 101 came too late for is sent once the socket opens, and a caller silent to it is dropped", async () => {
  const late = await lateUpgrade((transport) => void transport.close(4000, "bye"));
  assert(late.transport);
  try {
    // The wait for the socket to open, then for an answer: the session is over, unanswered.
    await late.clock.tick(2 * CLOSE_TIMEOUT_MS);
    const closed: TransportClosed = await within(late.transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, { code: 4000, reason: "bye", initiator: "local" });
    assert.equal(await late.send101(), "HTTP/1.1 101 Switching Protocols");
    const first = await within(late.reader.frame(), 3000, "the first frame");
    assert.deepEqual(closeBody(first), [4000, "bye"], "the bot's close, not a ping");
    // The caller never answers: dropped once the close has waited its bound.
    await late.clock.tick(CLOSE_TIMEOUT_MS);
    assert.equal(await within(late.reader.ended(), 3000, "the drop"), true);
  } finally {
    await late.stop();
  }
});

Deno.test("Deno: a session the open bound ended is closed once a late 101 opens its socket", async () => {
  const late = await lateUpgrade(() => {});
  assert(late.transport);
  try {
    await late.clock.tick(OPEN_TIMEOUT_MS);
    const closed = await within(late.transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, {
      code: 1006,
      reason: `the socket did not open within ${OPEN_TIMEOUT_MS} ms`,
      initiator: "remote",
    });
    assert.equal(await late.send101(), "HTTP/1.1 101 Switching Protocols");
    const first = await within(late.reader.frame(), 3000, "the first frame");
    assert.equal(closeBody(first), undefined, "a close with no code (the session ended as a drop)");
    // Answered: the closing handshake is done and the server ends the connection (§7.1.1).
    await late.conn.write(clientClose());
    assert.equal(await within(late.reader.ended(), 3000, "the end of the connection"), true);
  } finally {
    await late.stop();
  }
});

Deno.test("Deno: a session that could not start is closed with 1011 once a late 101 opens its socket", async () => {
  const original = console.error; // the failure is logged: expected here
  console.error = () => {};
  const failing = () => {
    throw new Error("factory failed");
  };
  const late = await lateUpgrade(() => {}, { serializer: failing });
  try {
    assert.equal(late.transport, null);
    await late.clock.tick(OPEN_TIMEOUT_MS); // past its open bound: the socket given up on
    assert.equal(await late.send101(), "HTTP/1.1 101 Switching Protocols");
    const first = await within(late.reader.frame(), 3000, "the first frame");
    assert.deepEqual(closeBody(first), [1011, "session failed"]);
    await late.clock.tick(OPEN_TIMEOUT_MS); // unanswered: dropped
    assert.equal(await within(late.reader.ended(), 3000, "the drop"), true);
  } finally {
    console.error = original;
    await late.stop();
  }
});
