// README, "Ending a connection": once the session is over, "the transport waits `closeTimeoutMs`
// for the closing handshake, then drops the connection where the runtime can". A session that
// could not start (its `serializer` function threw) is closed with 1011 by the adapter, not by a
// transport: a peer that never answered that close kept the connection until `ws`'s own close
// timer (30 s, closeTimeout in ws 8's websocket.js) or the keep-alive. It is dropped after
// `closeTimeoutMs` too, on the options' clock.
//
// The far end is a raw client (RFC 6455 §4.1 for the handshake, §5.5.1 for the close it reads
// and never answers); `ws` runs in Deno on a real socket on 127.0.0.1 port 0.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { closeBody, RawFrameReader } from "./_raw_frame_reader.ts";
import { serveNodeUpgrades } from "./_node_upgrades.ts";
import { sendRawUpgrade } from "./_raw_upgrade.ts";

const CLOSE_TIMEOUT_MS = 500;

Deno.test("Node `upgradeHandler`: a session that could not start is dropped closeTimeoutMs after its 1011 when the peer never answers", async () => {
  const clock = new FakeClock();
  const logged = console.error;
  console.error = () => {}; // the failure is logged, by design
  const server = await serveNodeUpgrades({
    serializer: () => {
      throw new Error("no serializer for this call");
    },
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    clock,
  });
  const conn = await sendRawUpgrade(server.port);
  const reader = new RawFrameReader(conn);
  try {
    assert.equal(await reader.statusLine(), "HTTP/1.1 101 Switching Protocols");
    assert.deepEqual(closeBody(await reader.frame()), [1011, "session failed"]);
    const [connection] = server.connections;
    assert.ok(connection !== undefined, "the server saw the upgrade");
    await clock.tick(CLOSE_TIMEOUT_MS - 1);
    assert.equal(connection.socket.destroyed, false, "dropped before closeTimeoutMs");
    await clock.tick(1);
    assert.equal(connection.socket.destroyed, true, "still held after closeTimeoutMs");
    assert.equal(await reader.ended(), true, "the client saw the connection end");
    assert.equal(clock.nextDue, undefined, "no timer left");
  } finally {
    console.error = logged;
    conn.close();
    await server.close();
  }
});
