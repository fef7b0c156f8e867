// A reader taken to be stuck ends the session once ("backpressure", 1008): nothing more reaches
// it after the overflow, and what still comes is counted dropped (`inboundFramesDroppedOnClose`),
// as at any end. Two ways frames still reached the stuck queue after its overflow, each firing it
// again (a second fatal error) and queueing past the bound:
// - the close the error asks for finishes the serializer before it ends the queue, so what
//   `finish` hands on was pushed into the stuck queue, ahead of the rest of the message being
//   read (which was dropped);
// - after the peer's close, while the messages it sent before are read on behind an asynchronous
//   `deserialize`, that close does nothing (the session is over already), so the queue was never
//   ended: every later frame past the bound fired the overflow again.
import assert from "node:assert/strict";
import type { Frame } from "../src/frames.ts";
import type { TransportError } from "../src/errors.ts";
import type { FrameSerializer } from "../src/serializer.ts";
import { WebSocketTransport } from "../src/transport.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../src/testing/memory_socket.ts";

const text = (t: string): Frame => ({ type: "text", text: t });

/**
 * Text "a b c" is read as one text frame a word; "later …" the same, by a `deserialize` that
 * answers when `answer()` is called. `finish` hands on `held`.
 */
function serializer(held: Frame[]) {
  let answer: () => void = () => assert.fail("no decode waits");
  const s: FrameSerializer = {
    serialize: () => null,
    deserialize(data) {
      const words = (data as string).split(" ");
      if (words[0] !== "later") return words.map(text);
      return new Promise((resolve) => answer = () => resolve(words.slice(1).map(text)));
    },
    finish: () => held.splice(0),
  };
  return { serializer: s, answer: () => answer() };
}

/** A session holding 1 frame for a reader that reads nothing; its errors collected. */
async function session(held: Frame[]) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const { serializer: s, answer } = serializer(held);
  const transport = new WebSocketTransport(pair.server, {
    serializer: s,
    clock,
    maxInboundFrames: 1, // more than 4 frames of earlier messages waiting: stuck
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => void errors.push(event.error));
  await clock.tick(0);
  const reader = transport.readable.getReader(); // takes nothing until the end
  const readAll = async () => {
    const read: string[] = [];
    for (;;) {
      const next = await reader.read();
      if (next.done) return read;
      read.push((next.value as { text: string }).text);
    }
  };
  return { clock, pair, transport, errors, answer, readAll };
}

const backpressure = (errors: TransportError[]) =>
  errors.filter((e) => e.code === "backpressure").map((e) => [e.fatal, e.closeCode]);

Deno.test("a stuck reader's overflow is reported once, and what the serializer's finish hands on at that close does not reach the stuck queue", async () => {
  const s = await session([text("held1"), text("held2")]);
  s.pair.client.send("a b c d e f"); // one message's frames: let past the bound
  await s.clock.tick(0);
  assert.deepEqual(s.errors, []);
  s.pair.client.send("g h i"); // "g" finds 6 of an earlier message unread: stuck
  await s.clock.tick(0);
  assert.deepEqual(backpressure(s.errors), [[true, 1008]], "one fatal error");
  await s.clock.tick(2000);
  const closed = await s.transport.closed;
  assert.equal(closed.code, 1008);
  assert.deepEqual(await s.readAll(), ["a", "b", "c", "d", "e", "f", "g"]);
  // "h", "i" and the two held: read as the session ended, never handed on, counted.
  assert.equal(s.transport.stats.framesIn, 7);
  assert.equal(s.transport.stats.inboundFramesDroppedOnClose, 4);
});

Deno.test("a stuck reader's overflow during the read-on after the peer's close is reported once, and the queue takes nothing more", async () => {
  const s = await session([]);
  s.pair.client.send("later a b c d e f"); // its decode waits for answer()
  s.pair.client.send("g h");
  s.pair.client.send("i j");
  s.pair.client.send("k l");
  await s.clock.tick(0);
  s.pair.client.close(1000); // the peer's close: the three behind the decode are read on
  await s.clock.tick(0);
  s.answer();
  await s.clock.tick(0);
  assert.deepEqual(backpressure(s.errors), [[true, 1008]], "one fatal error");
  await s.clock.tick(2000);
  await s.transport.closed;
  assert.deepEqual(await s.readAll(), ["a", "b", "c", "d", "e", "f", "g"]);
  assert.equal(s.transport.stats.framesIn, 7, "nothing queued past the overflow");
  assert.equal(s.transport.stats.inboundFramesDroppedOnClose, 5, "h, i j, k l: counted");
});
