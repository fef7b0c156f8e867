// Many sessions sharing one `FakeClock` (a load test of simulated calls, 1000 of them) fire many
// timers, every one of them moving the time on: a run given a limit ends there, however many
// fired. The bound on a run's fires is for `runAll(Infinity)`, which has no other end; a limited
// run that stopped at 200,000 fires threw "re-arming itself for ever? Give runAll a limit" at a
// test that had given one, a second of each call's 20 ms pacing short of it.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/fake_clock.ts";

Deno.test("`FakeClock.runAll(limit)` runs 1000 sessions' 20 ms pacing to its limit, past 200,000 fires", async () => {
  const clock = new FakeClock();
  const SESSIONS = 1000;
  let chunks = 0;
  const pacers = Array.from({ length: SESSIONS }, () => {
    const pacer = clock.timer(() => {
      chunks++;
      pacer.arm(20); // never stopped: the calls go on past the run's limit
    });
    pacer.arm(20);
    return pacer;
  });
  // was: rejects with "FakeClock.runAll: 200000 timers fired (up to 4000 ms) ..."
  assert.equal(await clock.runAll(5_000), false, "stopped at its limit, timers still due");
  assert.equal(clock.now(), 5_000);
  assert.equal(chunks, SESSIONS * 250);
  for (const pacer of pacers) pacer.cancel();
});
