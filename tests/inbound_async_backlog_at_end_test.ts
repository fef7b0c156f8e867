// A serializer whose `deserialize` answers later (a promise) makes the decoder hold the messages
// behind that decode in a backlog, in order. When the session ends (the peer's close, a local
// close, a fatal error) with messages still there, they are never read: each is counted in
// `stats.inboundMessagesDroppedOnClose`, the one whose decode was under way too, and the drop is
// reported once, as a "closed" error naming the counter. (A local close reads on while the peer
// answers; after the peer's close, what it sent before is read on for up to `closeTimeoutMs`,
// tests/inbound_read_on_after_peer_close_test.ts, and the session settles after it.)
import assert from "node:assert/strict";
import { type TransportError, WebSocketTransport } from "../mod.ts";
import { InboundDecoder } from "../src/_inbound_decoder.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { emptyStats } from "../src/transport_stats.ts";
import { slowSerializer, slowSession } from "./_slow_serializer.ts";

/** The errors that report the drop, as code and whether fatal. */
const dropReports = (errors: TransportError[]) =>
  errors.filter((e) => /inboundMessagesDroppedOnClose/.test(e.message)).map((e) => [
    e.code,
    e.fatal,
  ]);

Deno.test("the peer's close while a decode is under way that outlasts closeTimeoutMs: it and the messages behind it are counted and reported once", async () => {
  const s = await slowSession();
  s.transport.receive((frame) => s.frames.push((frame as { message: unknown }).message));
  s.pair.client.send("0");
  s.pair.client.send("slow 1");
  s.pair.client.send("2");
  s.pair.client.send("3");
  await s.clock.tick(0);
  assert.deepEqual(s.calls, ["deserialize 0", "deserialize slow 1"]);
  assert.deepEqual(s.frames, ["0"]);
  s.pair.client.close(1000);
  await s.clock.tick(500); // closeTimeoutMs: read on until then, and the session settles
  assert.equal((await s.transport.closed).initiator, "remote");
  const stats = s.transport.stats;
  assert.equal(stats.inboundMessagesDroppedOnClose, 3, "slow 1 (under way), 2 and 3");
  assert.equal(stats.messagesIn, 4, "every message the socket delivered");
  assert.equal(stats.decodeErrors, 0, "no message was misread");
  assert.deepEqual(dropReports(s.errors), [["closed", false]]);
  assert.match(s.errors[0]!.message, /3 inbound messages/);
  assert.deepEqual(s.calls, ["deserialize 0", "deserialize slow 1", "finish"]);
  // The decode given up answers late: nothing is handed on, nothing counted or reported again.
  s.answer("1");
  await s.clock.tick(0);
  assert.deepEqual(s.frames, ["0"]);
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 3);
  assert.equal(s.errors.length, 1);
});

Deno.test("a local close reads on while the peer answers; what is still unread when it has is counted", async () => {
  const s = await slowSession();
  s.pair.client.answersClose = false; // the peer answers when the test says
  s.pair.client.send("slow 1");
  s.pair.client.send("slow 2");
  s.pair.client.send("3");
  await s.clock.tick(0);
  const closing = s.transport.close(1000);
  s.answer("1"); // read while the session closes: "slow 2" is read next, and stays under way
  await s.clock.tick(0);
  assert.deepEqual(s.calls, ["deserialize slow 1", "deserialize slow 2"]);
  s.pair.client.close(1000);
  await closing;
  await s.clock.tick(0);
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 2, "slow 2 (under way) and 3");
  assert.deepEqual(dropReports(s.errors), [["closed", false]]);
  assert.deepEqual(s.calls, ["deserialize slow 1", "deserialize slow 2", "finish"]);
});

Deno.test("a fatal error ends the session with messages behind a decode: counted and reported", async () => {
  const s = await slowSession();
  s.transport.receive(() => {
    throw new Error("bot failed");
  });
  s.pair.client.send("slow 1");
  s.pair.client.send("slow 2");
  s.pair.client.send("3");
  await s.clock.tick(0);
  s.answer("1"); // its frame makes the handler throw: the session ends with 1011
  const closed = await s.transport.closed;
  await s.clock.tick(0);
  assert.equal(closed.code, 1011);
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 2, "slow 2 (under way) and 3");
  assert.deepEqual(s.errors.map((e) => e.code), ["application", "closed"]);
  assert.deepEqual(dropReports(s.errors), [["closed", false]]);
});

