// A server's shutdown, given to the Bun adapter as `shutdownSignal`, on Bun itself: the live call
// gets its goodbye and 1001 (RFC 6455, 7.4.1: "a server going down"), then upgrades get 503 (RFC
// 9110, 15.6.4). The server runs under Bun (`bun --eval`, from npm as tests/runtimes/bun_test.ts
// runs it): `POST /shutdown` aborts its signal and answers once `sessionsEnded` has settled.
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { startChild } from "../runtimes/node/child_runtime.ts";
import { within, WsClient } from "../_ws_client.ts";
import { assertRefusesUpgrades, assertSaidGoingAway } from "./_shutdown_checks.ts";

/** The `bun` binary from npm (see tests/runtimes/bun_test.ts). */
const BUN = fromFileUrl(import.meta.resolve("@oven/bun-linux-x64/package.json"))
  .replace(/package\.json$/, "bin/bun");

/** An echo server on the Bun adapter whose sessions a `POST /shutdown` ends. */
const SERVER = `
import { sessionsEnded, upgrade, websocket } from ${
  JSON.stringify(fromFileUrl(import.meta.resolve("../../src/adapters/bun.ts")))
};
import { JsonSerializer } from ${JSON.stringify(fromFileUrl(import.meta.resolve("../../mod.ts")))};
const shutdown = new AbortController();
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request, server) {
    if (new URL(request.url).pathname === "/shutdown") {
      shutdown.abort();
      await sessionsEnded(shutdown.signal);
      return new Response("ended");
    }
    const options = { serializer: new JsonSerializer(), shutdownSignal: shutdown.signal };
    const { transport, response } = await upgrade(request, server, options);
    transport?.readable.pipeTo(transport.writable).catch(() => {});
    return response;
  },
  websocket,
});
console.log("listening " + server.port);
`;

Deno.test("Bun `upgrade`: aborting `shutdownSignal` says each session's goodbye, closes it with 1001 and refuses new upgrades with 503", async () => {
  const server = await startChild(BUN, ["--eval", SERVER]);
  try {
    const client = await WsClient.open(`ws://127.0.0.1:${server.port}/ws`);
    client.send('{"type":"message","message":"hello"}');
    await client.next(); // echoed: the session is up both ends
    const ended = await within(
      fetch(`http://127.0.0.1:${server.port}/shutdown`, { method: "POST" }),
      3000,
      "the end of every session",
    );
    assert.equal(await ended.text(), "ended");
    await assertSaidGoingAway(client);
    await assertRefusesUpgrades(server.port);
  } finally {
    await server.close();
  }
});
