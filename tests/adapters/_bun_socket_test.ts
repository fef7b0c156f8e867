import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import { type BunServer, upgrade, websocket } from "../../src/adapters/bun.ts";
import { type BunServerWebSocket, BunSocket } from "../../src/adapters/_bun_socket.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

/** Bun's `ServerWebSocket` as its handlers see it: open, and recording what is sent and closed. */
function fakeBunSocket(
  data?: unknown,
): BunServerWebSocket & { sent: unknown[]; closes: unknown[] } {
  const sent: unknown[] = [];
  const closes: unknown[] = [];
  return {
    data,
    readyState: 1,
    binaryType: "nodebuffer",
    getBufferedAmount: () => 0,
    send: (message) => (sent.push(message), 1),
    close: (code, reason) => void closes.push([code, reason]),
    sent,
    closes,
  };
}

/**
 * Runs `body` with `setTimeout` holding its callbacks, for the test to run them itself with
 * `runDeferred`: the task BunSocket's "open" waits for, without a real timer.
 */
async function withHeldTimeouts(
  body: (runDeferred: () => void) => Promise<void> | void,
): Promise<void> {
  const held: (() => void)[] = [];
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((callback: () => void) => {
    held.push(callback);
    return 0;
  }) as unknown as typeof setTimeout;
  try {
    await body(() => held.splice(0).forEach((callback) => callback()));
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
}

/** A BunSocket whose events (with the readyState each was dispatched at) are recorded. */
function recordedSocket(): { socket: BunSocket; events: string[] } {
  const socket = new BunSocket();
  const events: string[] = [];
  for (const type of ["open", "message", "error", "close"]) {
    socket.addEventListener(type, (event) => {
      const detail = type === "close"
        ? ` ${event.code}`
        : type === "message"
        ? ` ${event.data}`
        : "";
      events.push(`${type}${detail} (readyState ${socket.readyState})`);
    });
  }
  return { socket, events };
}

Deno.test('BunSocket dispatches "open" a task after Bun opened it, once', async () => {
  await withHeldTimeouts((runDeferred) => {
    const { socket, events } = recordedSocket();
    socket.opened(fakeBunSocket(socket));
    assert.deepEqual(events, [], "not inside Bun's open handler: listeners come after `upgrade`");
    assert.equal(socket.readyState, 0);
    runDeferred();
    socket.received("hello");
    assert.deepEqual(events, ["open (readyState 1)", "message hello (readyState 1)"]);
  });
});

Deno.test('BunSocket dispatches "open" before a message Bun delivers within the task "open" waits for', async () => {
  await withHeldTimeouts((runDeferred) => {
    const { socket, events } = recordedSocket();
    socket.opened(fakeBunSocket(socket));
    socket.received("first");
    socket.received("second");
    runDeferred();
    assert.deepEqual(events, [
      "open (readyState 1)",
      "message first (readyState 1)",
      "message second (readyState 1)",
    ]);
  });
});

Deno.test('BunSocket dispatches "open" before a close Bun delivers within the task "open" waits for, the socket already closed', async () => {
  await withHeldTimeouts((runDeferred) => {
    const { socket, events } = recordedSocket();
    const raw = fakeBunSocket(socket);
    socket.opened(raw);
    socket.closed(1000, "bye");
    runDeferred();
    assert.deepEqual(events, ["open (readyState 3)", "close 1000 (readyState 3)"]);
    assert.throws(() => socket.send("too late"), TypeError, "nothing reaches Bun after its close");
    assert.deepEqual(raw.sent, []);
  });
});

Deno.test('BunSocket dispatches "open" before Bun\'s refusal of an oversized first message', async () => {
  await withHeldTimeouts((runDeferred) => {
    const { socket, events } = recordedSocket();
    socket.opened(fakeBunSocket(socket));
    socket.closed(1006, "Received too big message");
    runDeferred();
    assert.deepEqual(events, [
      "open (readyState 3)",
      "error (readyState 3)",
      "close 1009 (readyState 3)",
    ]);
  });
});

Deno.test('BunSocket closed before Bun opened it dispatches no "open"', async () => {
  await withHeldTimeouts((runDeferred) => {
    const { socket, events } = recordedSocket();
    socket.close(1000, "not wanted");
    const raw = fakeBunSocket(socket);
    socket.opened(raw);
    assert.deepEqual(raw.closes, [[1000, "not wanted"]]);
    socket.closed(1000, "not wanted");
    runDeferred();
    assert.deepEqual(events, ["close 1000 (readyState 3)"]);
  });
});

/**
 * A `server.upgrade` that does what Bun does: calls the `open` handler inside it, before
 * `upgrade()` has returned the transport.
 */
function bunServer(raw: { data?: unknown }): BunServer {
  return {
    upgrade(_request, { data }) {
      raw.data = data;
      websocket.open(raw as BunServerWebSocket);
      return true;
    },
  };
}

Deno.test('`upgrade` on Bun: a message from a client that sends as soon as it reads the 101 comes after "connected"', async () => {
  await withHeldTimeouts(async () => {
    const clock = new FakeClock();
    const raw: { data?: unknown } = fakeBunSocket();
    const { transport } = await upgrade(upgradeRequest(), bunServer(raw), { clock });
    assert.ok(transport);
    const seen: string[] = [];
    transport.addEventListener("connected", () => seen.push("connected"));
    transport.receive((frame: Frame) => {
      seen.push(`frame ${frame.type} (connected: ${transport.connected})`);
    });
    websocket.message(raw as BunServerWebSocket, '{"event":"hello"}');
    await clock.tick(0);
    assert.deepEqual(seen, ["connected", "frame message (connected: true)"]);
    const closing = transport.close();
    websocket.close(raw as BunServerWebSocket, 1000, ""); // Bun's answer to the close
    await closing;
  });
});

Deno.test('`upgrade` on Bun: a client that leaves as soon as it reads the 101 is "connected", then "disconnected"', async () => {
  await withHeldTimeouts(async () => {
    const clock = new FakeClock();
    const raw: { data?: unknown } = fakeBunSocket();
    const { transport } = await upgrade(upgradeRequest(), bunServer(raw), { clock });
    assert.ok(transport);
    const seen: string[] = [];
    transport.addEventListener("connected", () => seen.push("connected"));
    transport.addEventListener("disconnected", () => seen.push("disconnected"));
    websocket.close(raw as BunServerWebSocket, 1001, "going away");
    assert.deepEqual(await transport.closed, {
      code: 1001,
      reason: "going away",
      initiator: "remote",
    });
    assert.deepEqual(seen, ["connected", "disconnected"]);
  });
});

// Bun's `server.stop(true)` closes with 1001 "Server closed" and tells it as the peer's close (the
// real runtime: tests/runtimes/bun_server_stop_test.ts). A proxy in front that stops sends the
// same words: while the server still listens, the close is the peer's. Stopped, Bun's server says
// the port it was given all the same (Bun 1.4.5: 0 only for one given port 0), as this fake does.
Deno.test('`upgrade` on Bun: 1001 "Server closed" is this side\'s only once the server has stopped, whatever its port', async () => {
  await withHeldTimeouts(async () => {
    const outcomes: unknown[] = [];
    for (const stops of [false, true]) {
      const raw: { data?: unknown } = fakeBunSocket();
      const server = {
        ...bunServer(raw),
        port: 8080,
        // As Bun's: the close handlers are called inside `stop(true)` (measured on Bun 1.4.5).
        stop: () => websocket.close(raw as BunServerWebSocket, 1001, "Server closed"),
      };
      const { transport } = await upgrade(upgradeRequest(), server, { clock: new FakeClock() });
      assert.ok(transport);
      let disconnected = false;
      transport.addEventListener("disconnected", () => (disconnected = true));
      if (stops) server.stop();
      else websocket.close(raw as BunServerWebSocket, 1001, "Server closed"); // a proxy's
      outcomes.push({ stops, ...await transport.closed, disconnected });
    }
    assert.deepEqual(outcomes, [
      {
        stops: false,
        code: 1001,
        reason: "Server closed",
        initiator: "remote",
        disconnected: true,
      },
      { stops: true, code: 1001, reason: "Server closed", initiator: "local", disconnected: false },
    ]);
  });
});
