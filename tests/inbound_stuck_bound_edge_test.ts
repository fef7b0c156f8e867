// The stuck-reader bound as the README's `maxInboundFrames` row and `TransportOptions` say it: a
// reader that leaves four times `maxInboundFrames` frames of earlier messages unread, or more
// ("or more", not "more than"), ends the session ("backpressure", 1008) when the next message
// comes; one frame fewer does not; and the frames of the message arriving are not counted
// against it.
import assert from "node:assert/strict";
import type { Frame } from "../src/frames.ts";
import type { TransportError } from "../src/errors.ts";
import type { FrameSerializer } from "../src/serializer.ts";
import { WebSocketTransport } from "../src/transport.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../src/testing/memory_socket.ts";

/** Text "a b c" is read as one text frame a word. */
const words = (): FrameSerializer => ({
  serialize: () => null,
  deserialize: (data) => (data as string).split(" ").map((t): Frame => ({ type: "text", text: t })),
});

/** A session holding 2 frames (so stuck at 8 unread) for a reader that reads nothing. */
async function session() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: words(),
    clock,
    maxInboundFrames: 2,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => void errors.push(event.error));
  await clock.tick(0);
  const reader = transport.readable.getReader(); // takes nothing
  const send = async (message: string) => {
    pair.client.send(message);
    await clock.tick(0);
  };
  const backpressure = () =>
    errors.filter((e) => e.code === "backpressure").map((e) => [e.fatal, e.closeCode]);
  const finish = async () => {
    reader.releaseLock();
    await transport.readable.cancel().catch(() => {});
    await transport.close();
    await clock.runAll();
  };
  return { transport, send, backpressure, finish };
}

Deno.test("docs: 4 × maxInboundFrames - 1 frames left unread, the next message does not end the session", async () => {
  const s = await session();
  for (let i = 0; i < 7; i++) await s.send(`m${i}`);
  await s.send("next"); // finds 7 unread: under the bound
  assert.deepEqual(s.backpressure(), []);
  assert.equal(s.transport.connected, true);
  await s.finish();
});

Deno.test("docs: 4 × maxInboundFrames frames left unread (not more), the next message ends the session (backpressure, 1008)", async () => {
  const s = await session();
  for (let i = 0; i < 8; i++) await s.send(`m${i}`);
  assert.deepEqual(s.backpressure(), [], "8 unread, nothing after them yet");
  await s.send("next"); // finds 8 unread: 4 × 2, "or more"
  assert.deepEqual(s.backpressure(), [[true, 1008]]);
  const closed = await s.transport.closed;
  assert.equal(closed.code, 1008);
  await s.finish();
});

Deno.test("docs: the frames of the message arriving are not counted against the bound", async () => {
  const s = await session();
  for (let i = 0; i < 7; i++) await s.send(`m${i}`);
  await s.send("a b c d e f g h i j"); // 7 earlier unread + 10 of its own: let past
  assert.deepEqual(s.backpressure(), []);
  assert.equal(s.transport.connected, true);
  await s.send("next"); // now finds 17 unread
  assert.deepEqual(s.backpressure(), [[true, 1008]]);
  await s.finish();
});
