// `transport.readable.pipeTo(transport.writable, { signal })` with a `signal` that only looks like
// an `AbortSignal`: an object made with `Object.create(AbortSignal.prototype)` passes
// `instanceof`, but is no platform object, and its `aborted` getter throws. WebIDL's conversion of
// the options (§3.2.17 "dictionary", the `signal` member an interface type) refuses it before the
// pipe begins, as the runtime's own `pipeTo` does: a TypeError, nothing locked. Ours took it, read
// `aborted` once both streams were locked, and left them locked for good: the session could
// never be piped or written to again.
import assert from "node:assert/strict";
import { frameWritable } from "../src/_frame_writer.ts";
import { InboundQueue } from "../src/_inbound_queue.ts";
import { inboundStream } from "../src/_inbound_stream.ts";
import type { Frame } from "../src/frames.ts";

const written: Frame[] = [];
const sink = {
  send: (frame: Frame) => void written.push(frame),
  close: () => Promise.resolve(),
  abort: () => Promise.resolve(),
  interruptions: () => 0,
  dropInterrupted: () => {},
  dropUnsent: () => {},
};

Deno.test("a pipe between a transport's streams refuses a signal that only looks like an AbortSignal, as the runtime's pipe does, nothing locked", async () => {
  const fake = Object.create(AbortSignal.prototype) as AbortSignal;
  // The runtime's own pipe, for reference.
  const plain = new ReadableStream<Frame>();
  const plainDestination = new WritableStream<Frame>();
  await assert.rejects(plain.pipeTo(plainDestination, { signal: fake }), TypeError);
  assert.deepEqual([plain.locked, plainDestination.locked], [false, false]);

  const queue = new InboundQueue({ maxFrames: 10, onDrop: () => {}, onOverflow: () => {} });
  const readable = inboundStream(queue, () => {});
  const writable = frameWritable(sink);
  queue.push({ type: "message", message: 1 });
  await assert.rejects(readable.pipeTo(writable, { signal: fake }), {
    name: "TypeError",
    message: "pipeTo: options.signal is not an AbortSignal",
  });
  assert.deepEqual([readable.locked, writable.locked], [false, false]);
  assert.deepEqual(written, []);
  // The streams are free: a pipe with a real signal takes the frame waiting, to the end.
  queue.end();
  await readable.pipeTo(writable, { signal: new AbortController().signal });
  assert.deepEqual(written, [{ type: "message", message: 1 }]);
  assert.deepEqual([readable.locked, writable.locked], [false, false]);
});
