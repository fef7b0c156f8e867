// A serializer whose `deserialize` answers later (a promise) makes the decoder hold the messages
// that arrive meanwhile, in order. A peer that sends faster than the serializer reads must not grow
// that backlog without limit: past four times `maxInboundFrames` messages waiting (the bound the
// inbound queue puts on messages it cannot drop) the session ends with a fatal "backpressure"
// error (1008). Undecoded messages cannot be dropped oldest-audio-first as the queue drops frames:
// their kind is unknown. What still waits at the end, and what comes after the overflow (not held
// at all), is counted in `inboundMessagesDroppedOnClose` and reported once.
import assert from "node:assert/strict";
import type { TransportError } from "../mod.ts";
import { InboundDecoder } from "../src/_inbound_decoder.ts";
import type { MemorySocketPair } from "../src/testing/mod.ts";
import { emptyStats } from "../src/transport_stats.ts";
import { slowSerializer, slowSession } from "./_slow_serializer.ts";

/** A session on a memory socket with a fake clock; `maxInboundFrames` 2 bounds the backlog at 8. */

/** Delivers `data` to the transport's socket as a message, as one read while closing is. */
function arrive(s: { pair: MemorySocketPair }, data: string): void {
  s.pair.server.dispatchEvent(Object.assign(new Event("message"), { data }));
}

const codes = (errors: TransportError[]) => errors.map((e) => [e.code, e.fatal]);

/** A session whose `maxInboundFrames` 2 bounds the backlog at 8, its frames collected. */
async function boundedSession() {
  const s = await slowSession({ maxInboundFrames: 2 });
  s.transport.receive((frame) => s.frames.push((frame as { message: unknown }).message));
  return s;
}

Deno.test("a peer sending faster than an asynchronous deserialize reads: past 4 × maxInboundFrames waiting, the session ends (backpressure, 1008)", async () => {
  const s = await boundedSession();
  s.pair.client.send("slow 1");
  for (let i = 2; i <= 9; i++) s.pair.client.send(String(i));
  await s.clock.tick(0);
  assert.equal(s.errors.length, 0, "8 waiting behind the decode: within the bound");
  s.pair.client.send("10"); // the ninth waiting
  await s.clock.tick(0);
  assert.deepEqual(codes(s.errors).slice(0, 1), [["backpressure", true]]);
  assert.match(s.errors[0]!.message, /9 inbound messages wait behind a decode under way/);
  const closed = await s.transport.closed;
  await s.clock.tick(0);
  assert.equal(closed.code, 1008);
  assert.equal(closed.initiator, "local");
  const stats = s.transport.stats;
  assert.equal(stats.messagesIn, 10);
  assert.equal(stats.inboundMessagesDroppedOnClose, 10, "slow 1 (under way) and the 9 behind it");
  assert.deepEqual(codes(s.errors), [["backpressure", true], ["closed", false]]);
  assert.match(s.errors[1]!.message, /10 inbound messages .*more than 8 waited to be read/);
  assert.deepEqual(s.frames, []);
});

Deno.test("messages that come after the overflow, while the close waits for the peer, are not held: counted at once, reported with the rest", async () => {
  const s = await boundedSession();
  s.pair.client.answersClose = false; // the peer answers when the test says
  arrive(s, "slow 1");
  for (let i = 2; i <= 10; i++) arrive(s, String(i));
  assert.deepEqual(codes(s.errors), [["backpressure", true]]);
  // A runtime that reads on while closing (Node's ws, Deno's client sockets) keeps delivering.
  for (let i = 11; i <= 1000; i++) arrive(s, String(i));
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 990, "11 to 1000, at once");
  assert.equal(s.errors.length, 1, "not reported per message");
  s.pair.client.close(1000);
  await s.transport.closed;
  await s.clock.tick(0);
  assert.equal(s.transport.stats.messagesIn, 1000, "every message the socket delivered");
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 1000);
  assert.deepEqual(codes(s.errors), [["backpressure", true], ["closed", false]]);
  assert.match(s.errors[1]!.message, /1000 inbound messages/);
});

Deno.test("a backlog that stays within the bound is read in order, nothing dropped", async () => {
  const s = await boundedSession();
  for (let round = 0; round < 5; round++) {
    s.pair.client.send(`slow ${round}`);
    for (let i = 0; i < 8; i++) s.pair.client.send(`${round}.${i}`);
    await s.clock.tick(0);
    s.answer(String(round));
    await s.clock.tick(0);
  }
  assert.equal(s.frames.length, 45);
  assert.deepEqual(s.frames.slice(0, 3), ["0", "0.0", "0.1"]);
  s.pair.client.close(1000);
  await s.transport.closed;
  await s.clock.tick(0);
  assert.deepEqual(s.errors, []);
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 0);
});

Deno.test("the decoder bounds the messages waiting for the serializer's set-up too", () => {
  const stats = emptyStats();
  const errors: TransportError[] = [];
  const decoder = new InboundDecoder({
    serializer: slowSerializer().serializer,
    maxMessageBytes: 100,
    maxWaitingMessages: 3,
    stats,
    onFrame: () => assert.fail("no frame is read"),
    onError: (e) => errors.push(e),
  });
  for (let i = 1; i <= 3; i++) decoder.receive(String(i));
  assert.equal(errors.length, 0);
  decoder.receive("4");
  decoder.receive("5");
  assert.deepEqual(codes(errors), [["backpressure", true]]);
  assert.match(errors[0]!.message, /4 inbound messages wait for the serializer's set-up, over 3/);
  assert.equal(errors[0]!.closeCode, 1008);
  assert.equal(stats.inboundMessagesDroppedOnClose, 1, "5, refused");
  decoder.stop();
  assert.equal(stats.inboundMessagesDroppedOnClose, 5);
  assert.equal(stats.messagesIn, 5);
  assert.equal(stats.bytesIn, 5);
  assert.deepEqual(codes(errors), [["backpressure", true], ["closed", false]]);
});
