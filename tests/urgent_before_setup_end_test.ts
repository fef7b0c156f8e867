// An urgent frame sent while the serializer's asynchronous set-up runs waits for it. Where the
// session ends meanwhile (the set-up failed, the peer hung up, the bot closed), the frame is as
// late as one sent after the close: dropped, counted in `framesDroppedOnClose`, and the
// serializer never asked. Asked, it answers as to a session never begun: here a codec its failed
// set-up never loaded, an "encode" error reported after the end for a frame nobody could send.
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/** A serializer whose set-up loads a codec, settled by the test; it serializes only once loaded. */
function codecSerializer() {
  const serialized: string[] = [];
  let loaded = false;
  const setUp = {} as { load: () => void; fail: (cause: unknown) => void };
  const serializer: FrameSerializer = {
    setup: () =>
      new Promise<void>((resolve, reject) => {
        setUp.load = () => {
          loaded = true;
          resolve();
        };
        setUp.fail = reject;
      }),
    serialize(frame: Frame) {
      serialized.push(frame.type);
      if (!loaded) throw new Error("codec not loaded");
      return frame.type === "message" ? JSON.stringify(frame.message) : frame.type;
    },
    deserialize: () => null,
  };
  return { serializer, serialized, setUp };
}

function session() {
  const clock = new FakeClock();
  const codec = codecSerializer();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, { serializer: codec.serializer, clock });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const received: unknown[] = [];
  pair.client.addEventListener("message", (e) => received.push((e as MessageEvent).data));
  return { ...codec, ...pair, clock, transport, errors, received };
}

const transcript = { event: "transcript" };
const urgent: Frame = { type: "message", message: transcript, urgent: true };

Deno.test("an urgent message waiting for a set-up that fails is dropped at the close, unserialized", async () => {
  const s = session();
  const sent = s.transport.send(urgent);
  assert.ok(sent instanceof Promise, "it waits for the set-up");
  s.setUp.fail(new Error("no codec for this rate"));
  await sent;
  assert.equal((await s.transport.closed).code, 1011);
  assert.deepEqual(s.serialized, [], "the serializer is not asked once its session is over");
  const { framesDroppedOnClose, encodeErrors } = s.transport.stats;
  assert.deepEqual({ framesDroppedOnClose, encodeErrors }, {
    framesDroppedOnClose: 1,
    encodeErrors: 0,
  });
  assert.equal(s.errors.length, 1, "the set-up's failure only: no error blames the frame");
  assert.match(s.errors[0]!.message, /serializer setup failed/);
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("an urgent message waiting for the set-up when the peer hangs up is dropped, counted, with nothing reported", async () => {
  const s = session();
  const sent = s.transport.send(urgent);
  s.client.close(1000, "bye"); // the caller hangs up while the set-up runs
  await sent;
  await s.transport.closed;
  assert.deepEqual(s.serialized, []);
  assert.equal(s.transport.stats.framesDroppedOnClose, 1);
  assert.deepEqual(s.errors, []);
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0);
});

// Nothing leaves before the set-up is done: an interruption then has nothing to clear, so no
// clear is held for later (none to drop at the close either), as before the socket opens.
Deno.test("an interrupt() during the set-up sends no clear, then or after: the serializer is not asked, nothing dropped", async () => {
  const s = session();
  const interrupted = s.transport.interrupt();
  await s.transport.close();
  const result = await interrupted;
  assert.equal(result.droppedMs, 0);
  assert.deepEqual(s.serialized, []);
  assert.deepEqual(s.errors, []);
  const { framesDroppedOnClose, encodeErrors } = s.transport.stats;
  assert.deepEqual({ framesDroppedOnClose, encodeErrors }, {
    framesDroppedOnClose: 0,
    encodeErrors: 0,
  });
});

Deno.test("an interrupt() during the set-up, the socket open: no clear once it is done, and an urgent message taken before it still leaves", async () => {
  const s = session();
  void s.transport.send(urgent);
  const interrupted = s.transport.interrupt();
  s.setUp.load();
  await interrupted;
  await s.clock.tick(10);
  assert.deepEqual(s.serialized, ["message"], "no interruption asked of the serializer");
  assert.deepEqual(s.received, [JSON.stringify(transcript)]);
  assert.equal(s.transport.stats.framesDroppedOnClose, 0);
  assert.deepEqual(s.errors, []);
  void s.transport.close();
  await s.clock.tick(5000);
  await s.transport.closed;
});

Deno.test("urgent messages and a cancel sent during the set-up leave in order once it is done", async () => {
  const s = session();
  void s.transport.send(urgent);
  const cancelled = s.transport.send({ type: "cancel" });
  s.setUp.load();
  await cancelled;
  await s.transport.closed;
  assert.deepEqual(s.serialized, ["message", "cancel"]);
  assert.deepEqual(s.received, [JSON.stringify(transcript), "cancel"]);
  assert.equal(s.transport.stats.framesDroppedOnClose, 0);
  assert.deepEqual(s.errors, []);
});
