/**
 * The real clock behind `systemClock`: `performance.now()`, and `setTimeout` shared by the timers
 * due together, or one a timer where runtime timers must not be shared (Cloudflare Workers).
 *
 * @module
 */

import { reportUncaught } from "./_report_uncaught.ts";
import { checkToleranceMs, MAX_DELAY_MS, SweptTimers } from "./_swept_timer.ts";
import type { Clock, ClockTimer, ClockTimerOptions } from "./clock.ts";

/**
 * A real clock. `shareTimers`: its timers due in one millisecond share one runtime timer, and
 * those of one tolerance one sweep, whichever sessions they belong to; else each timer keeps
 * runtime timers of its own.
 */
export function systemTimers(shareTimers: boolean): Clock {
  const buckets: Buckets | undefined = shareTimers ? new Map() : undefined;
  const swept = shareTimers ? new SweptTimers() : undefined;
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
        }, buckets ?? new Map());
        // Listen before arming: where creating a runtime timer runs pending microtasks (Node's
        // timers under Deno's compat layer), an abort in them would otherwise go unheard.
        signal?.addEventListener("abort", onAbort, { once: true });
        timer.arm(ms);
      });
    },
    timer(callback: () => void, options?: ClockTimerOptions): ClockTimer {
      const toleranceMs = options?.toleranceMs ?? 0;
      checkToleranceMs(toleranceMs);
      // Under a millisecond of tolerance is none: the shared millisecond buckets are that exact.
      return toleranceMs >= 1
        ? (swept ?? new SweptTimers()).timer(callback, Math.floor(toleranceMs))
        : new SharedTimer(callback, buckets ?? new Map());
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
  /** The latest arming among `timers` (`SharedTimer.order`). */
  lastOrder: number;
  /**
   * Whether `timers` left the order they were armed in: a timer re-armed for later while armed
   * joins its new millisecond only when its old one fires, after those armed since.
   */
  reordered: boolean;
}

/**
 * Counts armings, every timer's: timers due in one millisecond run in the order they were last
 * armed, as `setTimeout`'s of one deadline run in the order they were set (and `FakeClock`'s).
 */
let armings = 0;

/** One clock's buckets, by the millisecond they fire at. */
type Buckets = Map<number, Bucket>;

/**
 * Calls the bucket's timers. They belong to different sessions: one that throws is reported as
 * uncaught, once the others have run, and stops none of them (the bucket is gone from the map, and
 * a timer it left out would stay armed for good: no arming for the same or a later time files it).
 */
function fireBucket(buckets: Buckets, due: number): void {
  const bucket = buckets.get(due);
  if (bucket === undefined) return;
  buckets.delete(due);
  // Rarely out of order; a copy then, sorted (a timer cancelled or re-armed meanwhile is skipped
  // by `fire`, as it is by the set's own iteration).
  const timers = bucket.reordered
    ? [...bucket.timers].sort((a, b) => a.order - b.order)
    : bucket.timers;
  for (const timer of timers) {
    try {
      timer.fire(bucket);
    } catch (error) {
      reportUncaught(error);
    }
  }
}

class SharedTimer implements ClockTimer {
  readonly #callback: () => void;
  readonly #buckets: Buckets;
  #bucket: Bucket | undefined;
  /** The millisecond of the bucket it waits in. */
  #due = 0;
  /** When it is to fire: later than `#due` when it was re-armed for later while armed. */
  #target = 0;
  /** When it was last armed, among every timer's armings. */
  order = 0;

  constructor(callback: () => void, buckets: Buckets) {
    this.#callback = callback;
    this.#buckets = buckets;
  }

  get armed(): boolean {
    return this.#bucket !== undefined;
  }

  arm(ms: number, now: number = performance.now()): void {
    // NaN or negative is 0, as setTimeout takes it (NaN would be a bucket that never fires).
    const due = Math.ceil(now + (ms > 0 ? ms : 0));
    this.#target = due;
    this.order = ++armings;
    if (this.#bucket !== undefined) {
      // Pushed later (a quiet-time timer re-armed at every chunk, say): stay where it waits and
      // move on when that bucket fires, rather than leave one set and join another each time.
      // Armed again for the very millisecond it waits in, it is called there, now after the
      // timers armed before this arming.
      if (due > this.#due) return;
      if (due === this.#due) {
        this.#bucket.reordered = true;
        return;
      }
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
      const now = performance.now();
      if (due - now > MAX_DELAY_MS) {
        // Runtimes fire a longer delay at once: wait the longest, then on (`fire` files the
        // target again).
        return this.#file(Math.floor(now + MAX_DELAY_MS));
      }
      // Rounded up: runtimes drop a delay's fraction (WebIDL `long`), and a timer moved on to a
      // later target would otherwise fire up to a millisecond before it.
      bucket = {
        handle: setTimeout(fireBucket, Math.max(0, Math.ceil(due - now)), buckets, due),
        timers: new Set(),
        lastOrder: 0,
        reordered: false,
      };
      buckets.set(due, bucket);
    }
    if (this.order < bucket.lastOrder) bucket.reordered = true;
    else bucket.lastOrder = this.order;
    bucket.timers.add(this);
    this.#bucket = bucket;
    this.#due = due;
  }
}
