// A timer re-arming itself every microsecond fires 1000 times a millisecond: under the bound of
// 10,000 fires without the time moving a whole millisecond, so a limited move (`runAll()`'s hour,
// `tick(3_600_000)`) fired 3.6 billion timers on microtasks, for hours, before it ended. Every
// move now gives up once it has fired more than 200,000 timers armed for under a millisecond and
// 100 of them per millisecond it moved the time; sessions' pacing, armed a chunk ahead, is not
// counted, however many sessions share the clock. Each loop here ends on its own past the bound,
// so a clock without the bound returns (and fails the test) instead of hanging it.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/fake_clock.ts";

/** A timer re-arming itself every `stepMs` until it has fired `times` times. */
function loop(clock: FakeClock, stepMs: number, times: number) {
  const state = { fired: 0, timer: clock.timer(() => {}) };
  state.timer = clock.timer(() => {
    if (++state.fired < times) state.timer.arm(stepMs);
  });
  state.timer.arm(stepMs);
  return state;
}

/**
 * Where the bound meets a loop of `perMs` fires a millisecond, each armed for under a
 * millisecond: 200,000 + 100 × ms moved.
 */
function boundAt(perMs: number): number {
  return Math.ceil(200_000 / (perMs - 100)) * perMs;
}

for (
  const [name, move] of [
    ["runAll() (its hour)", (clock: FakeClock) => clock.runAll()],
    ["tick(3_600_000)", (clock: FakeClock) => clock.tick(3_600_000)],
  ] as const
) {
  Deno.test(`FakeClock.${name} gives up on a timer re-arming itself every microsecond`, async () => {
    const clock = new FakeClock();
    const run = loop(clock, 0.001, 300_000);
    await assert.rejects(move(clock), (e: Error) => {
      assert.match(e.message, /timers fired in \d+(\.\d+)? ms/);
      assert.match(e.message, /far below a millisecond/);
      return true;
    });
    // was: 300,000, the loop's own end, run to it (without that end, to the hour: 3.6e9 fires)
    assert.ok(
      Math.abs(run.fired - boundAt(1000)) <= 1000,
      `gave up at the bound (${boundAt(1000)}), not at the loop's end: ${run.fired}`,
    );
    assert.ok(clock.now() < 300, `the time stays at the last timer fired: ${clock.now()}`);
    assert.equal(run.timer.armed, true, "the next fire stays pending");
    run.timer.cancel();
  });
}

Deno.test("`FakeClock` runs a loop of 100 fires a millisecond to its limit", async () => {
  const clock = new FakeClock();
  const run = loop(clock, 0.01, Infinity);
  assert.equal(await clock.runAll(1_000), false, "stopped at its limit, the loop still due");
  assert.ok(Math.abs(run.fired - 100_000) <= 1, `${run.fired}`);
  run.timer.cancel();
});

// Many sessions sharing one clock each keep a timer that fires every 10 ms: 10,000 of them fire
// 1000 a millisecond, far over 100 a millisecond, yet none loops. Armed 10 ms ahead, they are not
// counted (a bound on all fires refused them after 223 ms of this, 223,000 fires).
Deno.test("`FakeClock` runs 10,000 timers of 10 ms (1000 fires a millisecond) to its limit", async () => {
  const clock = new FakeClock();
  const runs = Array.from({ length: 10_000 }, (_, i) => {
    const run = loop(clock, 10, Infinity);
    run.timer.arm(1 + (i % 10)); // spread over the 10 ms, as sessions' starts are
    return run;
  });
  assert.equal(await clock.runAll(300), false, "stopped at its limit, the timers still due");
  const fired = runs.reduce((sum, run) => sum + run.fired, 0);
  assert.ok(Math.abs(fired - 300_000) <= 10_000, `${fired}`);
  for (const run of runs) run.timer.cancel();
});

// A bound that grew with the timers pending (100 a millisecond and one per timer) allowed 1100 a
// millisecond beside 1000 of them (sessions' pacing, or a loop's own leftovers, one more each
// turn), and a loop every microsecond (1000 a millisecond) met no bound but the 10,000 fires a
// millisecond that never comes for it: `runAll()`'s hour fired billions. Fires of timers armed
// for under a millisecond are bound on their own, whatever is pending beside them.
Deno.test("a loop every microsecond beside 1000 other timers pending is still bounded", async () => {
  const clock = new FakeClock();
  const others = Array.from({ length: 1000 }, (_, i) => {
    const other = loop(clock, 10, Infinity);
    other.timer.arm(1 + (i % 10));
    return other;
  });
  const run = loop(clock, 0.001, 400_000); // ends on its own: was run to that end, unrefused
  await assert.rejects(clock.tick(1000), /timers fired in .* far below a millisecond/s);
  assert.ok(Math.abs(run.fired - 222_222) <= 1000, `gave up near the bound: ${run.fired}`);
  for (const other of [...others, run]) other.timer.cancel();
});
