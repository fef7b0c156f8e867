/**
 * Using a checkout before the package is on JSR, exactly as the README's "Before it is on JSR"
 * says: Deno through `links`, Node and Bun through `npm install /path/to/checkout` (a symlink in
 * `node_modules`, resolved through the checkout's package.json `exports`), Node after an esbuild
 * bundle, Bun straight from the TypeScript.
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import * as esbuild from "esbuild";
import "@oven/bun-linux-x64/package.json" with { type: "json" };
import { startChild } from "../runtimes/node/child_runtime.ts";
import { WsClient } from "../_ws_client.ts";

const ROOT = fromFileUrl(new URL("../../", import.meta.url));
const BUN = fromFileUrl(import.meta.resolve("@oven/bun-linux-x64/package.json"))
  .replace(/package\.json$/, "bin/bun");

/** The folder of an npm package in Deno's cache (loaded into it first if need be). */
async function packageDir(name: string): Promise<string> {
  if (!import.meta.resolve(name).startsWith("file:")) await import(name);
  let dir = dirname(fromFileUrl(import.meta.resolve(name)));
  while (!(await Deno.stat(join(dir, "package.json")).catch(() => null))) dir = dirname(dir);
  return dir;
}

/**
 * A project folder whose node_modules has this checkout as `@x/ws-transport` — what
 * `npm install /path/to/ws-transport` makes (a symlink) — and `ws`.
 */
async function nodeProject(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "checkout-project-" });
  await Deno.mkdir(join(dir, "node_modules/@x"), { recursive: true });
  await Deno.symlink(ROOT, join(dir, "node_modules/@x/ws-transport"));
  await Deno.symlink(await packageDir("ws"), join(dir, "node_modules/ws"));
  await Deno.writeTextFile(join(dir, "package.json"), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
  return dir;
}

/** Starts `command args…` (it says `listening <port>`), sends 200 ms of audio, expects it back. */
async function expectEcho(command: string, args: string[]): Promise<void> {
  const server = await startChild(command, args);
  try {
    const client = await WsClient.open(`ws://127.0.0.1:${server.port}/ws`);
    const audio = new Uint8Array(new Int16Array(3200).map((_, i) => i).buffer);
    client.send(audio);
    await client.waitFor(() => client.binaryBytes.length >= audio.length, 5000, "the echo");
    assert.deepEqual(client.binaryBytes, audio);
    await client.close(1000);
  } finally {
    await server.close();
  }
}

Deno.test("the checkout's package.json exports what deno.json exports, at the same version", async () => {
  const deno = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const npm = JSON.parse(await Deno.readTextFile(join(ROOT, "package.json")));
  assert.equal(npm.name, deno.name);
  assert.equal(npm.version, deno.version);
  assert.deepEqual(npm.exports, deno.exports);
});

/** The README's `deno.json` for a checkout ("Before it is on JSR"), its link pointed at this one. */
async function readmeDenoJson(): Promise<{ imports: Record<string, string>; links: string[] }> {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const section = readme.slice(readme.indexOf("## Before it is on JSR"));
  const block = /```json\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'README: no deno.json block under "Before it is on JSR"');
  const config = JSON.parse(block[1]!);
  assert.ok(config.imports?.["@x/ws-transport"], "README's deno.json maps @x/ws-transport");
  assert.equal(config.links?.length, 1, "README's deno.json links one checkout");
  return { ...config, links: [ROOT] };
}

Deno.test("a Deno project uses the checkout through `links` with the JSR import it will keep", async () => {
  const dir = await Deno.makeTempDir({ prefix: "checkout-deno-" });
  try {
    // The README's block as a user copies it: the registry import it keeps, the link to remove
    // once the package is published.
    await Deno.writeTextFile(join(dir, "deno.json"), JSON.stringify(await readmeDenoJson()));
    await Deno.writeTextFile(
      join(dir, "main.ts"),
      'import { WebSocketTransport } from "@x/ws-transport";\n' +
        'import { upgrade } from "@x/ws-transport/deno";\n' +
        "console.log(typeof WebSocketTransport, typeof upgrade);\n",
    );
    // JSR is unreachable here: this passing shows nothing is fetched from it.
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "main.ts"],
      cwd: dir,
      stdin: "null",
    }).output();
    const out = new TextDecoder().decode(run.stdout);
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    assert.equal(out, "function function\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Node runs a server importing the linked checkout once esbuild has bundled it", async () => {
  const dir = await nodeProject({
    "server.mjs": `import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "@x/ws-transport/node";

const wss = new WebSocketServer({ noServer: true });
const server = createServer((_request, response) => response.end("voice bot\\n"));
server.on("upgrade", upgradeHandler(wss, (transport) => transport.readable.pipeTo(transport.writable)));
server.listen(0, "127.0.0.1", () => console.log(\`listening \${server.address().port}\`));
`,
  });
  try {
    // The README's command: npx esbuild server.mjs --bundle --platform=node --format=esm
    //   --external:ws --outfile=dist/server.mjs
    await esbuild.build({
      absWorkingDir: dir,
      entryPoints: ["server.mjs"],
      bundle: true,
      platform: "node",
      format: "esm",
      external: ["ws"],
      outfile: "dist/server.mjs",
      logLevel: "error",
    });
    await esbuild.stop();
    await expectEcho("node", [join(dir, "dist/server.mjs")]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Bun runs a server importing the linked checkout's TypeScript as it is", async () => {
  const dir = await nodeProject({
    "server.ts": `import { upgrade, websocket } from "@x/ws-transport/bun";

declare const Bun: any;
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request: Request, server: any) {
    const { transport, response } = await upgrade(request, server);
    transport?.readable.pipeTo(transport.writable);
    return response;
  },
  websocket,
});
console.log(\`listening \${server.port}\`);
`,
  });
  try {
    await expectEcho(BUN, ["run", "--no-install", join(dir, "server.ts")]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
