// A refusal written by the Node adapter is let go of once written: `socket.end()`'s callback
// ("finish") drops the connection. A client that stops reading never lets a refusal larger than
// the connection's buffers finish writing ("finish" is emitted once all data has been flushed to
// the underlying system, Node's stream docs, event 'finish'), so it held the connection, a file
// descriptor and the refusal's bytes, for good. It gets `authorizeTimeoutMs` to take the refusal,
// then the connection is dropped.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { within } from "../_ws_client.ts";
import { serveNodeUpgrades } from "./_node_upgrades.ts";
import { readStatusLine, sendRawUpgrade } from "./_raw_upgrade.ts";

Deno.test("Node `upgradeHandler` drops a refused connection whose client stops reading once `authorizeTimeoutMs` has passed", async () => {
  const clock = new FakeClock();
  // More than loopback's send and receive buffers hold together.
  const page = "x".repeat(64 * 1024 * 1024);
  const server = await serveNodeUpgrades({
    clock,
    authorizeTimeoutMs: 1000,
    authorize: () => new Response(page, { status: 403 }),
  });
  const conn = await sendRawUpgrade(server.port);
  try {
    // Read the status line, then nothing more: the rest of the refusal waits on the server.
    assert.equal(await readStatusLine(conn), "HTTP/1.1 403 Forbidden");
    const [connection] = server.connections;
    assert.ok(connection !== undefined);
    assert.equal(connection.socket.destroyed, false, "still given its time to read the refusal");
    await clock.tick(1000);
    // A real-time bound only so that a connection never dropped fails the test, not hangs it.
    await within(connection.closed, 3000, "the server's end of the refused connection closing");
  } finally {
    conn.close();
    await server.close();
  }
});