Deno.test("a session that ends with nothing left to read counts and reports no drop", async () => {
  const s = await slowSession();
  s.pair.client.send("slow 1");
  s.pair.client.send("2");
  await s.clock.tick(0);
  s.answer("1");
  await s.clock.tick(0);
  s.pair.client.close(1000);
  await s.transport.closed;
  await s.clock.tick(0);
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 0);
  assert.deepEqual(s.errors, []);
});

Deno.test("a Blob still being read at the end is counted with the messages behind it", () => {
  /** A `Blob` whose bytes never come: its read is under way when the session ends. */
  class SlowBlob extends Blob {
    override arrayBuffer(): Promise<ArrayBuffer> {
      return new Promise(() => {});
    }
  }
  const stats = emptyStats();
  const errors: TransportError[] = [];
  const decoder = new InboundDecoder({
    serializer: slowSerializer().serializer,
    maxMessageBytes: 100,
    stats,
    onFrame: () => assert.fail("no frame is read"),
    onError: (e) => errors.push(e),
  });
  decoder.start();
  decoder.receive(new SlowBlob([new Uint8Array(4)]));
  decoder.receive("2");
  decoder.receive(new Uint8Array(6));
  decoder.stop();
  assert.equal(stats.inboundMessagesDroppedOnClose, 3);
  assert.equal(stats.messagesIn, 3);
  assert.equal(stats.bytesIn, 4 + 1 + 6);
  assert.deepEqual(dropReports(errors), [["closed", false]]);
  decoder.stop(); // once
  assert.equal(stats.inboundMessagesDroppedOnClose, 3);
  assert.equal(errors.length, 1);
});

/** A session whose serializer's set-up answers when `setUp()` is called. */
async function slowSetUpSession() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const slow = slowSerializer();
  let setUp = () => {};
  slow.serializer.setup = () => {
    slow.calls.push("setup");
    return new Promise<void>((resolve) => setUp = resolve);
  };
  const transport = new WebSocketTransport(pair.server, { clock, serializer: slow.serializer });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  await clock.tick(0);
  return { clock, pair, transport, errors, setUp: () => setUp(), ...slow };
}

Deno.test("a local close during the serializer's set-up: finish() comes after the messages that waited for it", async () => {
  const s = await slowSetUpSession();
  s.pair.client.answersClose = false; // the peer answers when the test says
  s.pair.client.send("1");
  s.pair.client.send("2");
  await s.clock.tick(0);
  const closing = s.transport.close(1000);
  await s.clock.tick(0);
  assert.deepEqual(s.calls, ["setup"], "no finish() before the set-up, nor before the messages");
  s.setUp();
  await s.clock.tick(0);
  s.pair.client.close(1000);
  await closing;
  assert.deepEqual(s.calls, ["setup", "deserialize 1", "deserialize 2", "finish"]);
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 0);
  // Read after the bot's frames had ended: their frames are dropped, counted as frames.
  assert.equal(s.transport.stats.inboundFramesDroppedOnClose, 2);
  assert.deepEqual(s.errors, [], "counted only: a hang-up of the bot's own is no error");
});

Deno.test("the peer's close during the serializer's set-up: the messages that waited for it are counted, no finish()", async () => {
  const s = await slowSetUpSession();
  s.pair.client.send("1");
  s.pair.client.send("2");
  await s.clock.tick(0);
  s.pair.client.close(1000);
  await s.transport.closed;
  await s.clock.tick(0);
  assert.deepEqual(s.calls, ["setup"], "it read nothing: it holds nothing");
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 2);
  assert.equal(s.transport.stats.messagesIn, 2);
  assert.deepEqual(dropReports(s.errors), [["closed", false]]);
});
