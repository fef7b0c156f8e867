// Every adapter refuses an upgrade "with a body" with 405 (README, "Every adapter checks a request
// the same way"). A body is declared by `Content-Length` or by `Transfer-Encoding` (RFC 9112,
// 6.1 and 6.3: a request has a body when either is sent; `chunked` then frames it). The Node
// adapter builds its Request from the headers alone (src/adapters/_node_http.ts), so a chunked
// GET upgrade, told only by `Content-Length`, was upgraded, and its body read as WebSocket frames.
import assert from "node:assert/strict";
import { serveNodeUpgrades } from "./_node_upgrades.ts";
import { readStatusLine, sendRawUpgrade } from "./_raw_upgrade.ts";

Deno.test("Node `upgradeHandler` refuses a chunked GET upgrade with 405", async () => {
  const server = await serveNodeUpgrades();
  // One chunk of 5 bytes, then the last chunk (RFC 9112, 7.1).
  const conn = await sendRawUpgrade(
    server.port,
    "Transfer-Encoding: chunked\r\n",
    "5\r\nhello\r\n0\r\n\r\n",
  );
  const status = await readStatusLine(conn);
  conn.close();
  await server.close();
  assert.equal(status, "HTTP/1.1 405 Method Not Allowed");
});
