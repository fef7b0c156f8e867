import assert from "node:assert/strict";
import { HonoSocket, type HonoWSContext } from "../../src/adapters/_hono_socket.ts";

/** A Hono context whose `send` and raw socket record what went through each. */
function context(raw: object): { ws: HonoWSContext; viaContext: unknown[] } {
  const viaContext: unknown[] = [];
  const ws: HonoWSContext = {
    send: (data) => void viaContext.push(data),
    close() {},
    raw,
    readyState: 1,
  };
  return { ws, viaContext };
}

Deno.test("HonoSocket sends on a standard raw socket (Deno, Workers) directly, bypassing Hono's WSContext", () => {
  const sent: unknown[] = [];
  const raw = {
    readyState: 1,
    binaryType: "blob",
    bufferedAmount: 0,
    addEventListener() {},
    send(this: unknown, data: unknown) {
      assert.equal(this, raw, "called as the socket's own method");
      sent.push(data);
    },
  };
  const { ws, viaContext } = context(raw);
  const socket = new HonoSocket();
  socket.events.onOpen(new Event("open"), ws);
  socket.send("hello");
  assert.deepEqual(sent, ["hello"]);
  assert.deepEqual(viaContext, []);
  assert.equal(raw.binaryType, "arraybuffer", "the transport's binaryType reaches the raw socket");
});

Deno.test("HonoSocket sends through Hono's WSContext where the raw socket is `ws` (Node) or Bun's", () => {
  const wsLike = { send() {}, addEventListener() {}, on() {} }; // `ws` 8: an emitter too
  const bunLike = { send() {}, getBufferedAmount: () => 0 }; // Bun's ServerWebSocket
  for (const raw of [wsLike, bunLike]) {
    const { ws, viaContext } = context(raw);
    const socket = new HonoSocket();
    socket.events.onOpen(new Event("open"), ws);
    socket.send("hello");
    assert.deepEqual(viaContext, ["hello"]);
  }
});
