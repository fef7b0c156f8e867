/**
 * Runs a test script in a Deno process of its own, with V8's `gc()` exposed so the script can ask
 * for a full collection before it measures: what remains is what is held, not garbage waiting to
 * be collected. The script prints one JSON value on stdout; a non-zero exit fails with its stderr.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Runs `script` (a file URL) with `--expose-gc` and returns the JSON it printed. */
export async function runWithGc(script: URL): Promise<unknown> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--v8-flags=--expose-gc", script.pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}
