// Bun's own `server.stop(true)` closes each open socket with 1001 "Server closed" (RFC 6455,
// 7.4.1: "an endpoint is 'going away', such as a server going down") and reports it to the
// socket's `close` handler as it reports a peer's close. The session was told the caller went
// away (`initiator` "remote", a "disconnected" event); the close is this side's: the runtime
// closed it for the server, with the code the caller was sent. A real Bun, 127.0.0.1 port 0.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import bunPackage from "@oven/bun-linux-x64/package.json" with { type: "json" };
import { bundleForNode } from "./node/child_runtime.ts";

/** The `bun` binary from npm (see `bun_test.ts`). */
const BUN = fromFileUrl(import.meta.resolve("@oven/bun-linux-x64/package.json"))
  .replace(/package\.json$/, "bin/bun");

for (const adapter of ["bun", "hono"]) {
  Deno.test(`Bun ${bunPackage.version}, the ${adapter} adapter: a session that \`server.stop(true)\` closed ends as this side's, 1001, with no "disconnected"`, async () => {
    const bundle = await bundleForNode(import.meta.resolve("./bun/server_stop_session.ts"));
    try {
      const { code, stdout } = await new Deno.Command(BUN, {
        args: ["run", bundle, adapter],
        stdin: "null",
        stdout: "piped",
        stderr: "inherit",
        signal: AbortSignal.timeout(20_000),
      }).output();
      assert.equal(code, 0);
      const outcome = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
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
