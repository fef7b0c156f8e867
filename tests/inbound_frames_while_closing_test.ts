// A local close reads on until the peer answers: messages read then (or decoded then, behind an
// asynchronous `deserialize`), and what the serializer still held at the end, become frames after
// the bot's frames have ended. They go to no one: each is counted in
// `stats.inboundFramesDroppedOnClose`, and not reported as an error (a far end streams until it
// hears the close: nearly every hang-up of the bot's own has some). Frames after the bot cancelled
// `readable` are not counted: it chose to read no more.
import assert from "node:assert/strict";
import type { MemorySocketPair } from "../src/testing/mod.ts";
import { slowSession } from "./_slow_serializer.ts";

/** Delivers `data` to the transport's socket, as Node's ws and Deno's client sockets do while closing. */
function arrive(s: { pair: MemorySocketPair }, data: string): void {
  s.pair.server.dispatchEvent(Object.assign(new Event("message"), { data }));
}

Deno.test("frames read while a local close waits for the peer are counted in inboundFramesDroppedOnClose, no error", async () => {
  const s = await slowSession();
  s.transport.receive((frame) => s.frames.push((frame as { message: unknown }).message));
  s.pair.client.answersClose = false; // the peer answers when the test says
  arrive(s, "0");
  const closing = s.transport.close(1000);
  arrive(s, "1");
  arrive(s, "2");
  await s.clock.tick(0);
  assert.equal(s.transport.stats.inboundFramesDroppedOnClose, 2, "counted as they come");
  s.pair.client.close(1000);
  await closing;
  await s.clock.tick(0);
  const stats = s.transport.stats;
  assert.deepEqual(s.frames, ["0"]);
  assert.equal(stats.framesIn, 1);
  assert.equal(stats.messagesIn, 3);
  assert.equal(stats.inboundFramesDroppedOnClose, 2);
  assert.equal(stats.inboundMessagesDroppedOnClose, 0, "every message was read");
  assert.deepEqual(s.errors, [], "a hang-up of the bot's own is no error");
});

Deno.test("a decode that answers while the session closes, and what the serializer held at the end: counted", async () => {
  const s = await slowSession();
  const reader = s.transport.readable.getReader();
  s.pair.client.answersClose = false;
  s.pair.client.send("slow 1");
  await s.clock.tick(0);
  const closing = s.transport.close(1000);
  s.held.push({ type: "message", message: "held" });
  s.answer("1"); // read while closing: after the reader's end
  await s.clock.tick(0);
  s.pair.client.close(1000);
  await closing;
  await s.clock.tick(0);
  assert.deepEqual(await reader.read(), { done: true, value: undefined });
  const stats = s.transport.stats;
  assert.equal(stats.framesIn, 0);
  assert.equal(stats.inboundFramesDroppedOnClose, 2, "1, and the held frame finish() handed on");
  assert.deepEqual(s.errors, []);
});

Deno.test("the peer's close: what the serializer held reaches the bot, nothing is dropped", async () => {
  const s = await slowSession();
  s.transport.receive((frame) => s.frames.push((frame as { message: unknown }).message));
  s.pair.client.send("0");
  await s.clock.tick(0);
  s.held.push({ type: "message", message: "held" });
  s.pair.client.close(1000);
  await s.transport.closed;
  await s.clock.tick(0);
  assert.deepEqual(s.frames, ["0", "held"]);
  assert.equal(s.transport.stats.framesIn, 2);
  assert.equal(s.transport.stats.inboundFramesDroppedOnClose, 0);
  assert.deepEqual(s.errors, []);
});

Deno.test("frames after the bot cancelled readable are not counted dropped, nor reported", async () => {
  const s = await slowSession();
  s.pair.client.send("0");
  const reader = s.transport.readable.getReader();
  await reader.read();
  await reader.cancel(); // the writable is still open: the session goes on
  s.pair.client.send("1");
  await s.clock.tick(0);
  s.pair.client.answersClose = false;
  const closing = s.transport.close(1000);
  arrive(s, "2");
  s.pair.client.close(1000);
  await closing;
  await s.clock.tick(0);
  assert.equal(s.transport.stats.messagesIn, 3);
  assert.equal(s.transport.stats.framesIn, 1);
  assert.equal(s.transport.stats.inboundFramesDroppedOnClose, 0);
  assert.deepEqual(s.errors, []);
});
