/**
 * Time, injected: the transport and the pacer never read the wall clock directly, so tests drive
 * them with a fake clock and Cloudflare Workers' frozen-between-I/O clock works as well as Deno's.
 *
 * @module
 */

import { systemTimers } from "./_system_timers.ts";

/**
 * A one-shot timer that can be armed again and again: the transport keeps one per session for
 * its pacing deadlines instead of a promise, an `AbortSignal` listener and a closure per chunk.
 */
export interface ClockTimer {
  /**
   * Calls the timer's callback `ms` milliseconds from now, replacing any earlier arming. `now`:
   * the clock's time, when the caller has just read it (a real clock read is a call into the
   * runtime, and the transport arms timers per chunk).
   */
  arm(ms: number, now?: number): void;
  /** Cancels the pending call, if any. */
  cancel(): void;
  /** Whether a call is pending. */
  readonly armed: boolean;
}

/** Options for {@linkcode Clock.timer}. */
export interface ClockTimerOptions {
  /**
   * How late the callback may run, in milliseconds: a clock may call it up to this much after the
   * time it was armed for (never before), so that timers due close together share one runtime
   * timer. The system clock sweeps such timers together, one runtime timer at most per tolerance;
   * `FakeClock` (`@x/ws-transport/testing`) fires on time.
   * For timers whose moment matters to a chunk, not to a millisecond (the transport's speaking
   * events): each runtime timer is a wake-up of the event loop, and hundreds of sessions each
   * waking it at its own millisecond cost more than the work they wake it for.
   *
   * @default {0}
   */
  toleranceMs?: number;
}

/** A monotonic clock with a cancellable sleep and re-armable timers. */
export interface Clock {
  /** Milliseconds since an arbitrary origin; never goes backwards. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds. If `signal` aborts first, the timer is cleared and the
   * promise rejects with the signal's reason.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * A timer that calls `callback` each time it fires; it starts unarmed. A clock may fire it up
   * to `options.toleranceMs` late (see {@linkcode ClockTimerOptions}).
   */
  timer(callback: () => void, options?: ClockTimerOptions): ClockTimer;
}

/**
 * The real clock: `performance.now()` and `setTimeout`. Timers due in the same millisecond share
 * one `setTimeout`, whichever sessions they belong to. Timers with a `toleranceMs` are swept
 * together instead: one `setTimeout` serves all of that tolerance, and moving one later calls
 * nothing in the runtime. Exact timers, and those of one tolerance, run in the order they fell
 * due, and those due at one time in the order they were last armed, as `setTimeout`'s and
 * `FakeClock`'s do.
 *
 * Except on Cloudflare Workers, where each timer keeps a runtime timer of its own: a runtime timer
 * there belongs to the request (or Durable Object) that set it, and a timer sharing one set by
 * another request would be lost when that request ends (a call's pacing stalled so, two calls at
 * once in two Durable Objects). Sessions there are one to an object or a request, with a handful
 * of timers each, so sharing would buy little anyway.
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
 *
 * @example A timer armed twice fires once, at the later time
 * ```ts
 * import { systemClock } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * let fired = 0;
 * const { promise, resolve } = Promise.withResolvers<void>();
 * const timer = systemClock.timer(() => {
 *   fired++;
 *   resolve();
 * });
 * timer.arm(1);
 * timer.arm(5);
 * await promise;
 * assert.equal(fired, 1);
 * assert.equal(timer.armed, false);
 * ```
 *
 * @example A timer that may run a little late, never early
 * ```ts
 * import { systemClock } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const armedAt = systemClock.now();
 * const firedAt = await new Promise<number>((resolve) => {
 *   systemClock.timer(() => resolve(systemClock.now()), { toleranceMs: 10 }).arm(5, armedAt);
 * });
 * assert.ok(firedAt >= armedAt + 5);
 * ```
 */
export const systemClock: Clock = systemTimers(!onWorkers());

/** Whether this is Cloudflare Workers' runtime (workerd): the only one with `WebSocketPair`. */
function onWorkers(): boolean {
  return typeof (globalThis as { WebSocketPair?: unknown }).WebSocketPair === "function";
}
