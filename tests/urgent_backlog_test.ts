// Urgent frames jump the queue and never wait for room, but a peer that stops reading them is still
// given up after sendTimeoutMs (README: "Writes are bounded"), even when nothing else is sent.
import assert from "node:assert/strict";
import { type TransportError, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

function session() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: {
      serialize: (f) => (f.type === "message" ? JSON.stringify(f.message) : null),
      deserialize: () => null,
    },
    maxBufferedBytes: 64 * 1024,
    sendTimeoutMs: 300,
    clock,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  return { clock, pair, transport, errors };
}

const text = "x".repeat(32 * 1024);

Deno.test("urgent messages to a peer that stopped reading end the session after sendTimeoutMs", async () => {
  const { clock, pair, transport, errors } = session();
  pair.client.stall();
  for (let i = 0; i < 10; i++) {
    transport.send({ type: "message", message: { text, i }, urgent: true });
  }
  assert.ok(pair.server.bufferedAmount > 64 * 1024, "they left at once, past the limit");
  await clock.tick(290);
  assert.equal(errors.length, 0, "not before sendTimeoutMs");
  await clock.tick(20);
  assert.equal(errors.find((e) => e.fatal)?.code, "backpressure");
  await clock.tick(10_000); // the close frame waits behind the unread messages: closeTimeoutMs
  const closed = await transport.closed;
  assert.equal(closed.code, 1008);
  // Sent after the end: dropped and counted, not buffered.
  transport.send({ type: "message", message: { text }, urgent: true });
  assert.equal(transport.stats.framesDroppedOnClose, 1);
});

Deno.test("urgent messages to a slow peer that catches up go on, one drain watch at a time", async () => {
  const { clock, pair, transport, errors } = session();
  pair.client.stall();
  for (let i = 0; i < 10; i++) {
    transport.send({ type: "message", message: { text, i }, urgent: true });
  }
  await clock.tick(100);
  pair.client.resume();
  await pair.client.waitFor(() => pair.server.bufferedAmount === 0);
  await clock.tick(1000);
  assert.deepEqual(errors, []);
  assert.equal(clock.pendingTimers, 0, "the watch ended once the socket drained");
  transport.send({ type: "message", message: "after", urgent: true });
  await transport.close();
});
