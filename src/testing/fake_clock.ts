/**
 * A clock that moves only when a test says so, for exact pacing and timeout tests.
 *
 * @module
 */

import type { Clock, ClockTimer, ClockTimerOptions } from "../clock.ts";

/** A pending call, in due order (ties in the order they were armed). */
interface Pending {
  due: number;
  order: number;
  fire: () => void;
}

/**
 * Lets the promise callbacks queued so far run, and the ones they queue, up to a depth far beyond
 * any await chain in this module. Microtask turns, not a macrotask: Deno clamps nested
 * `setTimeout(0)` to several milliseconds, which would make a simulated hour take hours.
 */
async function settle(): Promise<void> {
  for (let turn = 0; turn < SETTLE_TURNS; turn++) await undefined;
}
const SETTLE_TURNS = 100;

/**
 * A {@linkcode Clock} whose time advances only through {@linkcode FakeClock.tick}. Timers due
 * during a tick fire in due order, and the code they wake runs before the next one fires, so a
 * pacing loop behaves exactly as it would in real time, only faster.
 *
 * @example Driving a sleep
 * ```ts
 * import { FakeClock } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock();
 * let woke = -1;
 * clock.sleep(100).then(() => (woke = clock.now()));
 * await clock.tick(99);
 * assert.equal(woke, -1);
 * await clock.tick(1);
 * assert.equal(woke, 100);
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #timers: Pending[] = [];
  #order = 0;

  /** Starts the clock at `start` milliseconds. */
  constructor(start = 0) {
    this.#now = start;
  }

  /** The fake time. */
  now(): number {
    return this.#now;
  }

  /** The number of sleeps and armed timers not yet fired, aborted or cancelled. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** When the earliest pending sleep or timer is due, or `undefined` when none is. */
  get nextDue(): number | undefined {
    return this.#timers[0]?.due;
  }

  /** Resolves once {@linkcode tick} has moved the time `ms` past now; rejects if `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        due: this.#now + Math.max(0, ms),
        order: this.#order++,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#remove(pending);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#insert(pending);
    });
  }

  /**
   * A re-armable timer on the fake time: it fires during {@linkcode tick}, at the very time it
   * was armed for (a `toleranceMs` in the options is allowed, and not used).
   */
  timer(callback: () => void, _options?: ClockTimerOptions): ClockTimer {
    let pending: Pending | undefined;
    const cancel = () => {
      if (pending === undefined) return;
      this.#remove(pending);
      pending = undefined;
    };
    return {
      arm: (ms: number, now: number = this.#now) => {
        cancel();
        const armed: Pending = {
          due: now + Math.max(0, ms),
          order: this.#order++,
          fire: () => {
            if (pending === armed) pending = undefined;
            callback();
          },
        };
        pending = armed;
        this.#insert(armed);
      },
      cancel,
      get armed() {
        return pending !== undefined;
      },
    };
  }

  #insert(pending: Pending): void {
    // Few timers are pending at once in a test: a sorted insert is plenty.
    let i = this.#timers.length;
    while (
      i > 0 &&
      (this.#timers[i - 1]!.due > pending.due ||
        (this.#timers[i - 1]!.due === pending.due && this.#timers[i - 1]!.order > pending.order))
    ) i--;
    this.#timers.splice(i, 0, pending);
  }

  #remove(pending: Pending): void {
    const i = this.#timers.indexOf(pending);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  /**
   * Advances the time by `ms`, firing each timer due on the way at its own due time and letting
   * the code it wakes run (including sleeps that code starts) before moving on.
   */
  async tick(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.due > target) break;
      this.#timers.shift();
      this.#now = next.due;
      next.fire();
      await settle();
    }
    this.#now = target;
    await settle();
  }

  /** Advances the time to the next pending timer and fires it; returns false if there is none. */
  async next(): Promise<boolean> {
    const due = this.nextDue;
    if (due === undefined) return false;
    await this.tick(due - this.#now);
    return true;
  }

  /** Fires timers until none is pending or `limit` milliseconds have passed. */
  async runAll(limit = 3_600_000): Promise<void> {
    const end = this.#now + limit;
    // Let work started just before this call schedule its first sleep: without this turn, a
    // pipeline started on the line above would find no timer and end the run at once.
    await settle();
    while (this.nextDue !== undefined && this.nextDue <= end) await this.next();
  }
}
