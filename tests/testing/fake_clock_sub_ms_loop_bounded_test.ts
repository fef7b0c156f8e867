// A timer re-arming itself every microsecond fires 1000 times a millisecond: under the bound of
// 10,000 fires without the time moving a whole millisecond, so a limited move (`runAll()`'s hour,
// `tick(3_600_000)`) fired 3.6 billion timers on microtasks, for hours, before it ended. Every
// move now gives up once it has fired 200,000 timers more than 100 per millisecond it moved the
// time; many sessions' pacing (1000 calls of 20 ms chunks: 50 a millisecond) never meets that.
// Each loop here ends on its own past the bound, so a clock without the bound returns (and fails
// the test) instead of hanging it.

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
 * Where the bound meets a loop of `perMs` fires a millisecond, alone on the clock: 200,000 +
 * (100 + its one timer pending) × ms moved.
 */
function boundAt(perMs: number): number {
  return Math.ceil(200_000 / (perMs - 101)) * perMs;
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

// Many sessions sharing one clock each keep timers pending that fire about once a 10 ms: 10,000 of
// them fire 1000 a millisecond, far over the flat 100 a millisecond, yet none loops. Their
// allowance grows with the timers pending (was: refused after 223 ms of this, 223,000 fires).
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

Deno.test("a loop every microsecond beside 50 other timers pending is still bounded", async () => {
  const clock = new FakeClock();
  const others = Array.from({ length: 50 }, () => loop(clock, 20, Infinity));
  const run = loop(clock, 0.001, 1_000_000);
  await assert.rejects(clock.runAll(), /far below a millisecond/);
  assert.ok(run.fired < 300_000, `gave up near the bound: ${run.fired}`);
  for (const other of [...others, run]) other.timer.cancel();
});
