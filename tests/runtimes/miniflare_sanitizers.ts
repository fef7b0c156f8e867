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
 * Makes a Miniflare with `make` whose temporary directory is made inside one of our own: Miniflare
 * names its directory under the OS temporary directory (`os.tmpdir()`, read from `TMPDIR` as it is
 * constructed), so `TMPDIR` points at a new directory for the synchronous call to `make` alone.
 * Its directory is then ours to wait for, whatever other processes make in `/tmp` meanwhile (a
 * test run beside another used to wait for the other's). Disposing it waits until the directory
 * is empty, at most {@linkcode REMOVAL_BOUND_MS} (then it throws), one task more for the
 * removal's own completion to be taken, so that it does not finish inside the next test, and
 * removes our directory.
 */
export async function hostMiniflare<M extends { dispose(): Promise<void> }>(
  make: () => M,
): Promise<HostedMiniflare<M>> {
  const home = await Deno.makeTempDir({ prefix: "ws-transport-miniflare-" });
  const miniflare = withTempDir(home, make);
  const dispose = async () => {
    await miniflare.dispose();
    const deadline = performance.now() + REMOVAL_BOUND_MS;
    while (!await isEmpty(home)) {
      if (performance.now() > deadline) {
        throw new Error(
          `Miniflare's directory in ${home} was not removed within ${REMOVAL_BOUND_MS} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    await Deno.remove(home);
  };
  return { miniflare, dispose, [Symbol.asyncDispose]: dispose };
}

/** Calls `make` with `TMPDIR` set to `dir`, then puts `TMPDIR` back as it was. */
function withTempDir<M>(dir: string, make: () => M): M {
  const saved = Deno.env.get("TMPDIR");
  Deno.env.set("TMPDIR", dir);
  try {
    const made = make();
    if (tmpdir() !== dir) throw new Error("os.tmpdir() did not follow TMPDIR");
    return made;
  } finally {
    if (saved === undefined) Deno.env.delete("TMPDIR");
    else Deno.env.set("TMPDIR", saved);
  }
}

async function isEmpty(dir: string): Promise<boolean> {
  for await (const _ of Deno.readDir(dir)) return false;
  return true;
}
