// Every adapter refuses an upgrade that carries a body with 405 (README, "Every adapter checks a
// request the same way"): the Node adapter builds its Request from the headers alone
// (src/adapters/_node_http.ts), so the body is told by its declared length.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "../../src/adapters/node.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

Deno.test("Node `upgradeHandler` refuses a GET upgrade that carries a body with 405", async () => {
  const wss = new WebSocketServer({ noServer: true });
  const sessions: WebSocketTransport[] = [];
  const server = createServer();
  server.on(
    "upgrade",
    upgradeHandler(wss as never, (t) => {
      sessions.push(t);
      t.readable.pipeTo(t.writable).catch(() => {});
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const request = `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
    "Sec-WebSocket-Version: 13\r\nContent-Length: 5\r\n\r\nhello";
  await conn.write(new TextEncoder().encode(request));
  const buffer = new Uint8Array(4000);
  const n = await conn.read(buffer);
  const status = new TextDecoder().decode(buffer.subarray(0, n ?? 0)).split("\r\n")[0];
  conn.close();
  for (const t of sessions) await t.closed;
  await new Promise((resolve) => server.close(resolve));
  assert.equal(status, "HTTP/1.1 405 Method Not Allowed");
});
