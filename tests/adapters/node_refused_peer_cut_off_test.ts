// README, Limits, "Message size": on Node, `ws` refuses a message over `maxMessageBytes` from its
// frame header, and "a peer that goes on sending is cut off after `closeTimeoutMs`". Left to
// itself `ws` answers such a message with a close frame 1009, ends its half of the connection,
// resumes reading to drop the rest of the message (receiverOnError in ws 8's websocket.js), and
// lets the connection go only once the peer's answer comes or its own 30-second close timeout
// passes: a peer that streams on would hold the connection, and be read, for 30 s. The adapter
// stops reading and drops the connection `closeTimeoutMs` after the refusal. Nothing tested that.
//
// The far end is a raw client (RFC 6455 §5.2): a binary frame announcing 10 MiB, masked (§5.3)
// with a zero key, whose payload then trickles in 4 KiB every 20 ms and never ends, without
// reading what the server sends back. `ws` runs in Deno on a real socket on 127.0.0.1 port 0. The
// adapter's cut-off is a runtime timer, so the bound is checked in real time with room on both
// sides: far under `ws`'s 30 s, and not before most of `closeTimeoutMs` has passed.
import assert from "node:assert/strict";
import { binaryHead } from "./_raw_client_frame.ts";
import { closeBody, RawFrameReader } from "./_raw_frame_reader.ts";
import { serveNodeUpgrades } from "./_node_upgrades.ts";
import { sendRawUpgrade } from "./_raw_upgrade.ts";

const CLOSE_TIMEOUT_MS = 1000;

Deno.test("Node `upgradeHandler`: a peer that goes on sending a refused message is cut off after closeTimeoutMs, not ws's 30 s", async () => {
  const server = await serveNodeUpgrades({
    maxMessageBytes: 1024,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
  });
  const conn = await sendRawUpgrade(server.port);
  const reader = new RawFrameReader(conn);
  try {
    assert.equal(await reader.statusLine(), "HTTP/1.1 101 Switching Protocols");
    const [connection] = server.connections;
    assert.ok(connection !== undefined, "the server saw the upgrade");
    let serverClosed = false;
    const serverClosedAt = connection.closed.then(() => {
      serverClosed = true;
      return performance.now();
    });
    await conn.write(binaryHead(10 * 1024 * 1024));
    // The refusal: a close frame 1009 from the server, read before streaming on.
    assert.deepEqual(closeBody(await reader.frame())?.[0], 1009);
    const refusedAt = performance.now();
    // Stream on without reading, as a peer that ignores the close does, until the server lets go
    // (a write fails) or a bound far under ws's own 30 s passes.
    const trickle = new Uint8Array(4096);
    let streaming = true;
    while (streaming && !serverClosed && performance.now() - refusedAt < 10_000) {
      await conn.write(trickle).catch(() => (streaming = false));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(serverClosed || !streaming, "the server still held the connection after 10 s");
    const heldMs = (await serverClosedAt) - refusedAt;
    assert.ok(
      heldMs >= CLOSE_TIMEOUT_MS * 0.8,
      `cut off ${heldMs.toFixed(0)} ms after the refusal, before closeTimeoutMs`,
    );
    assert.ok(
      heldMs < CLOSE_TIMEOUT_MS + 3000,
      `cut off ${heldMs.toFixed(0)} ms after the refusal, not at closeTimeoutMs`,
    );
  } finally {
    conn.close();
    await server.close();
  }
});
