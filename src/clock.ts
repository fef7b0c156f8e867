/**
 * Time, injected: the transport and the pacer never read the wall clock directly, so tests drive
 * them with a fake clock and Cloudflare Workers' frozen-between-I/O clock works as well as Deno's.
 *
 * @module
 */

/** A monotonic clock with a cancellable sleep. */
export interface Clock {
  /** Milliseconds since an arbitrary origin; never goes backwards. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds. If `signal` aborts first, the timer is cleared and the
   * promise rejects with the signal's reason.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: `performance.now()` and `setTimeout`.
 *
 * @example Sleeping, cancellably
 * ```ts
 * import { systemClock } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const before = systemClock.now();
 * await systemClock.sleep(5);
 * assert.ok(systemClock.now() >= before);
 * ```
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};
