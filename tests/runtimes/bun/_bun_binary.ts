/**
 * The Bun binary npm installed (`@oven/bun-linux-x64`), and a way to run a script under it and
 * read what it printed last: for tests that run a real Bun beside Deno.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";

/** The path of the `bun` executable. */
export const BUN: string = fromFileUrl(import.meta.resolve("@oven/bun-linux-x64/package.json"))
  .replace(/package\.json$/, "bin/bun");

/**
 * Runs `bun run <args>` (20 s at most), asserts that it exits 0, and returns the last line it
 * printed, parsed as JSON: the script's own report of what happened.
 */
export async function bunReport(args: string[]): Promise<unknown> {
  const { code, stdout } = await new Deno.Command(BUN, {
    args: ["run", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(20_000),
  }).output();
  assert.equal(code, 0);
  return JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
}
