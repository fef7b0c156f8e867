// A session the bot closes (`transport.close(code, reason)`) while its socket is still connecting:
// the close waits for the socket to open, at most `closeTimeoutMs` (a socket closed before it
// opens goes with no close frame on Deno). When `openTimeoutMs` passed during that wait, the open
// bound ended the session as one whose socket never opened (1006, "the socket did not open…"),
// and the bot's own code and reason were lost; the client, once there, read no close of the bot's.
// The bound now leaves such a session to its close: `closed` reports the bot's code and reason,
// `initiator` "local", whether the socket opens late (the client then reads the bot's close) or
// never (the close goes unanswered: a "timeout" of the close, and the connection dropped).
import assert from "node:assert/strict";
import { RawPcmSerializer, type TransportError, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 500;

/** A session on a socket still connecting; what its client reads of a close, and its events. */
function connectingSession(
  bounds = { openTimeoutMs: OPEN_TIMEOUT_MS, closeTimeoutMs: CLOSE_TIMEOUT_MS },
) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair({ connecting: true });
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    clock,
    ...bounds,
  });
  const seen: string[] = [];
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  transport.addEventListener("disconnected", () => seen.push("disconnected"));
  const clientSaw = new Promise<{ code: number; reason: string }>((resolve) =>
    pair.client.addEventListener("close", (e) => {
      const { code, reason } = e as CloseEvent;
      resolve({ code, reason });
    })
  );
  return { clock, pair, transport, seen, errors, clientSaw };
}

Deno.test("a close the bot asked for before the socket opened outlives the open bound: the late client reads it", async () => {
  const s = connectingSession();
  const closing = s.transport.close(4000, "bye");
  await s.clock.tick(OPEN_TIMEOUT_MS);
  assert.equal(s.pair.server.readyState, 0, "the bound left the socket to the close");
  await s.clock.tick(100); // the client's upgrade completes, within the close's wait
  s.pair.open();
  assert.deepEqual(await s.clientSaw, { code: 4000, reason: "bye" });
  await closing;
  assert.deepEqual(await s.transport.closed, { code: 4000, reason: "bye", initiator: "local" });
  assert.deepEqual(s.errors, [], "no open bound's timeout: the session was ending already");
  assert.deepEqual(s.seen, [], "no disconnected: we ended it");
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("a close the bot asked for on a socket that never opens settles with its code, as a close unanswered", async () => {
  const s = connectingSession();
  s.pair.client.answersClose = false; // as Deno's socket whose upgrade stalled: no event ever
  const closing = s.transport.close(4000, "bye");
  await s.clock.tick(OPEN_TIMEOUT_MS);
  assert.equal(s.pair.server.readyState, 0, "the bound left the socket to the close");
  await s.clock.tick(2 * CLOSE_TIMEOUT_MS - OPEN_TIMEOUT_MS); // the wait to open, then the answer
  await closing;
  assert.deepEqual(await s.transport.closed, { code: 4000, reason: "bye", initiator: "local" });
  assert.deepEqual(s.errors.map((e) => [e.code, e.closeCode, e.fatal, e.message]), [
    ["timeout", 4000, false, `no close handshake within ${CLOSE_TIMEOUT_MS} ms`],
  ]);
  assert.deepEqual(s.seen, [], "no disconnected: we ended it");
  assert.equal(s.pair.server.readyState, 3, "the connection was dropped");
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("a close asked within closeTimeoutMs of the open bound, the shorter one, is the bot's too", async () => {
  const s = connectingSession({ openTimeoutMs: 1000, closeTimeoutMs: 500 }); // as the defaults
  await s.clock.tick(800); // the close's wait to open would end past the bound
  const closing = s.transport.close(1000, "done");
  await s.clock.tick(300);
  s.pair.open();
  assert.deepEqual(await s.clientSaw, { code: 1000, reason: "done" });
  await closing;
  assert.deepEqual(await s.transport.closed, { code: 1000, reason: "done", initiator: "local" });
  assert.deepEqual(s.errors, []);
});

Deno.test("a session nobody closed still ends at the open bound as the caller's drop", async () => {
  const s = connectingSession();
  await s.clock.tick(OPEN_TIMEOUT_MS);
  assert.deepEqual(await s.transport.closed, {
    code: 1006,
    reason: `the socket did not open within ${OPEN_TIMEOUT_MS} ms`,
    initiator: "remote",
  });
  assert.deepEqual(s.errors.map((e) => [e.code, e.closeCode]), [["timeout", 1006]]);
  assert.deepEqual(s.seen, ["disconnected"]);
});
