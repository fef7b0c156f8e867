/**
 * A {@linkcode FakeClock} whose event loop can stall: time jumps with no timer firing on the way (a
 * garbage collection pause, a listener's synchronous work, a suspended laptop), and every timer that
 * fell due meanwhile then fires at the new time, in due order, as a real event loop runs its overdue
 * `setTimeout`s. Otherwise it is a `FakeClock` (`tick` fires each timer at its own time).
 *
 * @module
 */

import type { ClockTimer, ClockTimerOptions } from "../src/clock.ts";
import { FakeClock } from "../src/testing/mod.ts";

export class StallClock extends FakeClock {
  /**
   * The time as the code under test reads it, while the fake clock's own (which fires the timers)
   * catches up with a stall: timers due before it fire at it.
   */
  #floor: number;

  constructor(start = 0) {
    super(start);
    this.#floor = start;
  }

  override now(): number {
    const time = super.now();
    return time > this.#floor ? time : this.#floor;
  }

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return super.sleep(this.now() - super.now() + (ms > 0 ? ms : 0), signal);
  }

  /** The fake clock's timer, armed from the time as read here. */
  override timer(callback: () => void, options?: ClockTimerOptions): ClockTimer {
    const timer = super.timer(callback, options);
    return {
      arm: (ms: number, now: number = this.now()) => timer.arm(ms, now),
      cancel: () => timer.cancel(),
      get armed() {
        return timer.armed;
      },
    };
  }

  /** Real-time progress from the time as read here: overdue timers (after a block) fire first. */
  override async tick(ms: number): Promise<void> {
    const from = this.now();
    this.#floor = from;
    await super.tick(from + ms - super.now());
  }

  /** The event loop was blocked `ms`: time jumps, then every timer due by then fires, at then. */
  async stall(ms: number): Promise<void> {
    this.#floor = this.now() + ms;
    await super.tick(this.#floor - super.now());
  }

  /**
   * Synchronous work inside a callback: time moves on `ms` while nothing else runs (the timers
   * that fall due fire at the next tick, overdue).
   */
  block(ms: number): void {
    this.#floor = this.now() + ms;
  }
}
