// `FakeClock` runs on microtasks: a loop it cannot see the end of holds the test with no real
// timer (a test's own bound included) able to fire. Such loops end with an error naming the bound
// and the likely cause, and a run that stopped at its limit says so in what it resolves with.
// Each loop here ends on its own past the bound, so a clock without the bound returns (and fails
// the test) instead of hanging it.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/fake_clock.ts";

Deno.test("`FakeClock.runAll` resolves true when it ran out of timers, false when it stopped at its limit", async () => {
  const clock = new FakeClock();
  let beats = 0;
  const heartbeat = clock.timer(() => {
    beats++;
    heartbeat.arm(60_000); // re-arms itself for ever, a minute on
  });
  heartbeat.arm(60_000);
  // was: undefined, the same as a run that ran out of timers
  assert.equal(await clock.runAll(), false, "stopped at the hour, the heartbeat still due");
  assert.equal(beats, 60);
  assert.equal(clock.now(), 3_600_000);
  assert.equal(clock.pendingTimers, 1);
  heartbeat.cancel();
  void clock.sleep(10);
  assert.equal(await clock.runAll(), true, "ran out of timers");
  assert.equal(await clock.runAll(), true, "nothing pending at all");
  clock.timer(() => {}).arm(Infinity);
  assert.equal(await clock.runAll(Infinity), true, "none pending that will ever be due");
});

Deno.test("`FakeClock.runAll(Infinity)` gives up on a timer re-arming itself for ever, naming the bound", async () => {
  const clock = new FakeClock();
  let fired = 0;
  const timer = clock.timer(() => {
    if (++fired < 250_000) timer.arm(1);
  });
  timer.arm(1);
  await assert.rejects(clock.runAll(Infinity), (e: Error) => {
    assert.match(e.message, /runAll: 200000 timers fired/);
    assert.match(e.message, /re-arming itself/);
    return true;
  });
  assert.equal(fired, 200_000, "gave up at the bound, not at the timer's own end");
  assert.equal(clock.now(), 200_000, "the time stays at the last timer fired");
  assert.equal(timer.armed, true, "the next fire stays pending");
  timer.cancel();
});

Deno.test("`FakeClock.tick` gives up, naming the cause, on a loop that sleeps 1e-9 ms", async () => {
  const clock = new FakeClock(500);
  let polls = 0;
  const polling = (async () => {
    while (polls < 50_000) {
      await clock.sleep(1e-9);
      polls++;
    }
  })();
  await assert.rejects(clock.tick(1000), (e: Error) => {
    assert.match(e.message, /10000 timers fired at 500 ms to 500\.0000\d+ ms/);
    assert.match(e.message, /far below a millisecond/);
    return true;
  });
  assert.equal(polls, 10_000, "gave up at the bound, not at the loop's own end"); // was: 50,000
  assert.ok(clock.now() > 500 && clock.now() < 500.001, `the time stays there: ${clock.now()}`);
  assert.equal(clock.pendingTimers, 1, "the loop's next sleep is still pending");
  polls = 50_000;
  await clock.tick(1); // wakes the loop once more: it sees its end and stops
  await polling;
});

Deno.test("`FakeClock` fires steps below a millisecond while the time moves a whole one in their count", async () => {
  const clock = new FakeClock();
  const times: number[] = [];
  (async () => {
    while (times.length < 40_000) {
      await clock.sleep(0.25); // 4 fires a millisecond: 40,000 of them in 10 s, no bound met
      times.push(clock.now());
    }
  })();
  await clock.tick(10_000);
  assert.equal(times.length, 40_000);
  assert.equal(times.at(-1), 10_000);
  // Many timers due within one millisecond, each at a time of its own, stay within the bound.
  const many: number[] = [];
  for (let i = 0; i < 9_000; i++) void clock.sleep(i / 10_000).then(() => many.push(i));
  await clock.tick(1);
  assert.equal(many.length, 9_000);
});
