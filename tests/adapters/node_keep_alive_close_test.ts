// The Node adapter's keep-alive is documented as Deno's (README, Limits, "Keep-alive": "Node: the
// same with `upgradeHandler`'s `idleTimeout`"). Deno's ends a peer that never answered its ping
// with "close" and "error" ("If the client does not respond to this frame with a pong within the
// timeout specified, the connection is deemed unhealthy and is closed. The close and error event
// will be emitted.": https://docs.deno.com/api/deno/~/Deno.UpgradeWebSocketOptions.idleTimeout),
// a close frame 1001 "No response from ping frame." as measured on Deno 2. The Node adapter
// dropped the connection silently: the session was told a bare 1006, as if the peer had vanished.
import assert from "node:assert/strict";
import { NodeSocket, type WsSocket } from "../../src/adapters/_node_socket.ts";
import { RawPcmSerializer, type TransportError, WebSocketTransport } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";

// deno-lint-ignore no-explicit-any
type Listener = (...args: any[]) => void;

/** An open `ws` socket whose peer never answers: what the adapter asked of it is recorded. */
function silentPeer() {
  const listeners = new Map<string, Listener>();
  const calls: string[] = [];
  const ws: WsSocket = {
    readyState: 1,
    bufferedAmount: 0,
    binaryType: "nodebuffer",
    send() {},
    close(code, reason) {
      calls.push(`close ${code} ${reason}`);
      (ws as { readyState: number }).readyState = 2;
    },
    terminate() {
      calls.push("terminate");
      // ws reports a connection it dropped as 1006 with no reason, a turn later.
      queueMicrotask(() => listeners.get("close")?.(1006, new Uint8Array(0)));
    },
    ping: () => void calls.push("ping"),
    pause() {},
    on: (event: string, listener: Listener) => void listeners.set(event, listener),
  };
  return { ws, calls };
}

/** Makes `make`'s socket with `setInterval` captured: its keep-alive check, run by hand. */
function withKeepAlive<T>(make: () => T): { made: T; check: () => void } {
  const original = globalThis.setInterval;
  const checks: (() => void)[] = [];
  globalThis.setInterval = ((callback: () => void) => {
    checks.push(callback);
    return 0;
  }) as unknown as typeof setInterval;
  try {
    const made = make();
    assert.equal(checks.length, 1, "one keep-alive timer");
    return { made, check: checks[0]! };
  } finally {
    globalThis.setInterval = original;
  }
}

Deno.test("Node `upgradeHandler`'s keep-alive ends a peer that never answered its ping as Deno's does: 1001, with an error", async () => {
  const { ws, calls } = silentPeer();
  const clock = new FakeClock();
  const { made: transport, check } = withKeepAlive(() =>
    new WebSocketTransport(new NodeSocket(ws, { idleTimeout: 30, closeTimeoutMs: 5000 }), {
      serializer: new RawPcmSerializer(),
      clock,
    })
  );
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => void errors.push(e.error));
  await clock.tick(0);
  check(); // half the idle timeout: nothing heard since the last check would be, so a ping
  assert.deepEqual(calls, ["ping"]);
  check(); // the other half: no pong
  const closed = await transport.closed;
  assert.deepEqual(calls, ["ping", "close 1001 No response from ping frame.", "terminate"]);
  assert.deepEqual(closed, {
    code: 1001,
    reason: "No response from ping frame.",
    initiator: "remote",
  });
  assert.deepEqual(errors.map((e) => [e.code, e.message]), [
    ["closed", "No response from ping frame."],
  ]);
});

Deno.test("Node `upgradeHandler`'s keep-alive drops a peer that never answered a close as it is", async () => {
  const { ws, calls } = silentPeer();
  const { made: socket, check } = withKeepAlive(() =>
    new NodeSocket(ws, { idleTimeout: 30, closeTimeoutMs: 5000 })
  );
  const closes: { code: number; reason: string }[] = [];
  socket.addEventListener("close", (e) => void closes.push({ code: e.code, reason: e.reason }));
  socket.close(1000, "bye"); // this side's close, never answered
  check();
  check();
  await Promise.resolve();
  assert.deepEqual(calls, ["close 1000 bye", "ping", "terminate"]);
  assert.deepEqual(closes, [{ code: 1006, reason: "" }]);
});
