import assert from "node:assert/strict";
import { HonoSocket, type HonoWSContext } from "../../src/adapters/_hono_socket.ts";
import { TransportError } from "../../src/errors.ts";

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

Deno.test("HonoSocket hears `ws`'s errors from ws itself (Node 20 has no ErrorEvent for Hono), each once, an oversized message as the transport's own 1009", async () => {
  const { EventEmitter } = await import("node:events");
  const raw = Object.assign(new EventEmitter(), { send() {}, addEventListener() {} });
  const { ws } = context(raw);
  const socket = new HonoSocket();
  const errors: { message: string; error: unknown }[] = [];
  const closes: number[] = [];
  socket.addEventListener("error", (event) => errors.push(event));
  socket.addEventListener("close", (event) => closes.push(event.code));
  socket.events.onOpen(new Event("open"), ws);

  // A ws error that Hono also passes on (Node 22 and later): told once.
  const utf8 = Object.assign(new Error("Invalid UTF-8 sequence"), { code: "WS_ERR_INVALID_UTF8" });
  socket.events.onError(Object.assign(new Event("error"), { error: utf8 }), ws);
  raw.emit("error", utf8);
  assert.deepEqual(errors.map((e) => [e.message, e.error]), [["Invalid UTF-8 sequence", utf8]]);

  // ws refusing a message over maxPayload, heard only from ws (Node 20): the transport's own
  // fatal "protocol" 1009, and the close that follows says 1009 whatever Hono's event says.
  const tooBig = Object.assign(new RangeError("Max payload size exceeded"), {
    code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
  });
  raw.emit("error", tooBig);
  const refusal = errors[1]?.error as TransportError;
  assert.ok(refusal instanceof TransportError);
  assert.deepEqual([refusal.code, refusal.fatal, refusal.closeCode], ["protocol", true, 1009]);
  assert.equal(refusal.cause, tooBig);
  socket.events.onClose(new CloseEvent("close", { code: 1006, reason: "" }), ws);
  assert.deepEqual(closes, [1009]);
  assert.equal(errors.length, 2);
});
