/**
 * Starting a README block as the server it is, on its runtime, in a directory set up the way the
 * README tells a user with a checkout to set one up: a `deno.json` that `links` the checkout and
 * imports `jsr:@x/ws-transport`, and the `./bot.ts` the blocks import (an echo). Node and Bun
 * blocks are bundled the way the runtime tests bundle theirs (`bundleForNode`); Workers blocks go
 * to the workerd a Node 20 user's wrangler runs. Every server listens on 127.0.0.1 port 0.
 *
 * @module
 */

import "@oven/bun-linux-x64/package.json" with { type: "json" };
import { dirname, join } from "node:path";
import { fileURLToPath as fromFileUrl, pathToFileURL as toFileUrl } from "node:url";
import { bundleForNode } from "../runtimes/node/child_runtime.ts";
import { launchServer } from "./_child_server.ts";
import type { ServerPlan } from "./_readme_plan.ts";
import { bundleWorker, startWorker } from "./_workerd.ts";

const ROOT = new URL("../../", import.meta.url);
/** The `bun` binary inside its npm platform package (see tests/runtimes/bun_test.ts). */
const BUN = fromFileUrl(import.meta.resolve("@oven/bun-linux-x64/package.json"))
  .replace(/package\.json$/, "bin/bun");
const PRELOAD = {
  deno: fromFileUrl(new URL("./_listen_deno.ts", import.meta.url)),
  node: fromFileUrl(new URL("./_listen_node.mjs", import.meta.url)),
  bun: fromFileUrl(new URL("./_listen_bun.ts", import.meta.url)),
};

/**
 * The bot the README blocks import from `./bot.ts`: an echo of the caller's audio and messages.
 * Not of a provider's own events (a \`message\` frame with an \`event\` field: Twilio's
 * \`connected\`), which the provider would take for commands it does not know, nor of frames that
 * only come in (\`start\`), which no protocol sends out.
 */
const BOT = `import type { Frame } from "@x/ws-transport";

/** Your bot goes here: this one sends the caller's audio and messages back. */
export function myBot(): TransformStream<Frame, Frame> {
  return new TransformStream({
    transform(frame, out) {
      const providerEvent = frame.type === "message" &&
        typeof frame.message === "object" && frame.message !== null && "event" in frame.message;
      if (frame.type === "audio" || (frame.type === "message" && !providerEvent)) {
        out.enqueue(frame);
      }
    },
  });
}
`;

/**
 * The `deno.json` of a project that uses this checkout before JSR has it (the README's "Before
 * it is on JSR"): the package linked, imported by its JSR name, plus the npm packages the blocks
 * import, with the repository's compiler options.
 */
export async function checkoutConfig(): Promise<Record<string, unknown>> {
  const repo = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  return {
    imports: {
      "@x/ws-transport": `jsr:@x/ws-transport@^${repo.version}`,
      ...repo.imports,
    },
    links: [fromFileUrl(ROOT)],
    nodeModulesDir: "none",
    allowScripts: repo.allowScripts,
    compilerOptions: repo.compilerOptions,
    lock: false,
  };
}

/** A directory holding `deno.json` (see {@linkcode checkoutConfig}), `bot.ts` and `files`. */
export async function projectDir(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "readme-block-" });
  await Deno.writeTextFile(join(dir, "deno.json"), JSON.stringify(await checkoutConfig(), null, 2));
  await Deno.writeTextFile(join(dir, "bot.ts"), BOT);
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
  return dir;
}

/** A server started from a README block. */
export interface BlockServer extends AsyncDisposable {
  /** The 127.0.0.1 port it listens on. */
  port: number;
  /** What it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Stops it and removes what was built for it. */
  close(): Promise<void>;
}

/** Starts `command`, waits (bounded) until it says which port it listens on. */
function launch(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; cleanup: () => Promise<void> },
): Promise<BlockServer> {
  return launchServer(command, args, { ...options, listenTimeoutMs: 60000 });
}

/**
 * Starts `plan`'s server: `env` holds the secrets the block reads. The directory the block was
 * written to is removed when the server is closed.
 */
export async function startBlock(
  plan: ServerPlan,
  env: Record<string, string>,
): Promise<BlockServer> {
  const dir = await projectDir({ [plan.file]: plan.code });
  const config = join(dir, "deno.json");
  let bundleDir: string | undefined;
  let cleaned = false;
  // Once only: a server that failed to start is closed by `launch` and again below.
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await Deno.remove(dir, { recursive: true });
    if (bundleDir) await Deno.remove(bundleDir, { recursive: true });
  };
  try {
    const deno = Deno.execPath();
    switch (plan.runtime) {
      case "deno serve":
        return await launch(deno, [
          "serve",
          "--config",
          config,
          ...plan.denoFlags,
          "--host",
          "127.0.0.1",
          "--port",
          "0",
          plan.file,
        ], { cwd: dir, env, cleanup });
      case "deno run":
        return await launch(
          deno,
          ["run", "--config", config, ...plan.denoFlags, "--preload", PRELOAD.deno, plan.file],
          { cwd: dir, env, cleanup },
        );
      case "node": {
        const bundle = await bundleForNode(toFileUrl(join(dir, plan.file)).href);
        bundleDir = dirname(bundle);
        return await launch("node", ["--import", PRELOAD.node, bundle], { cwd: dir, env, cleanup });
      }
      case "bun": {
        // Bun serves a default export by itself, around `Bun.serve` as a preload sees it: call it.
        const entry = /^export default\b/m.test(plan.code) ? "bun_entry.ts" : plan.file;
        if (entry !== plan.file) {
          await Deno.writeTextFile(
            join(dir, entry),
            `import server from "./${plan.file}";\n` +
              "(globalThis as unknown as { Bun: { serve(o: unknown): unknown } }).Bun.serve(server);\n",
          );
        }
        const bundle = await bundleForNode(toFileUrl(join(dir, entry)).href);
        bundleDir = dirname(bundle);
        return await launch(BUN, ["run", "--preload", PRELOAD.bun, bundle], {
          cwd: dir,
          env,
          cleanup,
        });
      }
      case "workerd": {
        const worker = await startWorker(
          await bundleWorker(join(dir, plan.file), config),
          plan.workerd!,
        );
        const close = async () => {
          await worker.close();
          await cleanup();
        };
        return { port: worker.port, output: () => "", close, [Symbol.asyncDispose]: close };
      }
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
}
