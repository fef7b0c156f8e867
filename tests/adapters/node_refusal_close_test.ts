// A refusal written by the Node adapter closes the connection. `socket.end()` only half-closes
// ("Half-closes the socket. i.e., it sends a FIN packet", Node's net docs, socket.end), and a
// `node:http` server keeps its connections half-open (allowHalfOpen: a socket whose writable side
// has ended stays readable until the peer ends too, Node's net docs, event 'end'): a client that
// read the refusal and never hung up held its connection, a file descriptor, for good.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { within } from "../_ws_client.ts";
import { assertRefusalCloses, serveNodeUpgrades } from "./_node_upgrades.ts";
import { readStatusLine, sendRawUpgrade } from "./_raw_upgrade.ts";

/** Runs `run` with `console.error` recording what it is given instead of printing it. */
async function withErrorsLogged(run: (logged: unknown[]) => Promise<void>): Promise<void> {
  const logged: unknown[] = [];
  const log = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    await run(logged);
  } finally {
    console.error = log;
  }
}

Deno.test("Node `upgradeHandler` closes a refused connection once the refusal is written, whether or not the client hangs up", async () => {
  const server = await serveNodeUpgrades({ allowedOrigins: ["https://app.example.com"] });
  try {
    await assertRefusalCloses(server.port, server.connections);
  } finally {
    await server.close();
  }
});

// An `authorize` may hand back an upstream's refusal as it is (`return await fetch(authService)`);
// the adapter reads its body to write it on the connection itself, and a body that fails midway
// rejected the `upgrade` listener's promise: an unhandled rejection, which ends a Node process.
Deno.test("Node `upgradeHandler`: a refusal from `authorize` whose body fails is written without it, logged, and the server goes on", async () => {
  await withErrorsLogged(async (logged) => {
    const upstream = () =>
      new ReadableStream({ pull: (c) => c.error(new Error("upstream reset")) });
    const server = await serveNodeUpgrades({
      authorize: () => new Response(upstream(), { status: 502 }),
    });
    try {
      for (const attempt of [1, 2]) {
        const conn = await sendRawUpgrade(server.port);
        assert.equal(await readStatusLine(conn), "HTTP/1.1 502 Bad Gateway", `attempt ${attempt}`);
        conn.close();
      }
      assert.match(String(logged.flat()), /upstream reset/);
    } finally {
      await server.close();
    }
  });
});

// An upstream that stalls midway never ends the body: reading it all held the connection, and the
// `upgrade` listener's promise, for good. It gets the time `authorize` had, then is cancelled (the
// upstream let go) and the refusal goes without it.
Deno.test("Node `upgradeHandler`: a refusal from `authorize` whose body never ends is written without it once `authorizeTimeoutMs` has passed", async () => {
  await withErrorsLogged(async (logged) => {
    const clock = new FakeClock();
    const reading = Promise.withResolvers<void>();
    let cancelled = false;
    // Pulled only once read (no high-water mark), and never given a chunk.
    const stalled = () =>
      new ReadableStream({ pull: () => reading.resolve(), cancel: () => void (cancelled = true) }, {
        highWaterMark: 0,
      });
    const server = await serveNodeUpgrades({
      clock,
      authorizeTimeoutMs: 1000,
      authorize: () => new Response(stalled(), { status: 502 }),
    });
    const conn = await sendRawUpgrade(server.port);
    try {
      await reading.promise;
      await clock.tick(999);
      assert.equal(cancelled, false, "the body is read for as long as `authorize` had");
      await clock.tick(1);
      // A real-time bound only so that a refusal never written fails the test, not hangs it.
      const status = await within(readStatusLine(conn), 2000, "refusal");
      assert.equal(status, "HTTP/1.1 502 Bad Gateway");
      assert.equal(cancelled, true, "the upstream is let go");
      assert.match(String(logged.flat()), /did not end within 1000 ms/);
    } finally {
      conn.close();
      await server.close();
    }
  });
});
