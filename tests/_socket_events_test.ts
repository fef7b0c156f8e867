import assert from "node:assert/strict";
import { type SocketEventHandlers, SocketEvents } from "../src/_socket_events.ts";
import { TransportError } from "../src/errors.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { refusingSocket } from "./_refusing_socket.ts";

function listen(
  pair = new MemorySocketPair(),
  bound?: { clock: FakeClock; openTimeoutMs: number },
) {
  const seen: string[] = [];
  const errors: TransportError[] = [];
  const refusals: TransportError[] = [];
  const handlers: SocketEventHandlers = {
    message: (event) =>
      seen.push(`message ${((event as MessageEvent).data as ArrayBuffer).byteLength}`),
    open: () => seen.push("open"),
    close: (code, reason) => seen.push(`close ${code} ${reason}`),
    error: (error) => errors.push(error),
    refused: (error) => refusals.push(error),
  };
  return { pair, seen, errors, refusals, events: new SocketEvents(pair.server, handlers, bound) };
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

Deno.test("SocketEvents: an adapter's refusal of a message (1009) is passed on as is, as refused; its other errors as they are; anything else is a 'closed' error", () => {
  const { pair, errors, refusals } = listen();
  const refusal = new TransportError("protocol", "too big", { closeCode: 1009, fatal: true });
  const neverServed = new TransportError("timeout", "no 101", { closeCode: 1006 });
  pair.server.dispatchEvent(Object.assign(new Event("error"), { error: refusal }));
  pair.server.dispatchEvent(Object.assign(new Event("error"), { error: neverServed }));
  pair.server.dispatchEvent(Object.assign(new Event("error"), { message: "reset" }));
  pair.server.dispatchEvent(new Event("error"));
  assert.equal(refusals.length, 1);
  assert.equal(refusals[0], refusal);
  assert.equal(errors[0], neverServed);
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

Deno.test("SocketEvents: a socket still connecting after openTimeoutMs is a dropped connection", async () => {
  const clock = new FakeClock();
  const { pair, seen, errors } = listen(new MemorySocketPair({ connecting: true }), {
    clock,
    openTimeoutMs: 300,
  });
  await clock.tick(299);
  assert.deepEqual(seen, []);
  await clock.tick(1);
  assert.deepEqual(seen, ["close 1006 the socket did not open within 300 ms"]);
  assert.deepEqual(errors.map((e) => [e.code, e.closeCode, e.fatal]), [["timeout", 1006, false]]);
  assert.equal(pair.server.readyState, 3, "dropped: it cannot open later");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("SocketEvents: the open bound is disarmed by the open, and by stop", async () => {
  const clock = new FakeClock();
  const opened = listen(new MemorySocketPair({ connecting: true }), { clock, openTimeoutMs: 300 });
  opened.pair.open();
  const stopped = listen(new MemorySocketPair({ connecting: true }), { clock, openTimeoutMs: 300 });
  stopped.events.stop();
  assert.equal(clock.pendingTimers, 0);
  await clock.tick(1000);
  assert.deepEqual([opened.seen, stopped.seen], [["open"], []]);
  assert.deepEqual([...opened.errors, ...stopped.errors], []);
});

for (const refused of ["message", "close", "error", "open"]) {
  Deno.test(`SocketEvents: a socket that refuses its ${refused} listener is left with none, and no open bound`, async () => {
    const clock = new FakeClock();
    const { pair, listening } = refusingSocket(refused);
    const seen: string[] = [];
    const handlers: SocketEventHandlers = {
      message: () => seen.push("message"),
      open: () => seen.push("open"),
      close: () => seen.push("close"),
      error: () => seen.push("error"),
      refused: () => seen.push("refused"),
    };
    assert.throws(
      () => new SocketEvents(pair.server, handlers, { clock, openTimeoutMs: 300 }),
      new RegExp(`no ${refused} events`),
    );
    assert.deepEqual([...listening], [], "every listener added before the refusal taken back");
    assert.equal(clock.pendingTimers, 0);
    pair.server.dispatchEvent(new Event("open"));
    pair.server.dispatchEvent(new MessageEvent("message", { data: new ArrayBuffer(1) }));
    pair.server.dispatchEvent(new Event("error"));
    pair.server.dispatchEvent(closeEvent({ code: 1000, wasClean: true }));
    await clock.tick(1000);
    assert.deepEqual(seen, []);
  });
}
