/**
 * The log a test Worker keeps of what its sessions saw, read over HTTP from the workerd process
 * (miniflare): there is no event to wait on across the process, so it is asked again until it
 * holds what the test waits for, within a bound.
 *
 * @module
 */

/** The log at `url`'s `path`, asked again (every 50 ms, 5 s at most) until `seen` holds. */
export async function logUntil(url: URL, path: string, seen: (log: string[]) => boolean) {
  let log: string[] = [];
  for (let asked = 0; asked < 100; asked++) {
    log = await (await fetch(new URL(path, url))).json();
    if (seen(log)) return log;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return log;
}
