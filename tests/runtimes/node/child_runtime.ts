/**
 * Running a server under another runtime from `deno test`: bundle it for Node the way npm users
 * get the module (JavaScript, ESM), start it as a child process on 127.0.0.1 port 0, read the
 * port it prints, and kill it at the end.
 *
 * @module
 */

import * as esbuild from "esbuild";
import { builtinModules } from "node:module";
import { fileURLToPath as fromFileUrl } from "node:url";

/** npm packages the child servers import, with the ranges the tests were written against. */
const PACKAGES: Record<string, string> = {
  "ws": "npm:ws@^8",
  "hono": "npm:hono@^4",
  "@hono/node-server": "npm:@hono/node-server@^1",
  "@hono/node-ws": "npm:@hono/node-ws@^1",
};

function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/**
 * Where Deno keeps an npm module, by our ranges or else deno.json's import map; loads it into
 * Deno's cache first if it is not there yet.
 */
async function resolveNpm(specifier: string): Promise<string> {
  if (specifier.startsWith("npm:")) {
    if (!import.meta.resolve(specifier).startsWith("file:")) await import(specifier);
    return fromFileUrl(import.meta.resolve(specifier));
  }
  const name = packageOf(specifier);
  const range = PACKAGES[name];
  const npm = range === undefined ? specifier : range + specifier.slice(name.length);
  let url = import.meta.resolve(npm);
  if (!url.startsWith("file:")) {
    await import(range ?? name); // not in the module graph yet: fetch it, then it is a file
    url = import.meta.resolve(npm);
  }
  return fromFileUrl(url);
}

/**
 * Bundles `entry` (TypeScript, importing the module's sources) into one ESM file for Node in a
 * new temporary directory, and returns its path. npm packages come from Deno's cache: bundled,
 * except `ws`, which is CommonJS with optional native add-ons and is imported from its own file.
 */
export async function bundleForNode(entry: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ws-transport-node-" });
  const outfile = `${dir}/server.mjs`;
  const wsEntry = await resolveNpm("ws");
  await esbuild.build({
    entryPoints: [fromFileUrl(entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "error",
    plugins: [{
      name: "deno-npm-cache",
      setup(build) {
        build.onResolve({ filter: /^[^./]/ }, async (args) => {
          if (args.path.startsWith("node:") || builtinModules.includes(args.path)) {
            return { path: args.path, external: true };
          }
          if (args.path === "ws" || args.path.startsWith("npm:ws@")) {
            return { path: wsEntry, external: true };
          }
          return { path: await resolveNpm(args.path) };
        });
      },
    }],
  });
  await esbuild.stop();
  return outfile;
}

/** A server running in a child process. */
export interface ChildServer {
  /** The 127.0.0.1 port it listens on. */
  port: number;
  /** Its process id. */
  pid: number;
  /** Kills it and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Starts `command args…`, which must print `listening <port>` on its first line of stdout, and
 * returns once it has. Its stderr goes to the test's.
 */
export async function startChild(command: string, args: string[]): Promise<ChildServer> {
  const child = new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let match: RegExpExecArray | null = null;
  while (!(match = /listening (\d+)\n/.exec(text))) {
    const { value, done } = await lines.read();
    if (done) {
      await child.status;
      throw new Error(`${command} exited before listening: ${text}`);
    }
    text += value;
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  const drained = (async () => {
    while (!(await lines.read()).done) { /* discard */ }
  })();
  return {
    port: Number(match[1]),
    pid: child.pid,
    async close() {
      try {
        child.kill("SIGTERM");
      } catch {
        // It already exited.
      }
      await child.status;
      await drained;
    },
  };
}
