/**
 * A clock that moves only when a test says so, for exact pacing and timeout tests.
 *
 * @module
 */

import type { Clock, ClockTimer, ClockTimerOptions } from "../clock.ts";
import { checkToleranceMs } from "../_swept_timer.ts";

/** A pending call, in due order (ties in the order they were armed). */
interface Pending {
  due: number;
  order: number;
  fire: () => void;
  /**
   * Armed for less than a millisecond on (see {@linkcode MAX_SHORT_FIRES_PER_MS_MOVED}): set as it
   * is put in line.
   */
  short?: boolean;
  /** Where it stands in the clock's heap of pending calls; -1 once out of it. */
  index?: number;
}

/** Whether `a` fires before `b`: the earlier due, ties in the order they were armed. */
function firesBefore(a: Pending, b: Pending): boolean {
  return a.due < b.due || (a.due === b.due && a.order < b.order);
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
 * How many timers may fire without the fake time moving a whole millisecond, in one
 * {@linkcode FakeClock.tick} (or `next`, `runAll`), before it gives up. Only a loop firing
 * without end gets there: a sleep of 0 ms awaited in a loop, or a timer re-arming itself for 0 ms
 * (time cannot move on it), or for a step far below a millisecond, 1e-9 ms (time moves, but a
 * tick of a second would fire 10^12 times). The tick, running on microtasks, would spin for ever
 * or nearly, no real timer (a `waitFor`, a test's own bound) ever firing. A millisecond is the
 * real clock's grain: `setTimeout` takes whole milliseconds, and `systemClock` gives the timers
 * due in one millisecond one `setTimeout`.
 */
const MAX_FIRES_IN_ONE_MS = 10_000;

/**
 * How many timers one {@linkcode FakeClock.runAll}`(Infinity)` may fire before it gives up: a
 * timer re-arming itself for ever would keep it firing for ever (every fire at a time of its own,
 * so the bound above never comes), on microtasks. Above an hour of 20 ms chunks (180,000 fires),
 * ten times the most any test of this module fires in one move; about three seconds of firing. A
 * move with a limit ends at its limit, and is bound by the rate below.
 */
const MAX_FIRES_IN_ONE_RUN = 200_000;

/**
 * How many timers armed for less than a millisecond on (a sleep, a timer's arming: `short`) any
 * move (a tick, `next`, a run with or without a limit) may fire a millisecond, on average, beyond
 * {@linkcode MAX_FIRES_IN_ONE_RUN}: it gives up once it has fired more than
 * `MAX_FIRES_IN_ONE_RUN + MAX_SHORT_FIRES_PER_MS_MOVED × ms moved` of them. A timer re-arming
 * itself every microsecond fires 1000 a millisecond, under the bound per millisecond above, so
 * `runAll()`'s hour fired 3.6 billion, for hours; this stops it after about 222,000 (three
 * seconds), whatever is pending beside it. Sessions' pacing arms its timers a chunk or more ahead
 * and is not counted, so any number of sessions sharing the clock run as long as they like (a
 * bound on all fires refused 1000 calls of 10 ms chunks; one that grew with the timers pending let
 * a loop beside 900 of them, or one leaving a timer behind each turn, run the hour).
 */
const MAX_SHORT_FIRES_PER_MS_MOVED = 100;

/** A delay as `setTimeout` takes it: NaN or negative is 0 (NaN would make the time NaN). */
function delay(ms: number): number {
  return ms > 0 ? ms : 0;
}

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
  /** The pending calls: a heap, earliest first (see `#insert`). */
  #timers: Pending[] = [];
  #order = 0;
  /** The tick, `next` or `runAll` under way: the next one starts when it ends. */
  #moving: Promise<unknown> = Promise.resolve();

  /** Starts the clock at `start` milliseconds; throws a `RangeError` unless it is finite. */
  constructor(start = 0) {
    if (!Number.isFinite(start)) {
      throw new RangeError(`FakeClock start must be finite, got ${start}`);
    }
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

  /**
   * When the earliest pending sleep or timer is due (`Infinity`: armed for ever, it never will
   * be), or `undefined` when none is.
   */
  get nextDue(): number | undefined {
    return this.#timers[0]?.due;
  }

  /**
   * Resolves once {@linkcode tick} has moved the time `ms` past now (a negative or NaN `ms` is 0,
   * as for `setTimeout`); rejects if `signal` aborts.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        due: this.#dueAt(this.#now, ms),
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
   * was armed for (a `toleranceMs` in the options is checked as `systemClock` checks it, a
   * `RangeError` unless a finite number ≥ 0, and not used). A negative or NaN delay is 0, as for
   * `setTimeout`; armed for a time already past (a `now` read before the clock moved), it fires
   * at once, after the timers already due, as `systemClock`'s does.
   */
  timer(callback: () => void, options?: ClockTimerOptions): ClockTimer {
    // Checked as the real clock checks it: a test must not pass where production throws.
    checkToleranceMs(options?.toleranceMs ?? 0);
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
          due: this.#dueAt(now, ms),
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

  /**
   * When a call armed `ms` after `from` is due: never before the fake time, which never goes back
   * (a `from` in the past, or NaN, is now). `Infinity` is never: `systemClock` never fires it.
   */
  #dueAt(from: number, ms: number): number {
    const due = from + delay(ms);
    return due > this.#now ? due : this.#now;
  }

  // The pending calls are a binary heap, earliest first (`firesBefore`), each knowing its place:
  // a load test of simulated calls keeps thousands pending, re-armed at every chunk, and a sorted
  // array's insert, removal and shift each moved them all (100,000 timers armed latest first took
  // 46 s to arm, and firing them 10 s more).

  #insert(pending: Pending): void {
    pending.short = pending.due - this.#now < 1;
    pending.index = this.#timers.length;
    this.#timers.push(pending);
    this.#siftUp(pending);
  }

  #remove(pending: Pending): void {
    const i = pending.index ?? -1;
    if (this.#timers[i] !== pending) return;
    pending.index = -1;
    const last = this.#timers.pop()!;
    if (last === pending) return;
    this.#timers[i] = last;
    last.index = i;
    this.#siftUp(last);
    this.#siftDown(last);
  }

  #siftUp(pending: Pending): void {
    const heap = this.#timers;
    let i = pending.index!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (!firesBefore(pending, above)) break;
      heap[i] = above;
      above.index = i;
      i = parent;
    }
    heap[i] = pending;
    pending.index = i;
  }

  #siftDown(pending: Pending): void {
    const heap = this.#timers;
    let i = pending.index!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && firesBefore(heap[child + 1]!, heap[child]!)) child++;
      const below = heap[child]!;
      if (!firesBefore(below, pending)) break;
      heap[i] = below;
      below.index = i;
      i = child;
    }
    heap[i] = pending;
    pending.index = i;
  }

  /**
   * Advances the time by `ms`, firing each timer due on the way at its own due time and letting
   * the code it wakes run (including sleeps that code starts) before moving on. A tick called
   * while another (or `next`, `runAll`) is under way starts when that one ends, and counts from
   * the time it ended at: the time never goes back, and `tick(10)` twice unawaited is 20 ms. So
   * does one called from a timer's callback, or from code a tick woke: a tick never waits for the
   * code it wakes, so awaiting one there cannot hold the tick under way, and it runs after it.
   *
   * Rejects with a `RangeError`, moving nothing, unless `ms` is a finite number ≥ 0 and the time
   * it would reach is finite (not past `Number.MAX_VALUE`). Rejects with an `Error` once 10,000
   * timers have fired without the time moving a whole millisecond: code that sleeps 0 ms in a
   * loop, or a timer that re-arms itself for 0 ms, would keep it there for ever, and code that
   * sleeps 1e-9 ms in a loop all but for ever (the tick runs on microtasks, so no real timer, a
   * test's own bound included, could fire meanwhile). The time then stays at the last timer fired,
   * and the timers not yet fired stay pending. The count starts again each time the time has moved
   * a whole millisecond. Rejects likewise once it has fired more than 200,000 timers armed for
   * under a millisecond and 100 of them a millisecond it moved the time (a timer re-arming itself
   * every microsecond, 1000 a millisecond, meets it after about 222,000, whatever is pending
   * beside it); sessions' pacing, armed a chunk or more ahead, never does, however many share the
   * clock. A timer's callback that throws rejects the tick with what it threw, likewise: the time
   * stays at that timer's moment, and the timers after it stay pending for the next tick.
   */
  async tick(ms: number): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw new RangeError(`FakeClock.tick: ms must be a finite number >= 0, got ${ms}`);
    }
    await this.#inTurn(() => {
      const target = this.#now + ms;
      // A finite step can still overflow: moved to `Infinity`, the clock would fire what is armed
      // for ever (which `systemClock` never fires) and keep a time its constructor refuses.
      if (!Number.isFinite(target)) {
        throw new RangeError(`FakeClock.tick: ${this.#now} + ${ms} ms is past the largest time`);
      }
      return this.#advance(target, {
        from: this.#now,
        at: this.#now,
        fired: 0,
        total: 0,
        short: 0,
      });
    });
  }

  /**
   * Advances the time to the next pending timer and fires it (and any other due then, as
   * {@linkcode tick} does, with its bound); returns false if there is none, or none that will
   * ever be due (armed for `Infinity`).
   */
  async next(): Promise<boolean> {
    return await this.#inTurn(() =>
      this.#next({ from: this.#now, at: this.#now, fired: 0, total: 0, short: 0 })
    );
  }

  /**
   * Fires timers until none is pending or `limit` milliseconds have passed. Resolves `true` when
   * it ran out of timers (none pending, or none pending that will ever be due: armed for
   * `Infinity`), `false` when it stopped at `limit` with timers still due after it: a timer that
   * re-arms itself (a heartbeat, a pacing loop never stopped) runs the whole limit, one hour by
   * default, and `assert.ok(await clock.runAll())` says so, where a test means to run to the end.
   *
   * Rejects with a `RangeError` unless `limit` is a number ≥ 0 (`Infinity`: until none is
   * pending, or none pending will ever be due); like {@linkcode tick} once 10,000 timers have
   * fired without the time moving a whole millisecond (the count spans the whole run, as one
   * `next` after another could otherwise stay at one time for ever); and, run with no limit
   * (`Infinity`), with an `Error` naming the bound once it has fired 200,000 timers, more still
   * due: a timer re-arming itself for ever would keep it running for ever. The time then stays at
   * the last timer fired, and the rest stay pending. Any run, like a tick, rejects once it has
   * fired more than 200,000 timers armed for under a millisecond and 100 of them a millisecond
   * it moved the time: a loop re-arming itself far below a millisecond would otherwise run the
   * hour (3.6 billion fires at a microsecond); sessions sharing the clock never meet it.
   */
  async runAll(limit = 3_600_000): Promise<boolean> {
    // A string would pass `>= 0` and then be added on as text ("5" ran 905 ms from 100).
    if (typeof limit !== "number" || !(limit >= 0)) {
      throw new RangeError(`FakeClock.runAll: limit must be a number >= 0, got ${limit}`);
    }
    return await this.#inTurn(async () => {
      const end = this.#now + limit;
      const fires: Fires = {
        from: this.#now,
        at: this.#now,
        fired: 0,
        total: 0,
        short: 0,
      };
      // Let work started just before this call schedule its first sleep: without this turn, a
      // pipeline started on the line above would find no timer and end the run at once.
      await settle();
      for (;;) {
        const due = this.nextDue;
        if (due === undefined || due === Infinity) return true;
        if (due > end) return false;
        // Only without a limit: a limited run ends there, and is bound by its rate of fires
        // (`#advance`); many sessions sharing a clock fire far more than one timer would (1000
        // calls' 20 ms pacing: 50,000 a second), so a flat count would refuse them.
        if (limit === Infinity && fires.total >= MAX_FIRES_IN_ONE_RUN) {
          throw new Error(
            `FakeClock.runAll: ${MAX_FIRES_IN_ONE_RUN} timers fired (up to ${this.#now} ms) and ` +
              `more are due (next at ${due} ms): is a timer re-arming itself for ever? Give ` +
              "runAll a limit, or stop the timer",
          );
        }
        await this.#next(fires);
      }
    });
  }

  /**
   * Runs `move` once the tick, `next` or `runAll` under way has ended: two moving the time at
   * once would each set it to their own target, one taking it back past what the other fired.
   */
  #inTurn<T>(move: () => Promise<T>): Promise<T> {
    const turn = this.#moving.then(move);
    this.#moving = turn.catch(() => {}); // its caller hears the rejection; the next turn goes on
    return turn;
  }

  async #next(fires: Fires): Promise<boolean> {
    const due = this.nextDue;
    if (due === undefined || due === Infinity) return false; // moving to Infinity ends the clock
    await this.#advance(due, fires);
    return true;
  }

  /**
   * Moves the time to `target`, firing what is due on the way (`fires`: those since the time was
   * last a whole millisecond on, and all in this move).
   */
  async #advance(target: number, fires: Fires): Promise<void> {
    await settle();
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.due > target) break;
      if (next.due - fires.at >= 1) {
        fires.at = next.due;
        fires.fired = 0;
      }
      if (++fires.fired > MAX_FIRES_IN_ONE_MS) throw this.#stuck(fires, next.due);
      const moved = next.due - fires.from;
      if (
        next.short && ++fires.short >= MAX_FIRES_IN_ONE_RUN + MAX_SHORT_FIRES_PER_MS_MOVED * moved
      ) {
        throw new Error(
          `FakeClock: ${fires.short} timers fired in ${moved} ms, each armed for under a ` +
            `millisecond (more than ${MAX_FIRES_IN_ONE_RUN} and ` +
            `${MAX_SHORT_FIRES_PER_MS_MOVED} a millisecond): is something re-arming a timer, or ` +
            "awaiting a sleep in a loop, for far below a millisecond?",
        );
      }
      this.#remove(next);
      this.#now = next.due;
      fires.total++;
      next.fire();
      await settle();
    }
    this.#now = target;
    await settle();
  }

  /**
   * The error for a move stuck near one time: the timer due at `due` is not fired (it stays
   * pending, first in line), and the time stays at the last one fired.
   */
  #stuck(fires: Fires, due: number): Error {
    const span = due === fires.at ? `at ${due} ms` : `at ${fires.at} ms to ${due} ms`;
    const cause = due === this.#now
      ? "time cannot move on: is something awaiting sleep(0) in a loop, or re-arming a timer " +
        "for 0 ms?"
      : "time not moving a whole millisecond: is something awaiting a sleep far below a " +
        "millisecond (1e-9 ms) in a loop, or re-arming a timer for one?";
    return new Error(`FakeClock: ${MAX_FIRES_IN_ONE_MS} timers fired ${span}, ${cause}`);
  }
}

/** The timers fired in one tick or run. */
interface Fires {
  /** The time the tick or run started at. */
  from: number;
  /** When the time was last a whole millisecond on from the one before: `fired` counts since. */
  at: number;
  /** Timers fired since `at`. */
  fired: number;
  /** Timers fired in this tick or run. */
  total: number;
  /** Timers armed for under a millisecond fired in it (see `MAX_SHORT_FIRES_PER_MS_MOVED`). */
  short: number;
}
