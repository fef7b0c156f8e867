// A server's shutdown, given to the Node adapter as `shutdownSignal`: `server.close()` stops
// listening but leaves upgraded connections alone ("Stops the server from accepting new
// connections", Node's http docs, server.close; an upgraded socket is no longer the server's), so
// a live call would be cut only when the process exits. Each session ends with its goodbye and
// 1001 (RFC 6455, 7.4.1: "a server going down"); an upgrade asked for then gets 503 (RFC 9110,
// 15.6.4). `ws` on `node:http`, run in Deno, on 127.0.0.1 port 0, with a real client.
import assert from "node:assert/strict";
import { JsonSerializer } from "../../mod.ts";
import { sessionsEnded } from "../../src/adapters/node.ts";
import { within, WsClient } from "../_ws_client.ts";
import { serveNodeUpgrades } from "./_node_upgrades.ts";
import { readStatusLine, sendRawUpgrade } from "./_raw_upgrade.ts";

Deno.test("Node `upgradeHandler`: aborting `shutdownSignal` says each session's goodbye, closes it with 1001 and refuses new upgrades with 503", async () => {
  const shutdown = new AbortController();
  const server = await serveNodeUpgrades({
    serializer: () => new JsonSerializer(),
    shutdownSignal: shutdown.signal,
  });
  let client: WsClient | undefined;
  try {
    client = await WsClient.open(`ws://127.0.0.1:${server.port}/`);
    client.send('{"type":"message","message":"hello"}');
    await client.next(); // echoed: the session is up both ends

    shutdown.abort();
    const closed = await within(client.closed, 3000, "the client's close");
    assert.equal(closed.code, 1001);
    assert.equal(closed.reason, "going away");
    assert.equal(client.texts.at(-1), '{"type":"cancel"}'); // the serializer's goodbye first
    await within(sessionsEnded(shutdown.signal), 3000, "the end of every session");

    const conn = await sendRawUpgrade(server.port);
    try {
      assert.equal(await readStatusLine(conn), "HTTP/1.1 503 Service Unavailable");
    } finally {
      conn.close();
    }
  } finally {
    await client?.close(); // where the shutdown left it open, so the server can close
    await server.close();
  }
});
