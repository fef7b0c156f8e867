// A serializer that sends its messages through its context (`SerializerContext.send`, as Genesys
// numbers its messages so) and answers the frame with `null`, wrapped by one that calls it only
// once its own asynchronous work is done (`serialize(f) { return ready.then(() =>
// inner.serialize(f)) }`: a remote lookup, a lock). The messages leave through the context as
// the wrapper's answers come: they must keep the order the frames were taken in (README, Frames:
// urgent messages leave "first, in order"), and a frame whose message left so is not "no message
// ... dropped". What the serializer sends through its context while an urgent answer is due waits
// in that line too: it must not overtake an urgent message taken before it.
//
// Also: a cancel while a chunk of audio, answered at once, waits behind an urgent answer due: the
// chunk never leaves (the session's end told the observers so), and is counted once, as dropped
// at the close (README, Stats: `audioBytesDroppedOnClose`), not as interrupted: no interruption.
//
// The far end here speaks no platform's protocol: a message is its JSON, audio raw PCM;
// `MemorySocket.sent` is the wire's order.
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  RawPcmSerializer,
  type SerializerContext,
} from "../mod.ts";
import { BYTES_PER_MS, SAMPLE_RATE, urgentWireSession } from "./_urgent_wire_session.ts";

/**
 * Raw PCM; a message frame is sent through the context as the JSON of its `name` and answered
 * `null` (as Genesys numbers its messages so), but one named "returned", answered with its
 * message, and one named "nothing", which has no message (answered `null`, nothing sent).
 */
function contextSender(): FrameSerializer & { context?: SerializerContext } {
  const pcm = new RawPcmSerializer();
  const inner: FrameSerializer & { context?: SerializerContext } = {
    bind(context) {
      inner.context = context;
    },
    setup: (audio) => pcm.setup(audio),
    deserialize: (data) => pcm.deserialize(data),
    serialize(frame: Frame) {
      if (frame.type !== "message") return pcm.serialize(frame);
      const { name } = frame.message as { name: string };
      if (name === "returned") return JSON.stringify({ name });
      if (name !== "nothing") inner.context!.send(JSON.stringify({ name }));
      return null;
    },
  };
  return inner;
}

/**
 * `inner`, its message frames' `serialize` called only once `open()` is called (the wrapper's own
 * work done: `serialize(f) { return ready.then(() => inner.serialize(f)) }`), in the order taken.
 */
function waitingWrapper(inner: FrameSerializer) {
  let open!: () => void;
  const ready = new Promise<void>((resolve) => open = resolve);
  const serializer: FrameSerializer = {
    bind: (context) => inner.bind?.(context),
    setup: (audio) => inner.setup!(audio),
    deserialize: (data) => inner.deserialize(data),
    serialize(frame: Frame) {
      if (frame.type !== "message") return inner.serialize(frame);
      return ready.then(() => inner.serialize(frame));
    },
  };
  return { serializer, open: () => open() };
}

/** An open session on `serializer` (see `urgentWireSession`). */
const session = (serializer: FrameSerializer) => urgentWireSession(serializer);

const urgent = (name: string): Frame => ({ type: "message", message: { name }, urgent: true });

const audio = (value: number, ms: number, responseId: string): Frame => ({
  type: "audio",
  audio: new Uint8Array(BYTES_PER_MS * ms).fill(value),
  sampleRate: SAMPLE_RATE,
  channels: 1,
  responseId,
});

Deno.test("urgent messages a wrapper answers later and its inner serializer sends through the context leave in the order taken, none reported dropped", async () => {
  const inner = contextSender();
  const wrapper = waitingWrapper(inner);
  const s = await session(wrapper.serializer);
  s.transport.send(urgent("returned"));
  s.transport.send(urgent("A"));
  s.transport.send(urgent("B"));
  await s.clock.tick(10);
  assert.deepEqual(s.wire(), []);
  wrapper.open();
  await s.clock.tick(10);
  assert.deepEqual(s.wire(), ["returned", "A", "B"]);
  assert.deepEqual(s.errors, [], "each message left: none is 'no message ... dropped'");
  assert.equal(s.transport.stats.encodeErrors, 0);
  await s.transport.close();
});

Deno.test("a message the serializer sends through its context while an urgent answer is due does not overtake the urgent message taken before it", async () => {
  const inner = contextSender();
  const wrapper = waitingWrapper(inner);
  const s = await session(wrapper.serializer);
  s.transport.send(urgent("returned"));
  // What the serializer sends of its own meanwhile (a reply to its far end, a frame of its own).
  inner.context!.send(JSON.stringify({ name: "own" }));
  await s.clock.tick(10);
  assert.deepEqual(s.wire(), [], "nothing leaves before the urgent message taken first");
  wrapper.open();
  await s.clock.tick(10);
  assert.deepEqual(s.wire(), ["returned", "own"]);
  assert.deepEqual(s.errors, []);
  // The line drained: the serializer's own messages leave at once again.
  inner.context!.send(JSON.stringify({ name: "own2" }));
  assert.deepEqual(s.wire(), ["returned", "own", "own2"]);
  await s.transport.close();
});

Deno.test("a frame the wrapped serializer has no message for, answered later, is still reported dropped, once", async () => {
  const inner = contextSender();
  const wrapper = waitingWrapper(inner);
  const s = await session(wrapper.serializer);
  s.transport.send(urgent("nothing"));
  wrapper.open();
  await s.clock.tick(10);
  assert.deepEqual(s.wire(), []);
  assert.equal(s.transport.stats.encodeErrors, 1);
  assert.equal(s.errors.length, 1);
  assert.match(s.errors[0]!.message, /no message for a message frame on this protocol: dropped/);
  await s.transport.close();
});

Deno.test("a cancel while a chunk answered at once waits behind an urgent answer due: the chunk never leaves, counted once, dropped at the close, not interrupted", async () => {
  const inner = contextSender();
  const wrapper = waitingWrapper(inner);
  const s = await session(wrapper.serializer);
  s.transport.send(audio(1, 1000, "r1"));
  await s.clock.tick(100);
  s.transport.send(urgent("A"));
  // The next chunk, answered at once, waits behind A's answer meanwhile.
  await s.clock.tick(40);
  const sentBefore = s.pair.server.sent.length;
  // README, Frames: `cancel` (hang up now; what is sent after it is dropped and counted).
  void s.transport.send({ type: "cancel", closeCode: 1001, reason: "bot hung up" });
  await s.clock.tick(10);
  await s.transport.closed;
  assert.equal(s.pair.server.sent.length, sentBefore, "nothing left after the cancel was taken");
  const { stats } = s.transport;
  assert.equal(stats.audioBytesInterrupted, 0, "no interruption: nothing counted interrupted");
  assert.equal(
    stats.audioBytesSent + stats.audioBytesDroppedOnClose,
    BYTES_PER_MS * 1000,
    "every byte counted once: sent, or dropped at the close",
  );
  assert.equal(stats.framesDroppedOnClose, 1, "A, whose answer was due");
});

Deno.test("a message the serializer sends through its context while audio waits behind an urgent answer due leaves after that audio, in the order made", async () => {
  const inner = contextSender();
  const wrapper = waitingWrapper(inner);
  const s = await session(wrapper.serializer);
  s.transport.send(urgent("returned"));
  s.transport.send(audio(1, 100, "r1"));
  await s.clock.tick(10); // the first chunk, answered at once, waits behind the urgent answer
  inner.context!.send(JSON.stringify({ name: "own" }));
  wrapper.open();
  await s.clock.tick(300);
  assert.deepEqual(s.wire(), ["returned", "audio1", "own", "audio1"]);
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});
