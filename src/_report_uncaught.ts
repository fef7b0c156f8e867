/**
 * What a shared runtime timer does with an exception one of its callbacks threw.
 *
 * @module
 */

/**
 * Reports `error` as uncaught, as the runtime would have had it escaped the timer's callback: to
 * the global "error" listeners (`reportError`: Deno, Bun, browsers), else (Node) thrown again to
 * the process's uncaught-exception handling; either ends the process unless told otherwise.
 * A microtask on, once the callbacks due with the one that threw have all run: they belong to
 * other sessions, and a report not prevented ends a Deno process at once, the task under way too.
 */
export function reportUncaught(error: unknown): void {
  queueMicrotask(() => {
    const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
    if (typeof report !== "function") throw error;
    report.call(globalThis, error);
  });
}
