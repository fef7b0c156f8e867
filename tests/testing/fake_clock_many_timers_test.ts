// A load test of simulated calls keeps thousands of timers pending on one `FakeClock`, armed in
// any order and re-armed or cancelled at every chunk. The clock kept them in a sorted array:
// each arming walked it from the end, each cancel searched it, each fire shifted it, so 100,000
// timers armed latest first took 46 s to arm and 10 s more to fire. Real timers (`setTimeout`,
// `systemClock`) cost about the same whatever else is pending; the clock now keeps a heap.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/fake_clock.ts";

const TIMERS = 100_000;
/**
 * Far above what the heap takes here (about a second, on a loaded machine a few), far below the
 * sorted array's minute (46 s to arm alone, unloaded).
 */
const BOUND_MS = 20_000;

Deno.test("`FakeClock` arms, cancels and fires 100,000 timers armed latest first in seconds, in due order, leaving none", async () => {
  const clock = new FakeClock();
  const fired: number[] = [];
  const started = performance.now();
  const timers = [];
  for (let i = TIMERS; i > 0; i--) {
    const due = i; // latest first: every arming goes ahead of all those pending
    const timer = clock.timer(() => fired.push(due));
    timer.arm(due);
    timers.push(timer);
  }
  const sleeps = [];
  for (let i = TIMERS; i > 0; i -= 10) sleeps.push(clock.sleep(i + 0.5));
  for (let i = 0; i < timers.length; i += 2) timers[i]!.cancel(); // the even dues, latest first
  const armedIn = performance.now() - started;
  // was: AssertionError: armed and cancelled in 57263 ms
  assert.ok(armedIn < BOUND_MS, `armed and cancelled in ${armedIn.toFixed(0)} ms`);
  assert.equal(clock.pendingTimers, TIMERS / 2 + TIMERS / 10);
  assert.equal(clock.nextDue, 1);

  await clock.tick(TIMERS + 1);
  await Promise.all(sleeps);
  const tookMs = performance.now() - started;
  assert.ok(tookMs < BOUND_MS, `armed, cancelled and fired in ${tookMs.toFixed(0)} ms`);
  assert.equal(fired.length, TIMERS / 2);
  assert.ok(fired.every((due, i) => due === 2 * i + 1), "the odd dues, in due order");
  assert.equal(clock.pendingTimers, 0, "nothing left pending once fired");
  assert.equal(clock.nextDue, undefined);
});

Deno.test("`FakeClock` fires timers of one due time in the order they were last armed, however many are pending", async () => {
  const clock = new FakeClock();
  const fired: number[] = [];
  // Due at 5, 10, 5, 10, … so every arming of one time lands among many of the other.
  const timers = Array.from({ length: 1000 }, (_, i) => clock.timer(() => fired.push(i)));
  timers.forEach((timer, i) => timer.arm(i % 2 === 0 ? 5 : 10));
  // Re-arming for the same time puts a timer behind those armed before this arming.
  timers[0]!.arm(5);
  timers[1]!.arm(10);
  await clock.tick(10);
  const evens = timers.map((_, i) => i).filter((i) => i % 2 === 0 && i !== 0);
  const odds = timers.map((_, i) => i).filter((i) => i % 2 === 1 && i !== 1);
  assert.deepEqual(fired, [...evens, 0, ...odds, 1]);
});
