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
        cancel();
        reject(signal?.reason);
      };
      const cancel = wakeAt(performance.now() + Math.max(0, ms), () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

/**
 * Sleeps due in the same millisecond share one `setTimeout`. A server pacing hundreds of sessions
 * would otherwise start a timer per session per chunk (15,000 a second at 300 sessions of 20 ms
 * chunks), and a runtime timer costs far more than a callback in a list; rounding a deadline up to
 * the next whole millisecond costs at most that millisecond.
 */
const buckets = new Map<
  number,
  { timer: ReturnType<typeof setTimeout>; wakers: Set<() => void> }
>();

function wakeAt(deadline: number, wake: () => void): () => void {
  const due = Math.ceil(deadline);
  let bucket = buckets.get(due);
  if (bucket === undefined) {
    const wakers = new Set<() => void>();
    const timer = setTimeout(() => {
      buckets.delete(due);
      for (const waker of wakers) waker();
    }, Math.max(0, due - performance.now()));
    bucket = { timer, wakers };
    buckets.set(due, bucket);
  }
  const { wakers, timer } = bucket;
  wakers.add(wake);
  return () => {
    wakers.delete(wake);
    if (wakers.size === 0 && buckets.get(due) === bucket) {
      // Nobody waits for this millisecond any more: leave no timer behind.
      clearTimeout(timer);
      buckets.delete(due);
    }
  };
}
