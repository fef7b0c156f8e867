// `upgradeHandler(wss, onSession, { protocol })` on Node answers the subprotocol only to a client
// that offers it, as the Deno, Bun and Cloudflare adapters do. RFC 6455 §4.2.2: the server picks
// one the client offered, or none. `ws` answers the first one offered unless its server's
// `handleProtocols` picks (ws 8, `WebSocketServer#completeUpgrade`), and reads that setting as it
// completes the handshake: inside `handleUpgrade`, or a turn later where an asynchronous
// `verifyClient` lets it on. The clients are `ws`'s, which fail a connection answered with a
// subprotocol they did not offer, or with none when they offered some (RFC 6455 §4.1).
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { connectOffering } from "../adapters/_offering_client.ts";
import { bundleForNode, startChild } from "./node/child_runtime.ts";

Deno.test("`upgradeHandler({ protocol })` on Node answers it only to a client that offers it, with or without an asynchronous verifyClient", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./node/subprotocol_server.ts"));
  const server = await startChild("node", [bundle]);
  try {
    const { port } = server;
    const noneAnswered = "failed: Server sent no subprotocol";
    for (const path of ["/", "/async"]) {
      // Offered second: ws answered "other", the first, which the server does not speak.
      assert.equal(await connectOffering(port, ["other", "audio.v1"], path), 'open "audio.v1"');
      assert.equal(await connectOffering(port, ["audio.v1"], path), 'open "audio.v1"');
      assert.equal(await connectOffering(port, [], path), 'open ""');
      // Offered others only: answered with none; `ws` then gives up by itself.
      assert.equal(await connectOffering(port, ["other"], path), noneAnswered);
    }
    // Without `protocol`, what ws and the server's own `handleProtocols` answer stands.
    assert.equal(await connectOffering(port, ["other", "audio.v1"], "/ws-default"), 'open "other"');
    assert.equal(await connectOffering(port, ["audio.v1", "custom"], "/own"), 'open "custom"');
    // Two routes on one server, both handshakes waiting in its verifyClient at once: each is
    // answered its own route's subprotocol.
    const both = await Promise.all([
      connectOffering(port, ["media", "audio.jambonz.org"], "/jambonz"),
      connectOffering(port, ["audio.jambonz.org", "media"], "/asterisk"),
    ]);
    assert.deepEqual(both, ['open "audio.jambonz.org"', 'open "media"']);
    const settings = await fetch(`http://127.0.0.1:${port}/settings`);
    assert.equal(await settings.text(), "true", "a server's settings were left changed");
  } finally {
    await server.close();
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});
