import assert from "node:assert/strict";
import { type SocketEventHandlers, SocketEvents } from "../src/_socket_events.ts";
import { TransportError } from "../src/errors.ts";
import { MemorySocketPair } from "../src/testing/mod.ts";

function listen(pair = new MemorySocketPair()) {
  const seen: string[] = [];
  const errors: TransportError[] = [];
  const handlers: SocketEventHandlers = {
    message: (event) =>
      seen.push(`message ${((event as MessageEvent).data as ArrayBuffer).byteLength}`),
    open: () => seen.push("open"),
    close: (code, reason) => seen.push(`close ${code} ${reason}`),
    error: (error) => errors.push(error),
  };
  return { pair, seen, errors, events: new SocketEvents(pair.server, handlers) };
}

function closeEvent(init: { code?: number; reason?: string; wasClean: boolean }): Event {
  return Object.assign(new Event("close"), init);
}

Deno.test("SocketEvents: binary messages as ArrayBuffer, handed on as they are", async () => {
  const { pair, seen } = listen();
  assert.equal(pair.server.binaryType, "arraybuffer");
  pair.client.send(new Uint8Array(3));
  await pair.server.waitFor(() => seen.length === 1);
  assert.deepEqual(seen, ["message 3"]);
});

Deno.test("SocketEvents: a close's code as sent; none or 0 is 1005 after a handshake, 1006 without", () => {
  const { pair, seen } = listen();
  pair.server.dispatchEvent(closeEvent({ code: 4000, reason: "bye", wasClean: true }));
  pair.server.dispatchEvent(closeEvent({ code: 0, wasClean: true }));
  pair.server.dispatchEvent(closeEvent({ wasClean: false }));
  assert.deepEqual(seen, ["close 4000 bye", "close 1005 ", "close 1006 "]);
});

Deno.test("SocketEvents: an adapter's refusal is passed on as is; anything else is a 'closed' error", () => {
  const { pair, errors } = listen();
  const refusal = new TransportError("protocol", "too big", { closeCode: 1009, fatal: true });
  pair.server.dispatchEvent(Object.assign(new Event("error"), { error: refusal }));
  pair.server.dispatchEvent(Object.assign(new Event("error"), { message: "reset" }));
  pair.server.dispatchEvent(new Event("error"));
  assert.equal(errors[0], refusal);
  assert.deepEqual(errors.slice(1).map((e) => [e.code, e.message, e.fatal]), [
    ["closed", "reset", false],
    ["closed", "socket error", false],
  ]);
});

Deno.test("SocketEvents: open is listened for on a connecting socket; stop removes every listener", () => {
  const { pair, seen, errors, events } = listen(new MemorySocketPair({ connecting: true }));
  pair.server.dispatchEvent(new Event("open"));
  events.stop();
  pair.server.dispatchEvent(new Event("open"));
  pair.server.dispatchEvent(closeEvent({ code: 1000, wasClean: true }));
  pair.server.dispatchEvent(new Event("error"));
  pair.server.dispatchEvent(new MessageEvent("message", { data: new ArrayBuffer(1) }));
  assert.deepEqual(seen, ["open"]);
  assert.deepEqual(errors, []);
});
