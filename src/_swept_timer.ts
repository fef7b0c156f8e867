/**
 * The system clock's timers that may fire a little late (`ClockTimerOptions.toleranceMs`): one
 * runtime timer sweeps all of them, and moving one later is a number written, not a runtime call.
 *
 * Such a timer is what a session keeps to notice that something stopped — the last audio of a
 * response has played, nothing more was queued for a while — and its moment moves on with every
 * chunk while the thing goes on. A timer per session chasing that moment (fire, find it moved,
 * arm again) woke the event loop about 15 times a second per session, each at its own
 * millisecond; swept together, hundreds of sessions cost one wake-up per tolerance at most, and a
 * session whose moment keeps moving costs nothing until it comes.
 *
 * @module
 */

import type { ClockTimer } from "./clock.ts";
import { reportUncaught } from "./_report_uncaught.ts";

/** The longest delay runtimes' `setTimeout` waits (2³¹ − 1 ms, 24.8 days); longer fires at once. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Throws a `RangeError` unless `toleranceMs` (`ClockTimerOptions.toleranceMs`) is a finite number
 * ≥ 0: the one check for every clock, so that a `FakeClock` refuses what `systemClock` refuses.
 */
export function checkToleranceMs(toleranceMs: number): void {
  if (!(toleranceMs >= 0) || !Number.isFinite(toleranceMs)) {
    throw new RangeError(`toleranceMs must be a finite number >= 0, got ${toleranceMs}`);
  }
}

/** The timers of one tolerance, and the one runtime timer that sweeps them. */
class Sweep {
  readonly #toleranceMs: number;
  readonly #timers = new Set<SweptTimer>();
  #handle: ReturnType<typeof setTimeout> | undefined;
  /** When the pending sweep runs (Infinity: none pending). */
  #sweepAt = Infinity;

  constructor(toleranceMs: number) {
    this.#toleranceMs = toleranceMs;
  }

  /** `timer` is armed (again): swept no later than its tolerance allows. */
  watch(timer: SweptTimer, now: number): void {
    this.#timers.add(timer);
    // A pending sweep within the tolerance serves; only an earlier moment moves it.
    if (timer.target + this.#toleranceMs < this.#sweepAt) this.#schedule(timer.target, now);
  }

  /** `timer` was cancelled; with nothing left to sweep, no runtime timer is left either. */
  unwatch(timer: SweptTimer): void {
    this.#timers.delete(timer);
    if (this.#timers.size > 0 || this.#handle === undefined) return;
    clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#sweepAt = Infinity;
  }

  #schedule(at: number, now: number): void {
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#sweepAt = at;
    // Rounded up: runtimes drop a delay's fraction, and a sweep must never come early.
    // At most the longest delay a runtime waits (a longer one fires at once): a sweep that
    // comes before any timer is due just schedules the next.
    this.#handle = setTimeout(
      this.#sweep,
      Math.min(MAX_DELAY_MS, Math.max(0, Math.ceil(at - now))),
    );
  }

  #sweep = (): void => {
    this.#handle = undefined;
    this.#sweepAt = Infinity;
    const now = performance.now();
    const due: SweptTimer[] = [];
    let next = Infinity;
    for (const timer of this.#timers) {
      if (timer.target <= now) due.push(timer);
      else if (timer.target < next) next = timer.target;
    }
    // Called in the order they fell due, ties in the order they were armed, as `setTimeout`'s and
    // `FakeClock`'s are: the set holds them in the order each was first watched, and a timer moved
    // on keeps its place there.
    due.sort(byDueTime);
    // Let go of them all before any callback runs, each remembering which arming is due.
    const armings = due.map((timer) => {
      this.#timers.delete(timer);
      return timer.expire();
    });
    // The next sweep: at the earliest moment left, but not sooner than one tolerance from now,
    // so that the moments of many sessions share it.
    if (next !== Infinity) this.#schedule(Math.max(next, now + this.#toleranceMs), now);
    // Called last: a callback that arms its timer again is watched for the next sweep. One that
    // re-arms or cancels another due timer replaces that timer's due call, as arm and cancel do.
    // They belong to different sessions: one that throws is reported as uncaught once the others
    // have run, and drops none of them (let go of already, they would never be called).
    for (let i = 0; i < due.length; i++) {
      try {
        due[i]!.fire(armings[i]!);
      } catch (error) {
        reportUncaught(error);
      }
    }
  };
}

/** Orders due timers by when they fell due, then by when they were armed. */
function byDueTime(a: SweptTimer, b: SweptTimer): number {
  return a.target - b.target || a.order - b.order;
}

/** Counts armings, every swept timer's: ties among due timers go in this order. */
let armings = 0;

/** A re-armable timer, swept with every other of the same tolerance. */
class SweptTimer implements ClockTimer {
  /** When it is to fire (`performance.now()` time). */
  target = 0;
  /** When it was last armed, among every swept timer's armings. */
  order = 0;
  readonly #callback: () => void;
  readonly #sweep: Sweep;
  #armed = false;
  /** Counts armings and cancellations: a due call is made only for the arming it was due for. */
  #arming = 0;

  constructor(callback: () => void, sweep: Sweep) {
    this.#callback = callback;
    this.#sweep = sweep;
  }

  get armed(): boolean {
    return this.#armed;
  }

  arm(ms: number, now: number = performance.now()): void {
    this.target = now + (ms > 0 ? ms : 0); // NaN or negative is 0, as setTimeout takes it
    this.#armed = true;
    this.#arming++;
    this.order = ++armings;
    this.#sweep.watch(this, now);
  }

  cancel(): void {
    this.#arming++;
    if (!this.#armed) return;
    this.#armed = false;
    this.#sweep.unwatch(this);
  }

  /** The sweep let it go, due: no longer armed; returns the arming that fell due. */
  expire(): number {
    this.#armed = false;
    return this.#arming;
  }

  /** Calls back for `arming`, unless it was re-armed or cancelled since it fell due. */
  fire(arming: number): void {
    if (arming === this.#arming) this.#callback();
  }
}

/**
 * Sweeps, one per tolerance, for the timers made here. On Cloudflare Workers, where a runtime
 * timer belongs to the request that set it and must not be shared, each timer gets a `SweptTimers`
 * of its own (`_system_timers.ts`).
 */
export class SweptTimers {
  readonly #sweeps = new Map<number, Sweep>();

  /**
   * A timer that fires no earlier than armed and at most about `toleranceMs` later (a whole
   * number of milliseconds, at least 1), swept with the others of that tolerance.
   */
  timer(callback: () => void, toleranceMs: number): ClockTimer {
    let sweep = this.#sweeps.get(toleranceMs);
    if (sweep === undefined) this.#sweeps.set(toleranceMs, sweep = new Sweep(toleranceMs));
    return new SweptTimer(callback, sweep);
  }
}
