import assert from "node:assert/strict";
import type { TransportError, WebSocketTransport } from "../../mod.ts";
import { upgrade } from "../../src/adapters/deno.ts";
import { runSession } from "../../src/adapters/_session.ts";
import { within, WsClient } from "../_ws_client.ts";

/**
 * Serves one session on a real socket with `callback` run by `runSession` once it is connected
 * (the adapters' own cases, sockets not yet open, are in the runtime suites), with
 * `console.error` recorded, and hands `check` a connected client and what the server saw.
 */
async function withSession(
  callback: (transport: WebSocketTransport) => unknown,
  check: (client: WsClient, seen: { errors: TransportError[]; logged: unknown[] }) => Promise<void>,
): Promise<void> {
  const errors: TransportError[] = [];
  const logged: unknown[] = [];
  let session: WebSocketTransport | undefined;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request);
    if (transport) {
      session = transport;
      transport.addEventListener("error", (e) => errors.push(e.error));
      transport.addEventListener(
        "connected",
        () => runSession(transport, () => callback(transport)),
      );
    }
    return response;
  });
  const log = console.error;
  console.error = (...args: unknown[]) => void logged.push(...args);
  try {
    const client = await WsClient.open(`ws://127.0.0.1:${server.addr.port}`);
    await check(client, { errors, logged });
    await client.close();
    await session?.closed;
  } finally {
    console.error = log;
    await server.shutdown();
  }
}

Deno.test("`runSession` ends a session whose callback throws with 1011, reported and logged", async () => {
  await withSession(() => {
    throw new Error("boom");
  }, async (client, { errors, logged }) => {
    assert.equal((await within(client.closed, 3000, "the close")).code, 1011);
    assert.equal(errors.length, 1);
    assert.deepEqual([errors[0]!.fatal, errors[0]!.closeCode], [true, 1011]);
    assert.match(errors[0]!.message, /boom/);
    assert.deepEqual(logged, [errors[0]]);
  });
});

Deno.test("`runSession` ends a session whose callback's promise rejects later with 1011", async () => {
  await withSession(async (transport) => {
    await transport.readable.getReader().read(); // runs until the client says something
    throw new Error("later");
  }, async (client, { errors }) => {
    client.send("{}");
    assert.equal((await within(client.closed, 3000, "the close")).code, 1011);
    assert.match(errors[0]!.message, /later/);
  });
});

Deno.test("`runSession` leaves a session whose callback succeeds alone", async () => {
  await withSession((transport) => {
    void transport.readable.pipeTo(transport.writable).catch(() => {});
    return Promise.resolve();
  }, async (client, { errors, logged }) => {
    client.send('{"still":"open"}');
    assert.equal(await client.next(), '{"still":"open"}');
    assert.deepEqual([errors, logged], [[], []]);
  });
});

Deno.test("`startSession`: a transport that cannot be made ends that session with 1011, logged, not the server", async () => {
  const { startSession } = await import("../../src/adapters/_session.ts");
  const { MemorySocketPair } = await import("../../src/testing/mod.ts");
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...data: unknown[]) => void logged.push(...data);
  try {
    const pair = new MemorySocketPair();
    const closed = new Promise<CloseEvent>((resolve) =>
      pair.client.addEventListener("close", (e) => resolve(e as CloseEvent))
    );
    const failing = () => {
      throw new Error("factory failed");
    };
    assert.equal(startSession(pair.server, { serializer: failing }), null);
    assert.equal((await closed).code, 1011);
    assert.match(String(logged[0]), /the session could not start: Error: factory failed/);
    // The next session is made as usual.
    const next = startSession(new MemorySocketPair().server, {});
    assert.ok(next !== null);
    await next.close();
  } finally {
    console.error = original;
  }
});

Deno.test("`runSession`: a callback's failure before any \"error\" listener is held for the first, as the transport's own errors are", async () => {
  let session: WebSocketTransport | undefined;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request);
    if (transport) {
      session = transport;
      runSession(transport, () => {
        throw new Error("boom before anyone listened");
      });
    }
    return response;
  });
  const log = console.error;
  console.error = () => {};
  try {
    const client = await WsClient.open(`ws://127.0.0.1:${server.addr.port}`);
    assert.equal((await within(client.closed, 3000, "the close")).code, 1011);
    await session!.closed;
    const heard: TransportError[] = [];
    session!.addEventListener("error", (e) => heard.push(e.error));
    await Promise.resolve(); // held errors come a microtask after the listener
    assert.equal(heard.length, 1);
    assert.match(heard[0]!.message, /boom before anyone listened/);
    assert.equal(session!.stats.errorsUnheard, 0);
  } finally {
    console.error = log;
    await server.shutdown();
  }
});
