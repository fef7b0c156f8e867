/**
 * Time, injected: the transport and the pacer never read the wall clock directly, so tests drive
 * them with a fake clock and Cloudflare Workers' frozen-between-I/O clock works as well as Deno's.
 *
 * @module
 */

import { SweptTimers } from "./_swept_timer.ts";

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
 * nothing in the runtime.
 *
 * Not for sessions on Cloudflare Workers: there a runtime timer belongs to the request (or
 * Durable Object) that set it, and a session's timer sharing another's is lost when that other
 * request ends. The adapters give each session there a clock of its own
 * ({@linkcode createSystemClock}).
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
export const systemClock: Clock = createSystemClock();

/**
 * A real clock like {@linkcode systemClock} whose timers share runtime timers only with each
 * other: what a session needs where a runtime timer belongs to the request that set it
 * (Cloudflare Workers, where `upgrade`, `CallDurableObject` and Hono's `voiceSession` make one
 * per session unless given a `clock`). Elsewhere one clock for every session is cheaper:
 * hundreds of sessions share its runtime timers.
 *
 * @example A clock of a session's own
 * ```ts
 * import { createSystemClock, systemClock } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const clock = createSystemClock();
 * const { promise, resolve } = Promise.withResolvers<void>();
 * clock.timer(resolve).arm(1);
 * await promise; // fired by a runtime timer of this clock's own
 * assert.notEqual(clock, systemClock);
 * ```
 */
export function createSystemClock(): Clock {
  // This clock's own: its timers join runtime timers of no other clock.
  const buckets: Buckets = new Map();
  const swept = new SweptTimers();
  return {
    now: () => performance.now(),
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          timer.cancel();
          reject(signal?.reason);
        };
        const timer = new SharedTimer(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, buckets);
        // Listen before arming: where creating a runtime timer runs pending microtasks (Node's
        // timers under Deno's compat layer), an abort in them would otherwise go unheard.
        signal?.addEventListener("abort", onAbort, { once: true });
        timer.arm(ms);
      });
    },
    timer(callback: () => void, options?: ClockTimerOptions): ClockTimer {
      const toleranceMs = options?.toleranceMs ?? 0;
      if (!(toleranceMs >= 0) || !Number.isFinite(toleranceMs)) {
        throw new RangeError(`toleranceMs must be a finite number >= 0, got ${toleranceMs}`);
      }
      // Under a millisecond of tolerance is none: the shared millisecond buckets are that exact.
      return toleranceMs >= 1
        ? swept.timer(callback, Math.floor(toleranceMs))
        : new SharedTimer(callback, buckets);
    },
  };
}

/**
 * The timers due in one millisecond, behind one `setTimeout`. A server pacing hundreds of
 * sessions would otherwise start a runtime timer per session per chunk (15,000 a second at 300
 * sessions of 20 ms chunks), and a runtime timer costs far more than an entry in a set; rounding a
 * deadline up to the next whole millisecond costs at most that millisecond.
 */
interface Bucket {
  handle: ReturnType<typeof setTimeout>;
  timers: Set<SharedTimer>;
}

/** One clock's buckets, by the millisecond they fire at. */
type Buckets = Map<number, Bucket>;

function fireBucket(buckets: Buckets, due: number): void {
  const bucket = buckets.get(due);
  if (bucket === undefined) return;
  buckets.delete(due);
  for (const timer of bucket.timers) timer.fire(bucket);
}

class SharedTimer implements ClockTimer {
  readonly #callback: () => void;
  readonly #buckets: Buckets;
  #bucket: Bucket | undefined;
  /** The millisecond of the bucket it waits in. */
  #due = 0;
  /** When it is to fire: later than `#due` when it was re-armed for later while armed. */
  #target = 0;

  constructor(callback: () => void, buckets: Buckets) {
    this.#callback = callback;
    this.#buckets = buckets;
  }

  get armed(): boolean {
    return this.#bucket !== undefined;
  }

  arm(ms: number, now: number = performance.now()): void {
    const due = Math.ceil(now + Math.max(0, ms));
    this.#target = due;
    if (this.#bucket !== undefined) {
      // Pushed later (a quiet-time timer re-armed at every chunk, say): stay where it waits and
      // move on when that bucket fires, rather than leave one set and join another each time.
      if (due >= this.#due) return;
      this.cancel();
    }
    this.#file(due);
  }

  cancel(): void {
    const bucket = this.#bucket;
    if (bucket === undefined) return;
    this.#bucket = undefined;
    bucket.timers.delete(this);
    if (bucket.timers.size === 0 && this.#buckets.get(this.#due) === bucket) {
      // Nobody waits for this millisecond any more: leave no runtime timer behind.
      clearTimeout(bucket.handle);
      this.#buckets.delete(this.#due);
    }
  }

  /** Called by the bucket it waits in; a timer re-armed meanwhile waits in another. */
  fire(bucket: Bucket): void {
    if (this.#bucket !== bucket) return;
    this.#bucket = undefined;
    if (this.#target > this.#due) return this.#file(this.#target);
    this.#callback();
  }

  #file(due: number): void {
    const buckets = this.#buckets;
    let bucket = buckets.get(due);
    if (bucket === undefined) {
      // Rounded up: runtimes drop a delay's fraction (WebIDL `long`), and a timer moved on to a
      // later target would otherwise fire up to a millisecond before it.
      bucket = {
        handle: setTimeout(
          fireBucket,
          Math.max(0, Math.ceil(due - performance.now())),
          buckets,
          due,
        ),
        timers: new Set(),
      };
      buckets.set(due, bucket);
    }
    bucket.timers.add(this);
    this.#bucket = bucket;
    this.#due = due;
  }
}
