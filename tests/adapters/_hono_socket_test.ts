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

Deno.test("HonoSocket sends through Hono's WSContext where the raw socket is `ws` (Node)", () => {
  const wsLike = { send() {}, addEventListener() {}, on() {} }; // `ws` 8: an emitter too
  const { ws, viaContext } = context(wsLike);
  const socket = new HonoSocket();
  socket.events.onOpen(new Event("open"), ws);
  socket.send("hello");
  assert.deepEqual(viaContext, ["hello"]);
});

Deno.test("HonoSocket sends on Bun's ServerWebSocket itself, a message Bun dropped (send returned 0) refused, an empty one sent", () => {
  // bun-types 1.4.5, `ServerWebSocketSendStatus`: "if 0, the message was dropped"; "sending an
  // empty payload … succeeds but also returns 0". Hono's WSContext throws that result away.
  const sent: unknown[] = [];
  let status = 5;
  const bunLike = {
    getBufferedAmount: () => 0,
    send(this: unknown, data: unknown) {
      assert.equal(this, bunLike, "called as the socket's own method");
      sent.push(data);
      return status;
    },
  };
  const { ws, viaContext } = context(bunLike);
  const socket = new HonoSocket();
  socket.events.onOpen(new Event("open"), ws);
  socket.send("hello");
  status = 0;
  assert.throws(() => socket.send("dropped"), TypeError);
  socket.send("");
  assert.deepEqual({ sent, viaContext }, { sent: ["hello", "dropped", ""], viaContext: [] });
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

/** A socket's events as the transport hears them: "error", or the close's code and reason. */
function heardOf(socket: HonoSocket): string[] {
  const heard: string[] = [];
  socket.addEventListener("error", () => heard.push("error"));
  socket.addEventListener("close", (event) => heard.push(`close ${event.code} ${event.reason}`));
  return heard;
}

/** A raw socket of `WebSocketPair` (Workers: `accept()`), or Deno's (none), in `readyState`. */
function standardRaw(workers: boolean, readyState: number) {
  return {
    readyState,
    binaryType: "blob",
    addEventListener() {},
    send() {},
    close() {},
    ...(workers ? { accept() {} } : {}),
  };
}

Deno.test("HonoSocket on Workers follows an error on a closed socket with a close 1006, at once, and tells no later close", () => {
  const raw = standardRaw(true, 1);
  const { ws } = context(raw);
  const socket = new HonoSocket();
  const heard = heardOf(socket);
  socket.events.onMessage(new MessageEvent("message", { data: "{}" }), ws);
  raw.readyState = 3; // workerd failed the connection (the client broke the protocol)
  const error = Object.assign(new Event("error"), { message: "Unknown opcode 3" });
  socket.events.onError(error as ErrorEvent, ws);
  assert.deepEqual(heard, ["error", "close 1006 Unknown opcode 3"]);
  assert.equal(socket.readyState, 3);
  socket.events.onClose(new CloseEvent("close", { code: 1002 }), ws);
  assert.deepEqual(heard, ["error", "close 1006 Unknown opcode 3"]);
});

Deno.test("HonoSocket on Workers leaves an error on an open socket to the close that follows it", () => {
  const raw = standardRaw(true, 1);
  const { ws } = context(raw);
  const socket = new HonoSocket();
  const heard = heardOf(socket);
  socket.events.onError(new Event("error") as ErrorEvent, ws); // the first event: opens too
  raw.readyState = 3;
  socket.events.onClose(new CloseEvent("close", { code: 1011, reason: "gone" }), ws);
  assert.deepEqual(heard, ["error", "close 1011 gone"]);
});

Deno.test("HonoSocket on Workers tells a close code no close frame may carry as 1006, answered 1002", () => {
  for (const code of [5000, 999, 1015]) {
    const closesCalled: [number | undefined, string | undefined][] = [];
    const raw = {
      ...standardRaw(true, 2), // before 2026-04-07 workerd leaves the close unanswered
      close: (code?: number, reason?: string) => void closesCalled.push([code, reason]),
    };
    const { ws } = context(raw);
    const socket = new HonoSocket();
    const heard = heardOf(socket);
    socket.events.onClose(new CloseEvent("close", { code }), ws);
    assert.deepEqual(closesCalled, [[
      1002,
      `close code ${code} is not one a close frame may carry`,
    ]]);
    assert.deepEqual(heard, [
      `close 1006 the peer closed with code ${code}, which no close frame may carry`,
    ]);
  }
});

Deno.test("HonoSocket elsewhere (Deno's raw socket: no accept()) passes errors and closes on as they come", () => {
  const raw = standardRaw(false, 1);
  const { ws } = context(raw);
  const socket = new HonoSocket();
  const heard = heardOf(socket);
  socket.events.onOpen(new Event("open"), ws);
  raw.readyState = 3;
  socket.events.onError(new Event("error") as ErrorEvent, ws);
  assert.deepEqual(heard, ["error"], "the runtime's own close follows");
  socket.events.onClose(new CloseEvent("close", { code: 1002, reason: "broken" }), ws);
  assert.deepEqual(heard, ["error", "close 1002 broken"]);
});

Deno.test("HonoSocket on Workers closes a socket whose connection dropped, which workerd reports OPEN, and tells the close once", () => {
  for (const workers of [true, false]) {
    const closesCalled: [number | undefined, string | undefined][] = [];
    const raw = {
      ...standardRaw(workers, 1),
      close: (code?: number, reason?: string) => void closesCalled.push([code, reason]),
    };
    const { ws } = context(raw);
    const socket = new HonoSocket();
    const heard = heardOf(socket);
    socket.events.onMessage(new MessageEvent("message", { data: "{}" }), ws);
    // workerd tells a connection gone with no close frame on a socket still OPEN, then keeps it
    // CLOSING (with its listeners: this session, a Durable Object) until close() is called.
    const reason = "WebSocket disconnected without sending Close frame.";
    socket.events.onClose(new CloseEvent("close", { code: 1006, reason }), ws);
    assert.deepEqual(closesCalled, workers ? [[1000, undefined]] : [], `workers: ${workers}`);
    assert.deepEqual(heard, [`close 1006 ${reason}`]);
  }
});
