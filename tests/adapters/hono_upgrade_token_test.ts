// RFC 6455 §4.2.1: the handshake has "an |Upgrade| header field containing the value
// "websocket", treated as an ASCII case-insensitive value" (iOS clients send `WebSocket`: Hono's
// issue honojs/middleware#875). Hono's Deno and Workers helpers compare it case-sensitively and
// pass such a request on (`next()`), which `voiceSession` answered 400 "Bad upgrade".
import assert from "node:assert/strict";
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { dirname } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import "@oven/bun-linux-x64/package.json" with { type: "json" };
import { voiceSession } from "../../src/adapters/hono.ts";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { hostWorker } from "../runtimes/cloudflare/hosted_worker.ts";
import { bundleForNode, startChild } from "../runtimes/node/child_runtime.ts";
import { readStatusLine, sendRawUpgrade } from "./_raw_upgrade.ts";

const SWITCHING = "HTTP/1.1 101 Switching Protocols";
/** The `bun` binary inside its npm platform package (see `../runtimes/bun_test.ts`). */
const BUN = fromFileUrl(import.meta.resolve("@oven/bun-linux-x64/package.json"))
  .replace(/package\.json$/, "bin/bun");

/**
 * The status line a server on `port` answers a raw upgrade asking for `upgrade` with, and `extra`
 * header lines.
 */
async function statusOf(port: number, upgrade: string, extra = ""): Promise<string | undefined> {
  const conn = await sendRawUpgrade(port, extra, "", "GET", upgrade);
  try {
    return await readStatusLine(conn);
  } finally {
    conn.close();
  }
}

Deno.test("`voiceSession` on Hono + Deno upgrades `Upgrade: WebSocket`, in any case", async () => {
  let sessions = 0;
  const app = new Hono();
  app.get(
    "/ws",
    voiceSession(upgradeWebSocket, (transport) => {
      sessions++;
      void transport.close(1000);
    }),
  );
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  try {
    for (const upgrade of ["WebSocket", "WEBSOCKET", "websocket"]) {
      assert.equal(await statusOf(server.addr.port, upgrade), SWITCHING, upgrade);
    }
    assert.equal(sessions, 3);
  } finally {
    await server.shutdown();
  }
});

// Both fix-ups at once on Deno: subprotocols offered without spaces (`a,b`, as the `ws` client
// writes them; see deno_subprotocol_test.ts) and `Upgrade: WebSocket`. Each gives the request
// headers of its own: the second must not find the first's fixed for good (it threw "Cannot
// redefine property: headers", and the route answered 500).
Deno.test("`voiceSession` on Hono + Deno upgrades `Upgrade: WebSocket` offering `a,b` subprotocols", async () => {
  const app = new Hono();
  const offered: (string | undefined)[] = [];
  app.get(
    "/ws",
    voiceSession(upgradeWebSocket, (transport, c) => {
      offered.push(c.req.header("sec-websocket-protocol"));
      void transport.close(1000);
    }),
  );
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  try {
    const subprotocols = "Sec-WebSocket-Protocol: audio.v1,other\r\n";
    assert.equal(await statusOf(server.addr.port, "WebSocket", subprotocols), SWITCHING);
    assert.deepEqual(offered, ["audio.v1, other"]);
  } finally {
    await server.shutdown();
  }
});

Deno.test({
  name: "`voiceSession` on Hono + Cloudflare Workers upgrades `Upgrade: WebSocket`, in any case",
  ...miniflareSanitizers,
  async fn() {
    const { url, hosted } = await hostWorker(
      new URL("../runtimes/hono/worker.ts", import.meta.url),
    );
    try {
      const { port } = url;
      for (const upgrade of ["WebSocket", "WEBSOCKET", "websocket"]) {
        assert.equal(await statusOf(Number(port), upgrade), SWITCHING, upgrade);
      }
    } finally {
      await hosted.dispose();
    }
  },
});

// @hono/node-ws and Bun's `server.upgrade()` compare it case-insensitively themselves: the
// request of the route's own headers must not get in their way.
for (
  const [name, runtime, server] of [["Node", "node", "node_server"], ["Bun", BUN, "bun_server"]]
) {
  Deno.test(`\`voiceSession\` on Hono + ${name} upgrades \`Upgrade: WebSocket\`, in any case`, async () => {
    const bundle = await bundleForNode(import.meta.resolve(`../runtimes/hono/${server}.ts`));
    const child = await startChild(runtime!, runtime === "node" ? [bundle] : ["run", bundle]);
    try {
      for (const upgrade of ["WebSocket", "WEBSOCKET", "websocket"]) {
        assert.equal(await statusOf(child.port, upgrade), SWITCHING, upgrade);
      }
    } finally {
      await child.close();
      await Deno.remove(dirname(bundle), { recursive: true });
    }
  });
}
