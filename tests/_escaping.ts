/**
 * What escaped a piece of test code to the runtime: exceptions it reported as uncaught (a listener's,
 * in Deno, goes to the global "error" event and then ends the process) and promise rejections left
 * unhandled. Prevented while it runs, so that such a failure is an assertion, not an exit.
 *
 * @module
 */

/** Runs `body`, then one more macrotask, and returns what escaped it, in order. */
export async function escaping(body: () => Promise<void>): Promise<string[]> {
  const escaped: string[] = [];
  const onError = (e: ErrorEvent) => {
    e.preventDefault();
    escaped.push(`uncaught: ${e.error}`);
  };
  const onRejection = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    escaped.push(`unhandled rejection: ${e.reason}`);
  };
  globalThis.addEventListener("error", onError);
  globalThis.addEventListener("unhandledrejection", onRejection);
  try {
    await body();
    // One macrotask, not a wait for time: Deno reports unhandled rejections between tasks.
    await new Promise((resolve) => setTimeout(resolve, 0));
  } finally {
    globalThis.removeEventListener("error", onError);
    globalThis.removeEventListener("unhandledrejection", onRejection);
  }
  return escaped;
}
