/**
 * A test Worker as workerd runs it: its entry and the library bundled into one ES module (`deno
 * bundle`, browser platform), built once per entry and process; and the compatibility date of the
 * Cloudflare example, so that tests run what `wrangler dev` would.
 *
 * @module
 */

import assert from "node:assert/strict";

const WRANGLER_TOML = new URL("../../../examples/cloudflare/wrangler.toml", import.meta.url);

/** Bundles by entry, each built once. */
const bundles = new Map<string, Promise<string>>();

/** The Worker at `entry` and what it imports, as one ES module's text. */
export function bundleWorker(entry: URL): Promise<string> {
  let bundled = bundles.get(entry.href);
  if (bundled === undefined) {
    bundled = build(entry);
    bundles.set(entry.href, bundled);
  }
  return bundled;
}

async function build(entry: URL): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "worker-bundle-" });
  try {
    const out = `${dir}/worker.js`;
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "browser", "-o", out, entry.pathname],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(success, `deno bundle failed: ${new TextDecoder().decode(stderr)}`);
    return await Deno.readTextFile(out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The Cloudflare example's `compatibility_date` (examples/cloudflare/wrangler.toml). */
export async function exampleCompatibilityDate(): Promise<string> {
  const toml = await Deno.readTextFile(WRANGLER_TOML);
  const date = /^compatibility_date\s*=\s*"([0-9-]+)"/m.exec(toml)?.[1];
  assert.ok(date, "wrangler.toml has a compatibility_date");
  return date;
}
