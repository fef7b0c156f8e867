// Bun's own `server.stop(true)` closes each open socket with 1001 "Server closed" (RFC 6455,
// 7.4.1: "an endpoint is 'going away', such as a server going down") and reports it to the
// socket's `close` handler as it reports a peer's close. The session was told the caller went
// away (`initiator` "remote", a "disconnected" event); the close is this side's: the runtime
// closed it for the server, with the code the caller was sent. A real Bun, 127.0.0.1 port 0.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import bunPackage from "@oven/bun-linux-x64/package.json" with { type: "json" };
import { bundleForNode } from "./node/child_runtime.ts";
import { bunReport } from "./bun/_bun_binary.ts";

// A production server names its port: Bun's `server.port` says it still once stopped (0 only for
// one that asked for port 0), so the port could not tell the server had stopped (measured on Bun
// 1.4.5: the session on a named port was told the caller had gone, "disconnected").
const CASES = [["bun", "port 0"], ["hono", "port 0"], ["bun", "fixed-port"], [
  "hono",
  "fixed-port",
]];
for (const [adapter, port] of CASES as [string, string][]) {
  Deno.test(`Bun ${bunPackage.version}, the ${adapter} adapter, ${port}: a session that \`server.stop(true)\` closed ends as this side's, 1001, with no "disconnected"`, async () => {
    const bundle = await bundleForNode(import.meta.resolve("./bun/server_stop_session.ts"));
    try {
      const outcome = await bunReport([bundle, adapter, port]);
      assert.deepEqual(outcome, {
        closed: { code: 1001, reason: "Server closed", initiator: "local" },
        disconnected: false,
        client: { code: 1001, reason: "Server closed" },
      });
    } finally {
      await Deno.remove(dirname(bundle), { recursive: true });
    }
  });
}
