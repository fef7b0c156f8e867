// Every adapter refuses an upgrade that carries a body with 405 (README, "Every adapter checks a
// request the same way"): the Node adapter builds its Request from the headers alone
// (src/adapters/_node_http.ts), so the body is told by its declared length.
import assert from "node:assert/strict";
import { serveNodeUpgrades } from "./_node_upgrades.ts";
import { readStatusLine, sendRawUpgrade } from "./_raw_upgrade.ts";

Deno.test("Node `upgradeHandler` refuses a GET upgrade that carries a body with 405", async () => {
  const server = await serveNodeUpgrades();
  const conn = await sendRawUpgrade(server.port, "Content-Length: 5\r\n", "hello");
  const status = await readStatusLine(conn);
  conn.close();
  await server.close();
  assert.equal(status, "HTTP/1.1 405 Method Not Allowed");
});
