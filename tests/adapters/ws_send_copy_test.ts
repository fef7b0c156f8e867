// `ws` (Node, Hono on Node) keeps the bytes it queues by reference while the kernel's send buffer
// is full, where Deno, Bun and workerd copy as they send: a bot that reuses one buffer for every
// frame (the transport sends a real-time bot's frame as it is) or a background mixer's reused
// output went out as it was later. The Node adapter's socket hands `ws` a copy.
import assert from "node:assert/strict";
import { NodeSocket, type WsSocket } from "../../src/adapters/_node_socket.ts";
import { RawPcmSerializer, WebSocketTransport } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";

/** A `ws` socket whose kernel takes nothing: every message queued, by reference, as ws does. */
function backedUpWs(): WsSocket & { queued: Uint8Array[] } {
  const queued: Uint8Array[] = [];
  return {
    queued,
    readyState: 1,
    bufferedAmount: 0,
    binaryType: "nodebuffer",
    send(data) {
      if (typeof data === "string") return;
      queued.push(
        data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      );
    },
    close() {},
    terminate() {},
    ping() {},
    pause() {},
    on: () => undefined,
  };
}

Deno.test("NodeSocket gives ws a copy of the bytes: a buffer reused after send changes nothing queued", () => {
  const ws = backedUpWs();
  const socket = new NodeSocket(ws, { idleTimeout: 0, closeTimeoutMs: 500 });
  const buffer = new Uint8Array([1, 1, 1, 1]);
  socket.send(buffer);
  buffer.fill(2);
  socket.send(buffer.buffer);
  buffer.fill(3);
  assert.deepEqual(ws.queued.map((bytes) => [...bytes]), [[1, 1, 1, 1], [2, 2, 2, 2]]);
});

Deno.test("a real-time bot reusing one buffer for every frame on Node: each chunk goes out as written", async () => {
  const ws = backedUpWs();
  const clock = new FakeClock();
  const transport = new WebSocketTransport(
    new NodeSocket(ws, { idleTimeout: 0, closeTimeoutMs: 500 }),
    {
      serializer: new RawPcmSerializer(),
      clock,
      audioOut: { sampleRate: 16000, chunkMs: 20 },
    },
  );
  await clock.tick(0);
  const frame = new Uint8Array(640); // one chunk, reused for every frame, as README allows
  for (let n = 1; n <= 5; n++) {
    frame.fill(n);
    await transport.send({ type: "audio", audio: frame, sampleRate: 16000, channels: 1 });
    await clock.tick(20);
  }
  assert.deepEqual(ws.queued.map((bytes) => bytes[0]), [1, 2, 3, 4, 5]);
  const closing = transport.close(); // this ws never answers: the close timeout ends it
  await clock.tick(1000);
  await closing;
});
