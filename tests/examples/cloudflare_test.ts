/**
 * examples/cloudflare as a Node 20 user's `npx wrangler dev` runs it: its `worker.ts` with the
 * library, bundled as wrangler 4.86 bundles it (its esbuild settings, the library found through
 * `npm install`'s link to this checkout and its package.json `exports`), in that wrangler's
 * workerd (its miniflare) with the settings of its `wrangler.toml`, driven by a WebSocket client as
 * the README describes the Worker.
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

/**
 * The example's folder after the README's `npm install`: its files, and `@x/ws-transport` in
 * `node_modules` as the link npm makes for `"file:../.."` (a symlink to this checkout).
 */
async function installedExample(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "cloudflare-example-" });
  for (const name of ["worker.ts", "wrangler.toml", "package.json"]) {
    await Deno.copyFile(new URL(name, EXAMPLE), join(dir, name));
  }
  const pkg = JSON.parse(await Deno.readTextFile(join(dir, "package.json")));
  assert.equal(
    pkg.dependencies?.["@x/ws-transport"],
    "file:../..",
    "the example links the checkout",
  );
  await Deno.mkdir(join(dir, "node_modules/@x"), { recursive: true });
  await Deno.symlink(ROOT, join(dir, "node_modules/@x/ws-transport"));
  return dir;
}

/** The example as `npx wrangler dev` bundles it: its `main`, with every Durable Object exported. */
async function wranglerBundle(config: ReturnType<typeof readWranglerToml>): Promise<string> {
  const project = await installedExample();
  try {
    const toml = await Deno.readTextFile(join(project, "wrangler.toml"));
    const main = /^main\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
    assert.equal(main, "worker.ts");
    const classes = Object.values(config.durableObjects).map((binding) => binding.className);
    const script = await bundleAsWrangler(project, main, classes);
    // The library is in the bundle, found through package.json `exports` (esbuild reads no
    // deno.json): a checkout whose package.json lacks an entry point fails right here.
    assert.match(script, /src\/adapters\/cloudflare_durable_object\.ts/);
    return script;
  } finally {
    await Deno.remove(project, { recursive: true });
  }
}

/** `count` bytes of PCM16 whose samples count up: every byte says where it was. */
function numberedPcm(count: number): Uint8Array {
  const samples = new Int16Array(count / 2).map((_, i) => i);
  return new Uint8Array(samples.buffer);
}

Deno.test(
  "examples/cloudflare, bundled as wrangler 4.86 bundles it (Node 20), starts in its workerd with its wrangler.toml and echoes a call",
  miniflareSanitizers,
  async () => {
    const config = readWranglerToml(await Deno.readTextFile(new URL("wrangler.toml", EXAMPLE)));
    assert.deepEqual(config.durableObjects, { CALLS: { className: "EchoCall", useSQLite: true } });
    // workerd refuses a compatibility date newer than it knows: starting is the check.
    await using worker = await startWorker(await wranglerBundle(config), config);
    const base = `127.0.0.1:${worker.port}`;

    const call = await WsClient.open(`ws://${base}/ws/call-1`);
    const audio = numberedPcm(6400); // 200 ms of 16 kHz mono PCM16
    call.send(audio);
    call.send('{"hello":"worker"}');
    await call.waitFor(
      () => call.binaryBytes.length >= audio.length && call.texts.length >= 1,
      5000,
      "the echo of 200 ms of audio and a message",
    );
    assert.deepEqual(call.binaryBytes, audio, "the audio comes back byte for byte, in order");
    assert.deepEqual(call.texts, ['{"hello":"worker"}']);

    // As the README says: a second connection to a live call 409, a plain request 426, no id 404.
    const handshake = { host: base, ...UPGRADE_HEADERS };
    assert.equal(await rawStatus(worker.port, { path: "/ws/call-1", headers: handshake }), 409);
    assert.equal(
      await rawStatus(worker.port, { path: "/ws/call-2", headers: { host: base } }),
      426,
    );
    assert.equal(await rawStatus(worker.port, { path: "/ws", headers: handshake }), 404);
    assert.equal((await call.close(1000)).code, 1000);

    // Another call gets an object of its own (40 ms: one whole chunk of the Worker's 40).
    const other = await WsClient.open(`ws://${base}/ws/call-2`);
    other.send(audio.subarray(0, 1280));
    await other.waitFor(() => other.binaryBytes.length >= 1280, 5000, "the second call's echo");
    await other.close(1000);
  },
);

Deno.test("`readWranglerToml` reads the examples' keys and refuses tables it does not know", () => {
  const config = readWranglerToml(`
name = "x"
main = "src/worker.ts"
compatibility_date = "2026-05-01" # a comment
compatibility_flags = ["nodejs_compat"]

[vars]
ALLOWED_ORIGINS = "https://app.example"

[[durable_objects.bindings]]
name = "CALLS"
class_name = "VoiceCall"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["VoiceCall"]
`);
  assert.deepEqual(config, {
    compatibilityDate: "2026-05-01",
    compatibilityFlags: ["nodejs_compat"],
    durableObjects: { CALLS: { className: "VoiceCall", useSQLite: true } },
    vars: { ALLOWED_ORIGINS: "https://app.example" },
  });
  assert.throws(() => readWranglerToml('compatibility_date = "2026-05-01"\n[kv_namespaces]\n'));
  assert.throws(() => readWranglerToml('name = "no date"\n'), /compatibility_date/);
});
