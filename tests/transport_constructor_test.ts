// A constructor that throws part-way leaves nothing of the session behind, and takes nothing the
// caller handed it: the background it was given serves the next session as if never offered.
import assert from "node:assert/strict";
import { BackgroundAudio, RawPcmSerializer, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { refusingSocket } from "./_refusing_socket.ts";

class BadBind extends RawPcmSerializer {
  bind(): void {
    throw new Error("bind failed");
  }
}

/** A background over an endless stream of 20 ms at 16 kHz, counting its reads and its cancel. */
function streamedBackground() {
  const source = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      source.pulled++;
      controller.enqueue(new Uint8Array(640).fill(0x09));
    },
    cancel: () => void (source.cancelled = true),
  }, { highWaterMark: 0 });
  const errors: Error[] = [];
  const background = new BackgroundAudio(stream, {
    sampleRate: 16000,
    volume: 1,
    fadeMs: 0,
    onError: (error) => errors.push(error),
  });
  return { background, stream, source, errors };
}

const failures = {
  "a serializer whose bind() throws": (pair: MemorySocketPair) => ({
    socket: pair.server,
    serializer: new BadBind(),
    thrown: /bind failed/,
  }),
  "a socket whose addEventListener throws": (pair: MemorySocketPair) => {
    pair.server.addEventListener = () => {
      throw new Error("no listeners here");
    };
    return { socket: pair.server, serializer: new RawPcmSerializer(), thrown: /no listeners here/ };
  },
};

for (const [failure, make] of Object.entries(failures)) {
  for (const connecting of [false, true]) {
    const socketState = connecting ? "connecting" : "open";
    Deno.test(`a constructor that threw (${failure}, socket ${socketState}) leaves a streamed background untouched, to serve the next session`, async () => {
      const clock = new FakeClock();
      const { background, stream, source, errors } = streamedBackground();
      const { socket, serializer, thrown } = make(new MemorySocketPair({ connecting }));
      const options = { serializer, background, clock, audioOut: { sampleRate: 16000 } };
      assert.throws(() => new WebSocketTransport(socket, options), thrown);
      // Nothing began: the mixer is attached (the stream read) only once the session sends, a
      // task after a constructor that returned; one that threw left no reader, read nor timer.
      await clock.tick(1000);
      assert.equal(stream.locked, false, "no reader left holding the stream");
      assert.equal(source.pulled, 0, "nothing read");
      assert.equal(source.cancelled, false, "the caller's stream is not taken from it");
      assert.equal(clock.pendingTimers, 0, "no timer left");

      // The same background serves the next session, and that session's end releases it.
      const pair = new MemorySocketPair();
      const next = new WebSocketTransport(pair.server, {
        background,
        clock,
        audioOut: { sampleRate: 16000, chunkMs: 20 },
      });
      let chunks = 0;
      pair.client.addEventListener("message", () => chunks++);
      await clock.tick(200);
      assert.ok(chunks >= 9, `${chunks} chunks of background reached the far end`);
      assert.ok(source.pulled > 0);
      assert.deepEqual(errors, [], "attached once: not refused as a second session");
      pair.client.close(1000);
      await next.closed;
      assert.equal(source.cancelled, true, "the session's end released the stream");
      assert.equal(clock.pendingTimers, 0);
    });
  }
}

Deno.test("a socket that refuses one listener part-way keeps none of the transport's: its close reaches no half-made session", async () => {
  const clock = new FakeClock();
  const { pair, listening } = refusingSocket("error", new MemorySocketPair());
  const socket = pair.server;
  assert.throws(() => new WebSocketTransport(socket, { clock }), /no error events/);
  assert.deepEqual([...listening], [], "the message and close listeners taken back");
  // Left on, these reached a transport never made: its close handling found no socket events
  // to stop and threw inside the socket's listener, an uncaught error.
  pair.client.send(new Uint8Array(640));
  pair.client.close(1000);
  await clock.tick(1000);
  assert.equal(clock.pendingTimers, 0);
});
