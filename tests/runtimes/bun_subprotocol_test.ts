// `upgrade(request, server, { protocol })` on Bun answers the subprotocol only to a client that
// offers it, as the Deno and Cloudflare adapters do. RFC 6455 §4.2.2: the server picks one the
// client offered, or none. Bun (1.4.5) answers the first one offered by itself, whatever it is,
// unless the 101's headers name one (an empty value: none). The clients are `ws`'s, which fail a
// connection answered with a subprotocol they did not offer, or with none when they offered some.
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import bunPackage from "@oven/bun-linux-x64/package.json" with { type: "json" };
import { connectOffering } from "../adapters/_offering_client.ts";
import { startChild } from "./node/child_runtime.ts";
import { BUN } from "./bun/_bun_binary.ts";

Deno.test(`\`upgrade({ protocol })\` on Bun ${bunPackage.version} answers it only to a client that offers it`, async () => {
  const server = await startChild(BUN, [
    "run",
    fromFileUrl(import.meta.resolve("./bun/subprotocol_server.ts")),
  ]);
  try {
    const { port } = server;
    // Offered second: Bun answered "other", the first, which the server does not speak.
    assert.equal(await connectOffering(port, ["other", "audio.v1"]), 'open "audio.v1"');
    assert.equal(await connectOffering(port, ["audio.v1"]), 'open "audio.v1"');
    assert.equal(await connectOffering(port, []), 'open ""');
    // Offered others only: answered with none (Bun answered "other"); `ws` then gives up itself.
    assert.equal(await connectOffering(port, ["other"]), "failed: Server sent no subprotocol");
    // A subprotocol the application names in `headers` stands.
    assert.equal(await connectOffering(port, ["custom", "audio.v1"], "/own"), 'open "custom"');
  } finally {
    await server.close();
  }
});
