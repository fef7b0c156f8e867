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

/** Where the bound meets a loop of `perMs` fires a millisecond: 200,000 + 100 × ms moved. */
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
