// What the README's Errors section says of three endings, held: a socket that never opens is the
// caller's end (a non-fatal "timeout", then "disconnected", 1006); a close the peer never answers
// settles with the code we sent, `initiator` "local", a "timeout" telling it went unanswered; a
// `send` that throws on a socket still open loses that message (counted) and the session goes on.
import assert from "node:assert/strict";
import { RawPcmSerializer, type TransportError, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

function session(options: { openTimeoutMs?: number; closeTimeoutMs?: number }, connecting = false) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair({ connecting });
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 100_000,
    clock,
    ...options,
  });
  const seen: string[] = [];
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => {
    errors.push(e.error);
    seen.push(`error ${e.error.code}`);
  });
  transport.addEventListener("disconnected", () => seen.push("disconnected"));
  return { clock, pair, transport, errors, seen };
}

Deno.test("a socket that never opens within openTimeoutMs ends as the caller's drop: not fatal, then disconnected", async () => {
  const s = session({ openTimeoutMs: 1000 }, true);
  await s.clock.tick(1000);
  assert.deepEqual(await s.transport.closed, {
    code: 1006,
    reason: "the socket did not open within 1000 ms",
    initiator: "remote",
  });
  assert.deepEqual(
    s.errors.map((e) => [e.code, e.closeCode, e.fatal]),
    [["timeout", 1006, false]],
  );
  assert.deepEqual(s.seen, ["error timeout", "disconnected"]);
  await s.clock.runAll();
});

Deno.test("a close the peer never answers settles with the code we sent, initiator local, and a timeout", async () => {
  const s = session({ closeTimeoutMs: 500 });
  s.pair.client.answersClose = false;
  await s.clock.tick(0);
  const closing = s.transport.close(4000, "bye");
  await s.clock.tick(500);
  await closing;
  assert.deepEqual(await s.transport.closed, { code: 4000, reason: "bye", initiator: "local" });
  assert.deepEqual(s.errors.map((e) => [e.code, e.fatal]), [["timeout", false]]);
  assert.equal(s.pair.server.readyState, 3, "the connection was dropped");
  assert.deepEqual(s.seen, ["error timeout"], "no disconnected: we ended it");
});

Deno.test("a send that throws on a socket still open loses that message, counted, and the session goes on", async () => {
  const s = session({});
  const send = s.pair.server.send.bind(s.pair.server);
  let calls = 0;
  s.pair.server.send = (data) => {
    if (++calls === 3) throw new Error("refused");
    send(data);
  };
  let received = 0;
  s.pair.client.addEventListener("message", () => received++);
  await s.clock.tick(0);
  s.transport.send({ type: "audio", audio: new Uint8Array(6400), sampleRate: 16000, channels: 1 });
  await s.clock.tick(300);
  assert.deepEqual(s.errors.map((e) => [e.code, e.fatal]), [["closed", false]]);
  assert.equal(s.transport.stats.audioBytesDroppedOnClose, 640, "the lost chunk");
  assert.equal(s.transport.connected, true, "the session goes on");
  await s.pair.client.waitFor(() => received === 9);
  await s.transport.close();
  await s.clock.runAll();
});
