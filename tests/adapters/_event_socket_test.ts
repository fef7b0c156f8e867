import assert from "node:assert/strict";
import { EventSocket } from "../../src/adapters/_event_socket.ts";
import type { TransportError } from "../../src/errors.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { WebSocketTransport } from "../../src/transport.ts";

/** The listener half alone: a runtime side that dispatches whatever a test says. */
class TestSocket extends EventSocket {
  readyState: number = 1;
  binaryType = "arraybuffer";
  send(): void {}
  close(): void {}
  message(data: unknown): void {
    this.dispatchMessage(data);
  }
  closed(code: number): void {
    this.dispatchClose(code, "");
  }
}

Deno.test("EventSocket calls each listener once per event, in the order added, like an EventTarget", () => {
  for (const type of ["message", "close"] as const) {
    const socket = new TestSocket();
    const calls: string[] = [];
    const a = () => calls.push("a");
    const b = () => calls.push("b");
    socket.addEventListener(type, a);
    socket.addEventListener(type, b);
    socket.addEventListener(type, a); // already there: still called once
    if (type === "message") socket.message("x");
    else socket.closed(1000);
    assert.deepEqual(calls, ["a", "b"], type);
    socket.removeEventListener(type, a);
    calls.length = 0;
    if (type === "message") socket.message("y");
    else socket.closed(1000);
    assert.deepEqual(calls, ["b"], type);
  }
});

Deno.test("EventSocket hands a message listener the data as `event.data`", () => {
  const socket = new TestSocket();
  const data: unknown[] = [];
  socket.addEventListener("message", (event) => data.push(event.data));
  const bytes = new Uint8Array([1, 2]);
  socket.message(bytes);
  socket.message("text");
  assert.deepEqual(data, [bytes, "text"]);
  assert.equal(data[0], bytes, "the same bytes, not a copy");
});

Deno.test("EventSocket skips a listener removed during a dispatch and calls one added only from the next", () => {
  for (const type of ["message", "close"] as const) {
    const socket = new TestSocket();
    const calls: string[] = [];
    const late = () => calls.push("late");
    const second = () => calls.push("second");
    socket.addEventListener(type, () => {
      calls.push("first");
      socket.removeEventListener(type, second);
      socket.addEventListener(type, late);
    });
    socket.addEventListener(type, second);
    const fire = () => type === "message" ? socket.message("x") : socket.closed(1000);
    fire();
    assert.deepEqual(calls, ["first"], type);
    calls.length = 0;
    fire();
    assert.deepEqual(calls, ["first", "late"], type);
  }
});

/** A runtime that refuses an oversized message: it starts the close itself, then reports it. */
class RefusingSocket extends TestSocket {
  refuse(): void {
    this.readyState = 2; // the runtime has sent its close frame (1009)
    this.dispatchRefusal("message over the limit: the runtime refused it");
    this.readyState = 3;
    this.closed(1009);
  }
}

Deno.test("a message the runtime refused over its size limit is the transport's own fatal 1009, closed from this side", async () => {
  const socket = new RefusingSocket();
  const transport = new WebSocketTransport(socket, { clock: new FakeClock() });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  let disconnected = false;
  transport.addEventListener("disconnected", () => (disconnected = true));
  socket.refuse();
  const closed = await transport.closed;
  assert.deepEqual(
    errors.map((e) => [e.code, e.fatal, e.closeCode]),
    [["protocol", true, 1009]],
  );
  assert.equal(closed.code, 1009);
  assert.equal(closed.initiator, "local");
  assert.equal(disconnected, false, "the peer did not go away: the runtime refused it for us");
});

Deno.test("EventSocket reports a listener that throws as uncaught, as an EventTarget does, and goes on", async () => {
  // MDN, EventTarget.dispatchEvent(): "Exceptions thrown by event handlers are reported as
  // uncaught exceptions ... exceptions do not propagate to the caller", and the other listeners
  // run. Before, it escaped the dispatch: the listeners after it, and the close after a refusal
  // (Bun's, Hono's), never came, and the session never ended.
  const socket = new RefusingSocket();
  const transport = new WebSocketTransport(socket, { clock: new FakeClock() });
  const bug = new Error("a bug in the app's listener on transport.socket");
  const heard: string[] = [];
  socket.addEventListener("error", () => {
    throw bug;
  });
  socket.addEventListener("error", () => heard.push("error"));
  socket.addEventListener("close", () => heard.push("close"));
  const reported = new Promise<unknown>((resolve) => {
    const onUncaught = (event: ErrorEvent) => {
      event.preventDefault(); // a Deno process ends on an uncaught error otherwise
      globalThis.removeEventListener("error", onUncaught);
      resolve(event.error);
    };
    globalThis.addEventListener("error", onUncaught);
  });
  socket.refuse();
  const closed = await transport.closed;
  assert.deepEqual([closed.code, closed.initiator], [1009, "local"]);
  assert.deepEqual(heard, ["error", "close"]);
  assert.equal(await reported, bug);
});
