// Every adapter refuses an upgrade by any method but GET with 405 (README, "Every adapter checks a
// request the same way"; RFC 6455, 4.1: "The method of the request MUST be GET"). The Node adapter
// builds a standard `Request` for `authorize`, and `new Request` throws a TypeError for TRACE, one
// of fetch's forbidden methods (Fetch Standard, "forbidden method": CONNECT, TRACE, TRACK): such an
// upgrade was answered 400, as if its URL were nonsense.
import assert from "node:assert/strict";
import { serveNodeUpgrades } from "./_node_upgrades.ts";
import { readStatusLine, sendRawUpgrade } from "./_raw_upgrade.ts";

Deno.test("Node `upgradeHandler` refuses an upgrade by TRACE, as by POST, with 405", async () => {
  const server = await serveNodeUpgrades();
  try {
    for (const method of ["POST", "TRACE"]) {
      const conn = await sendRawUpgrade(server.port, "", "", method);
      const status = await readStatusLine(conn);
      conn.close();
      assert.equal(status, "HTTP/1.1 405 Method Not Allowed", method);
    }
  } finally {
    await server.close();
  }
});
