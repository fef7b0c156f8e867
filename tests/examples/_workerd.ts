/**
 * Workers examples in workerd as a Node 20 user gets it: `npx wrangler dev` on Node 20 installs
 * wrangler 4.86.0, the last release for Node 20, which runs its workerd through miniflare
 * 4.20260426.0 (`npm view wrangler@4.86.0 dependencies`). The settings come from the example's
 * `wrangler.toml`, read the way wrangler reads the few keys the examples use.
 *
 * @module
 */

import { Miniflare } from "npm:miniflare@4.20260426.0";
import { hostMiniflare } from "../runtimes/miniflare_sanitizers.ts";

/** The miniflare that wrangler 4.86.0 pins. */
export const NODE20_MINIFLARE = "4.20260426.0";

/** What a `wrangler.toml` of the examples says. */
export interface WranglerConfig {
  /** `compatibility_date`. */
  compatibilityDate: string;
  /** `compatibility_flags`. */
  compatibilityFlags: string[];
  /** `[[durable_objects.bindings]]`: binding name → class, SQLite-backed if a migration says so. */
  durableObjects: Record<string, { className: string; useSQLite: boolean }>;
  /** `[vars]`. */
  vars: Record<string, string>;
}

/**
 * The keys of `wrangler.toml` the examples use (`compatibility_date`, `compatibility_flags`,
 * `[[durable_objects.bindings]]`, `[[migrations]] new_sqlite_classes`, `[vars]`); any other
 * table is refused, so an example that starts using one fails here rather than running with
 * settings wrangler would apply and this would not.
 */
export function readWranglerToml(text: string): WranglerConfig {
  const config: WranglerConfig = {
    compatibilityDate: "",
    compatibilityFlags: [],
    durableObjects: {},
    vars: {},
  };
  const bindings: { name?: string; class_name?: string }[] = [];
  const sqlite = new Set<string>();
  let table = "";
  const strings = (value: string) => [...value.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = /^\[\[?([\w.]+)\]\]?$/.exec(line);
    if (header) {
      table = header[1]!;
      if (table === "durable_objects.bindings") bindings.push({});
      if (!["durable_objects.bindings", "migrations", "vars"].includes(table)) {
        throw new SyntaxError(`wrangler.toml: [${table}] is not read by these tests`);
      }
      continue;
    }
    const entry = /^(\w+)\s*=\s*(.+)$/.exec(line);
    if (!entry) throw new SyntaxError(`wrangler.toml: cannot read ${JSON.stringify(line)}`);
    const [, key, value] = entry as unknown as [string, string, string];
    if (table === "") {
      if (key === "compatibility_date") config.compatibilityDate = strings(value)[0] ?? "";
      if (key === "compatibility_flags") config.compatibilityFlags = strings(value);
    } else if (table === "durable_objects.bindings") {
      const binding = bindings.at(-1)!;
      const name = strings(value)[0];
      if ((key === "name" || key === "class_name") && name !== undefined) binding[key] = name;
    } else if (table === "migrations" && key === "new_sqlite_classes") {
      for (const name of strings(value)) sqlite.add(name);
    } else if (table === "vars") {
      config.vars[key] = strings(value)[0] ?? value;
    }
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(config.compatibilityDate)) {
    throw new SyntaxError("wrangler.toml has no compatibility_date");
  }
  for (const { name, class_name } of bindings) {
    if (!name || !class_name) throw new SyntaxError("wrangler.toml: a binding lacks a name");
    config.durableObjects[name] = { className: class_name, useSQLite: sqlite.has(class_name) };
  }
  return config;
}

/**
 * Bundles a Worker's entry module as wrangler would (one ES module, the library included), with
 * `deno bundle`, resolving `@x/ws-transport` through `config` (a deno.json).
 */
export async function bundleWorker(entry: string, config?: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "worker-bundle-" });
  try {
    const out = `${dir}/worker.js`;
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        ...(config ? ["--config", config] : []),
        "-o",
        out,
        entry,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!success) throw new Error(`deno bundle ${entry}: ${new TextDecoder().decode(stderr)}`);
    return await Deno.readTextFile(out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A Worker running in workerd on 127.0.0.1. */
export interface RunningWorker extends AsyncDisposable {
  /** The port it listens on. */
  port: number;
  /** Stops workerd. */
  close(): Promise<void>;
}

/** Runs `script` (an ES module Worker) in Node 20's workerd with `config`'s settings. */
export async function startWorker(
  script: string,
  config: WranglerConfig,
): Promise<RunningWorker> {
  const host = await hostMiniflare(() =>
    new Miniflare({
      modules: true,
      script,
      compatibilityDate: config.compatibilityDate,
      compatibilityFlags: config.compatibilityFlags,
      durableObjects: config.durableObjects,
      bindings: config.vars,
      cf: false,
      host: "127.0.0.1",
      port: 0,
    })
  );
  try {
    const url = await host.miniflare.ready;
    return { port: Number(url.port), close: host.dispose, [Symbol.asyncDispose]: host.dispose };
  } catch (error) {
    await host.dispose();
    throw error;
  }
}
