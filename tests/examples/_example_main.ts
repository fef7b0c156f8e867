/**
 * An example's `main.ts` as a user starts it: `deno serve` on 127.0.0.1 port 0 with only the
 * environment given (none of the test's own), and its raw answer to a WebSocket upgrade. Real
 * processes, bounded waits: what is tested is the entry point's reading of its environment.
 *
 * @module
 */

import { fileURLToPath as fromFileUrl } from "node:url";
import { within } from "../_ws_client.ts";
import { type ChildServer, launchServer } from "./_child_server.ts";

const ROOT = new URL("../../", import.meta.url);

/** The environment the process gets: `env` and what Deno itself needs to find its cache. */
function childEnv(env: Record<string, string>): Record<string, string> {
  const keep: Record<string, string> = { NO_COLOR: "1" };
  for (const name of ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) keep[name] = value;
  }
  return { ...keep, ...env };
}

/** A `main.ts` under `deno serve`. */
export type ServedMain = ChildServer;

/**
 * Starts `file` (relative to the repository) under `deno serve`; rejects, with what it printed,
 * when it exits before listening. The error's `code` then holds its exit code.
 */
export function serveMain(file: string, env: Record<string, string>): Promise<ServedMain> {
  return launchServer(
    Deno.execPath(),
    ["serve", "--allow-net", "--allow-env", "--host", "127.0.0.1", "--port", "0", file],
    { cwd: fromFileUrl(ROOT), env: childEnv(env), clearEnv: true, listenTimeoutMs: 30000 },
  );
}

/** What `file` does with `env` when it refuses to start: its exit code and what it printed. */
export async function refusedStart(
  file: string,
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  try {
    await using served = await serveMain(file, env);
    throw new Error(`${file} started and listens on ${served.port}:\n${served.output()}`);
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (code === undefined) throw error;
    return { code, output: (error as Error).message };
  }
}

/**
 * The status of a WebSocket upgrade of `path` on `port` with `headers`, as the server answered
 * it (101 included: `fetch` cannot take one). The connection is closed after the status line.
 */
export async function upgradeStatus(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<number> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Version: 13",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    await connection.write(new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n`));
    let text = "";
    const buffer = new Uint8Array(1024);
    while (!text.includes("\r\n")) {
      const n = await within(connection.read(buffer), 10000, `answer to ${path}`);
      if (n === null) throw new Error(`connection closed before a status line: ${text}`);
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  } finally {
    connection.close();
  }
}
