/**
 * The keep-alive option of the Deno and Node adapters, `idleTimeout` (seconds), checked once.
 *
 * @module
 */

import { MAX_DELAY_MS } from "../_swept_timer.ts";

/** The longest `idleTimeout` whose half a timer can wait: 4,294,967 s (49.7 days). */
const LONGEST_IDLE_TIMEOUT_S = Math.floor((MAX_DELAY_MS * 2) / 1000);

/**
 * `seconds` as the runtime is to be given it. Deno and the Node adapter each wait half of it on a
 * timer, and a timer given Infinity, a negative delay or one over 2³¹ − 1 ms fires at once: a
 * keep-alive that pings every millisecond and drops every connection within a few. So a value
 * that is no finite number of seconds >= 0 throws a `RangeError`, and one past the longest a
 * timer can wait is that longest (as good as never).
 */
export function checkIdleTimeout(seconds: number): number {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(
      `idleTimeout must be a finite number of seconds >= 0 (0: no keep-alive), got ${
        String(seconds)
      }`,
    );
  }
  return Math.min(seconds, LONGEST_IDLE_TIMEOUT_S);
}

/**
 * Hono's `upgradeOptions` with their `idleTimeout`, if any, checked as {@linkcode checkIdleTimeout}
 * checks it: Hono hands them to Deno's upgrade as they are.
 */
export function withCheckedIdleTimeout<U>(upgradeOptions: U): U {
  const idleTimeout = (upgradeOptions as { idleTimeout?: number } | undefined)?.idleTimeout;
  if (idleTimeout === undefined) return upgradeOptions;
  return { ...upgradeOptions, idleTimeout: checkIdleTimeout(idleTimeout) };
}
