// A transport built on a bare Deno socket (`Deno.upgradeWebSocket` itself, as the README's
// detection recipe and the realtime bridge's detecting path do, not the Deno adapter): a caller
// that never answers the transport's close must not hold the connection. RFC 6455 §7.1.1 has the
// server end the TCP connection once the closing handshake is done; Deno stops its keep-alive
// pings once `close()` is called and waits on the peer for ever, and its `WebSocket` has no
// `terminate()`. The transport now drops it as the Deno adapter does, `closeTimeoutMs` after its
// close. A real server on 127.0.0.1 port 0; the client a raw TCP upgrade (RFC 6455 §4.1) reading
// the server's frames as §5.2 lays them out, so that it can stay silent.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../mod.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { within } from "./_ws_client.ts";
import { closeBody, RawFrameReader } from "./adapters/_raw_frame_reader.ts";
import { sendRawUpgrade } from "./adapters/_raw_upgrade.ts";

const CLOSE_TIMEOUT_MS = 300;

Deno.test("a transport on a bare Deno socket drops a caller that never answers its close", async () => {
  const clock = new FakeClock();
  const { promise: started, resolve: start } = Promise.withResolvers<WebSocketTransport>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    start(new WebSocketTransport(socket, { clock, closeTimeoutMs: CLOSE_TIMEOUT_MS }));
    return response;
  });
  const conn = await sendRawUpgrade(server.addr.port);
  const reader = new RawFrameReader(conn);
  try {
    assert.equal(await reader.statusLine(), "HTTP/1.1 101 Switching Protocols");
    const transport = await within(started, 3000, "the session");
    const closing = transport.close(4000, "bye");
    assert.deepEqual(closeBody(await within(reader.frame(), 3000, "the close")), [4000, "bye"]);
    // Never answered: the session ends on its bound, and the connection with it.
    await clock.tick(CLOSE_TIMEOUT_MS);
    await within(closing, 3000, "the close's bound");
    assert.equal(await within(reader.ended(), 3000, "the drop"), true, "connection still open");
  } finally {
    try {
      conn.close();
    } catch {
      // Dropped by the server already.
    }
    await server.shutdown();
  }
});
