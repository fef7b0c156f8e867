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
 * {@linkcode hostMiniflare} makes a Miniflare whose disposal waits for it.
 *
 * @module
 */

import { tmpdir } from "node:os";

/** Sanitizer options for a test that hosts workerd through Miniflare. */
export const miniflareSanitizers = { sanitizeOps: false, sanitizeResources: false } as const;

/** How long the removal of Miniflare's temporary directory may take before we give up. */
const REMOVAL_BOUND_MS = 5000;

/** A Miniflare made by {@linkcode hostMiniflare}: disposing it waits for its temporary directory. */
export interface HostedMiniflare<M extends { dispose(): Promise<void> }> extends AsyncDisposable {
  /** The Miniflare itself. */
  readonly miniflare: M;
  /** Disposes it, then waits for its temporary directory to be gone (see the module doc). */
  dispose(): Promise<void>;
}

/**
 * Makes a Miniflare with `make` and notes which temporary directories it makes (the `miniflare-…`
 * ones new in the OS temporary directory by the time it is disposed, so host one at a time, as
 * every test here does). Disposing it waits until they are gone, at most five seconds (then it
 * throws), and one task more for the removal's own completion to be taken, so that it does not
 * finish inside the next test.
 */
export async function hostMiniflare<M extends { dispose(): Promise<void> }>(
  make: () => M,
): Promise<HostedMiniflare<M>> {
  const before = await miniflareTempDirs();
  const miniflare = make();
  const dispose = async () => {
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
  };
  return { miniflare, dispose, [Symbol.asyncDispose]: dispose };
}

/** The `miniflare-…` directories in the OS temporary directory now (Miniflare's `tmpPath`s). */
async function miniflareTempDirs(): Promise<Set<string>> {
  const dirs = new Set<string>();
  for await (const entry of Deno.readDir(tmpdir())) {
    if (entry.isDirectory && entry.name.startsWith("miniflare-")) dirs.add(entry.name);
  }
  return dirs;
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
