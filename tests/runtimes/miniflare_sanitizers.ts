/**
 * Miniflare leaves work running after `dispose()` resolves: undici's connect timer, a MessagePort
 * of its loopback server and the removal of its temporary directory. They are Miniflare's, not
 * ours, so tests that host workerd (only those: the rest of the suite keeps both sanitizers)
 * switch off the op and resource sanitizers; each still disposes Miniflare and closes every
 * client socket itself.
 *
 * The removal is the one that reaches past the test: Miniflare starts it without waiting for it,
 * and when it finishes inside the next test, that test's op sanitizer counts it as a leak of its
 * own (seen once in a clean-clone CI run: a synchronous test right after a workerd test failed).
 * {@linkcode disposeMiniflare} waits for it.
 *
 * @module
 */

import { tmpdir } from "node:os";

/** Sanitizer options for a test that hosts workerd through Miniflare. */
export const miniflareSanitizers = { sanitizeOps: false, sanitizeResources: false } as const;

/** How long the removal of Miniflare's temporary directory may take before we give up. */
const REMOVAL_BOUND_MS = 5000;

/** The `miniflare-…` directories in the OS temporary directory now (Miniflare's `tmpPath`s). */
export async function miniflareTempDirs(): Promise<Set<string>> {
  const dirs = new Set<string>();
  for await (const entry of Deno.readDir(tmpdir())) {
    if (entry.isDirectory && entry.name.startsWith("miniflare-")) dirs.add(entry.name);
  }
  return dirs;
}

/**
 * Disposes `miniflare`, then waits until the temporary directories it made are gone (at most
 * five seconds, then throws), and one task more for the removal's own completion to be taken,
 * so that it does not finish inside the next test. `before`: {@linkcode miniflareTempDirs} read
 * before `miniflare` was made; every directory new since then is taken for its own, so host one
 * Miniflare at a time (as every test here does).
 */
export async function disposeMiniflare(
  miniflare: { dispose(): Promise<void> },
  before: Set<string>,
): Promise<void> {
  const made = [...await miniflareTempDirs()].filter((name) => !before.has(name));
  await miniflare.dispose();
  const deadline = performance.now() + REMOVAL_BOUND_MS;
  for (const name of made) {
    while (await exists(`${tmpdir()}/${name}`)) {
      if (performance.now() > deadline) {
        throw new Error(`Miniflare's ${name} was not removed within ${REMOVAL_BOUND_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
