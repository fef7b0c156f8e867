/**
 * examples/cloudflare's own reading of its `[vars]` and the README's promises about what it
 * refuses, in wrangler 4.86's workerd: `ALLOWED_ORIGINS` as a user writes it in `wrangler.toml`
 * (comma-separated, spaces after the commas; wrangler hands `[vars]` strings to the Worker as
 * `env` strings: Cloudflare's "Environment variables" docs), a foreign browser refused at the
 * edge (403), an allowed one and a server with no `Origin` let in, text that is not JSON not
 * echoed, and a call's id free again for a reconnect once its connection has closed (the README:
 * "the client should reconnect to the same `/ws/:id`"). The handshakes are RFC 6455 §4.1's.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { WsClient } from "../_ws_client.ts";
import { rawStatus, UPGRADE_HEADERS } from "./_http.ts";
import { readWranglerToml, startWorker } from "./_workerd.ts";
import { bundleAsWrangler } from "./_wrangler_bundle.ts";

const ROOT = fromFileUrl(new URL("../../", import.meta.url));
const EXAMPLE = new URL("../../examples/cloudflare/", import.meta.url);

/** The example's Worker as `npm install` and wrangler 4.86 build it (see cloudflare_test.ts). */
async function exampleBundle(classes: string[]): Promise<string> {
  const project = await Deno.makeTempDir({ prefix: "cloudflare-example-" });
  try {
    for (const name of ["worker.ts", "wrangler.toml", "package.json"]) {
      await Deno.copyFile(new URL(name, EXAMPLE), join(project, name));
    }
    await Deno.mkdir(join(project, "node_modules/@x"), { recursive: true });
    await Deno.symlink(ROOT, join(project, "node_modules/@x/ws-transport"));
    return await bundleAsWrangler(project, "worker.ts", classes);
  } finally {
    await Deno.remove(project, { recursive: true });
  }
}

Deno.test(
  "examples/cloudflare reads ALLOWED_ORIGINS as wrangler.toml's [vars] writes it, refuses non-JSON text, and frees a call's id for a reconnect",
  miniflareSanitizers,
  async () => {
    // The toml as the README has a user set it: the commented `[vars]` block, filled in.
    const toml = (await Deno.readTextFile(new URL("wrangler.toml", EXAMPLE)))
      .replace(
        /^# \[vars\]\n# ALLOWED_ORIGINS = ".*"$/m,
        [
          "[vars]",
          'ALLOWED_ORIGINS = "https://app.example.com, https://admin.example.com"',
        ].join("\n"),
      );
    const config = readWranglerToml(toml);
    assert.deepEqual(config.vars, {
      ALLOWED_ORIGINS: "https://app.example.com, https://admin.example.com",
    });
    const classes = Object.values(config.durableObjects).map((binding) => binding.className);
    await using worker = await startWorker(await exampleBundle(classes), config);
    const base = `127.0.0.1:${worker.port}`;
    const handshake = { host: base, ...UPGRADE_HEADERS };

    const from = (origin: string, id: string) =>
      rawStatus(worker.port, { path: `/ws/${id}`, headers: { ...handshake, origin } });
    assert.equal(await from("https://evil.example", "o-1"), 403, "a foreign browser");
    // Both entries, the second after its space: a split without the trim refused it (403).
    assert.equal(await from("https://app.example.com", "o-2"), 101);
    assert.equal(await from("https://admin.example.com", "o-3"), 101);
    // A server (a telephony provider) sends no Origin: not a browser, let in.
    assert.equal(await rawStatus(worker.port, { path: "/ws/o-4", headers: handshake }), 101);
    // A malformed %-escape is no call id: no object is woken for it.
    assert.equal(await rawStatus(worker.port, { path: "/ws/%zz", headers: handshake }), 404);

    const call = await WsClient.open(`ws://${base}/ws/call-1`);
    call.send("not json");
    call.send('{"after":"the refused text"}');
    await call.waitFor(() => call.texts.length >= 1, 5000, "the JSON message's echo");
    assert.deepEqual(call.texts, ['{"after":"the refused text"}'], "only JSON text comes back");
    assert.equal((await call.close(1000)).code, 1000);

    // The same id again, at once: the object took the close and is free for the next session.
    const again = await WsClient.open(`ws://${base}/ws/call-1`);
    again.send(new Uint8Array(1280)); // 40 ms: one whole chunk
    await again.waitFor(() => again.binaryBytes.length >= 1280, 5000, "the reconnect's echo");
    await again.close(1000);
  },
);
