/**
 * A fake clock whose event loop can STALL (a GC pause, a bot's synchronous work): time jumps on
 * with no timer firing on the way, then every overdue timer fires at the new time, in due order,
 * as a real event loop runs its overdue `setTimeout`s. A message the far end sent meanwhile is
 * read then, later than it arrived. Otherwise it is `FakeClock`'s `tick`.
 *
 * Kept with the playback tests that need it (another helper may add a shared one).
 *
 * @module
 */

import type { Clock, ClockTimer } from "../../src/clock.ts";

interface Pending {
  due: number;
  order: number;
  fire: () => void;
}

/** Lets the promise jobs a fired timer queued run, as a real event loop does between tasks. */
async function settle(): Promise<void> {
  for (let i = 0; i < 100; i++) await undefined;
}

/** A fake clock with {@linkcode StallClock.stall}. */
export class StallClock implements Clock {
  #now: number;
  #timers: Pending[] = [];
  #order = 0;

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Sleeps and armed timers not yet fired. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        due: this.#now + (ms > 0 ? ms : 0),
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

  timer(callback: () => void): ClockTimer {
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
          due: now + (ms > 0 ? ms : 0),
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

  /** Real-time progress: every timer fires at its own due time. */
  async tick(ms: number): Promise<void> {
    await settle();
    const target = this.#now + ms;
    await this.#fireDue(target, true);
    this.#now = target;
    await settle();
  }

  /**
   * The event loop was blocked `ms`: time jumps, then the overdue timers fire at the new time (and
   * those they arm for now or earlier), each in its own turn.
   */
  async stall(ms: number): Promise<void> {
    this.#now += ms;
    await this.#fireDue(this.#now, false);
    await settle();
  }

  async #fireDue(until: number, onTime: boolean): Promise<void> {
    for (let fired = 0;; fired++) {
      const next = this.#timers[0];
      if (next === undefined || next.due > until) return;
      if (fired > 100_000) throw new Error(`timer storm at ${this.#now}`);
      this.#timers.shift();
      if (onTime) this.#now = Math.max(this.#now, next.due);
      next.fire();
      await settle();
    }
  }

  #insert(pending: Pending): void {
    let i = this.#timers.length;
    while (i > 0 && this.#after(this.#timers[i - 1]!, pending)) i--;
    this.#timers.splice(i, 0, pending);
  }

  #after(a: Pending, b: Pending): boolean {
    return a.due > b.due || (a.due === b.due && a.order > b.order);
  }

  #remove(pending: Pending): void {
    const i = this.#timers.indexOf(pending);
    if (i >= 0) this.#timers.splice(i, 1);
  }
}
