// `FakeClock` stands in for `systemClock` in users' tests, so each case here runs one script on
// both (and, where it maps, on the runtime's own `setTimeout`) and expects the same outcome. The
// runtime's rules: HTML's timer initialization steps (timers of equal timeout run in the order they
// were set; a negative timeout is 0; `clearTimeout` of a timer that fired, or twice, does nothing).

import assert from "node:assert/strict";
import { type Clock, systemClock } from "../src/clock.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { within } from "./_ws_client.ts";

/**
 * Three timers due at one time; the first cancels the third and arms one for a time already past
 * (a `now` read 5 ms before) and one for 0 ms. Resolves with the order they ran in.
 */
function dueTogether(clock: Clock): Promise<string[]> {
  const ran: string[] = [];
  const { promise, resolve } = Promise.withResolvers<string[]>();
  const start = clock.now();
  const past = clock.timer(() => ran.push("past"));
  const zero = clock.timer(() => {
    ran.push("zero");
    resolve(ran);
  });
  const third = clock.timer(() => ran.push("third (cancelled)"));
  clock.timer(() => {
    ran.push("first");
    third.cancel();
    third.cancel(); // twice does nothing, as clearTimeout twice
    past.arm(0, clock.now() - 5);
    zero.arm(0);
  }).arm(10, start);
  clock.timer(() => ran.push("second")).arm(10, start);
  third.arm(10, start);
  return promise;
}

Deno.test("`FakeClock` runs timers of one time, and those armed by them, in `systemClock`'s and `setTimeout`'s order", async () => {
  const runtime = await within(
    new Promise<string[]>((resolve) => {
      const ran: string[] = [];
      let third: ReturnType<typeof setTimeout> | undefined = undefined;
      setTimeout(() => {
        ran.push("first");
        clearTimeout(third);
        clearTimeout(third);
        setTimeout(() => ran.push("past"), -5);
        setTimeout(() => resolve([...ran, "zero"]), 0);
      }, 10);
      setTimeout(() => ran.push("second"), 10);
      third = setTimeout(() => ran.push("third (cancelled)"), 10);
    }),
    1000,
    "setTimeout's run",
  );
  const system = await within(dueTogether(systemClock), 1000, "systemClock's run");
  const clock = new FakeClock(100);
  const fake = dueTogether(clock);
  await clock.tick(10);
  assert.deepEqual(runtime, ["first", "second", "past", "zero"]);
  assert.deepEqual(system, runtime);
  assert.deepEqual(await fake, runtime); // was: first, past, second, zero
});

Deno.test("`FakeClock` fires a timer armed for a time already past at once, its time never going back", async () => {
  const clock = new FakeClock(100);
  const seen: number[] = [];
  const late = clock.timer(() => seen.push(clock.now()));
  clock.timer(() => late.arm(1, clock.now() - 50)).arm(10);
  await clock.tick(10);
  assert.deepEqual(seen, [110]); // was: [61], before the 110 it had reached
  assert.equal(clock.now(), 110);
  const stale = clock.now() - 30; // read before a tick, used after it
  await clock.tick(20);
  late.arm(5, stale);
  assert.equal(clock.nextDue, 130, "due at once, not at 85");
  await clock.tick(0);
  assert.deepEqual(seen, [110, 130]);
});

Deno.test("`FakeClock` never fires what is armed for `Infinity`, as `systemClock` never does: `runAll` and `next` leave it", async () => {
  const clock = new FakeClock(5);
  let fired = 0;
  const timer = clock.timer(() => fired++);
  timer.arm(Infinity);
  const sleeping = clock.sleep(Infinity);
  assert.equal(clock.nextDue, Infinity);
  await clock.runAll(Infinity);
  assert.equal(await clock.next(), false);
  assert.equal(clock.now(), 5); // was: Infinity, every later time Infinity too
  assert.equal(fired, 0);
  assert.equal(timer.armed, true);
  assert.equal(clock.pendingTimers, 2);
  timer.cancel();
  await clock.tick(1000);
  assert.equal(clock.now(), 1005);
  void sleeping; // never settles, like systemClock's
});

Deno.test("`FakeClock.timer` refuses a `toleranceMs` that `systemClock.timer` refuses", () => {
  const fake = new FakeClock();
  for (const toleranceMs of [-1, NaN, Infinity]) {
    assert.throws(() => systemClock.timer(() => {}, { toleranceMs }), RangeError);
    assert.throws(() => fake.timer(() => {}, { toleranceMs }), RangeError, String(toleranceMs));
  }
  for (const toleranceMs of [0, 0.5, 20]) {
    systemClock.timer(() => {}, { toleranceMs });
    fake.timer(() => {}, { toleranceMs });
  }
});

Deno.test("`FakeClock` ticks called before the last ended run one after the other; its time never goes back", async () => {
  const clock = new FakeClock();
  let woke = -1;
  clock.sleep(50).then(() => (woke = clock.now()));
  const times: number[] = [];
  let watching = true;
  const watch = (async () => {
    while (watching) {
      times.push(clock.now());
      await null;
    }
  })();
  await Promise.all([clock.tick(100), clock.tick(10)]);
  watching = false;
  await watch;
  assert.equal(woke, 50); // was: 10, the second tick setting its target under the first
  assert.equal(clock.now(), 110);
  times.forEach((time, i) => assert.ok(i === 0 || time >= times[i - 1]!, `back at ${i}: ${times}`));
});

Deno.test("`FakeClock.tick` rejects with what a timer's callback threw; the time stays there, the rest fire on the next tick", async () => {
  // The runtime reports such an exception as uncaught and runs the timers due with it; a test
  // hears it as the tick's rejection instead, and the clock stays consistent.
  const clock = new FakeClock();
  const ran: string[] = [];
  clock.timer(() => {
    ran.push(`throws@${clock.now()}`);
    throw new Error("the bot's bug");
  }).arm(5);
  clock.timer(() => ran.push(`same time@${clock.now()}`)).arm(5);
  clock.timer(() => ran.push(`later@${clock.now()}`)).arm(8);
  await assert.rejects(clock.tick(10), /the bot's bug/);
  assert.equal(clock.now(), 5);
  assert.equal(clock.pendingTimers, 2);
  await clock.tick(5);
  assert.deepEqual(ran, ["throws@5", "same time@5", "later@8"]);
  assert.equal(clock.now(), 10);
});

Deno.test("`FakeClock` runs a timer re-armed from its deadline once per period across one long tick, reading each deadline", async () => {
  const clock = new FakeClock(1000);
  const seen: number[] = [];
  const interval = clock.timer(() => {
    seen.push(clock.now());
    interval.arm(10, clock.now()); // now() is the deadline: re-armed from it, no drift
  });
  interval.arm(10);
  await clock.tick(45);
  assert.deepEqual(seen, [1010, 1020, 1030, 1040]);
  interval.cancel();
  assert.equal(clock.pendingTimers, 0);
});

/**
 * `a` armed, then moved later; `b` and `c` armed for that later time; `b` armed again for it.
 * As `setTimeout`'s cleared and set again: a, c, b. Resolves with the order they ran in.
 */
function armedAgain(clock: Clock): Promise<string[]> {
  const ran: string[] = [];
  const { promise, resolve } = Promise.withResolvers<string[]>();
  const start = clock.now();
  const timer = (name: string) => clock.timer(() => ran.push(name));
  const [a, b, c] = [timer("a"), timer("b"), timer("c")];
  a.arm(5, start);
  a.arm(20, start); // while armed: systemClock's waits where it was, moving on at 5 ms
  b.arm(20, start);
  c.arm(20, start);
  b.arm(20, start); // its very millisecond again
  clock.timer(() => resolve(ran)).arm(40, start);
  return promise;
}

Deno.test("`systemClock` runs timers of one millisecond in the order they were last armed, as `setTimeout` and `FakeClock` do", async () => {
  const runtime = await within(
    new Promise<string[]>((resolve) => {
      const ran: string[] = [];
      const set = (name: string, ms: number) => setTimeout(() => ran.push(name), ms);
      clearTimeout(set("a", 5));
      set("a", 20);
      const b = set("b", 20);
      set("c", 20);
      clearTimeout(b);
      set("b", 20);
      setTimeout(() => resolve(ran), 40);
    }),
    1000,
    "setTimeout's run",
  );
  const clock = new FakeClock();
  const fake = armedAgain(clock);
  await clock.tick(40);
  assert.deepEqual(runtime, ["a", "c", "b"]);
  assert.deepEqual(await fake, runtime);
  assert.deepEqual(await within(armedAgain(systemClock), 1000, "systemClock's run"), runtime); // was: b, c, a
});

Deno.test("tolerant `systemClock.timer`s due in one sweep run in the order they fell due, as `FakeClock`'s do", async () => {
  const script = (clock: Clock) => {
    const ran: string[] = [];
    const { promise, resolve } = Promise.withResolvers<string[]>();
    const start = clock.now();
    const timer = (name: string) => clock.timer(() => ran.push(name), { toleranceMs: 20 });
    timer("x").arm(6, start); // the sweep, at 6 ms, serves the two below too
    timer("y").arm(3, start);
    timer("z").arm(3, start);
    clock.timer(() => resolve(ran), { toleranceMs: 20 }).arm(40, start);
    return promise;
  };
  const clock = new FakeClock();
  const fake = script(clock);
  await clock.tick(60);
  assert.deepEqual(await fake, ["y", "z", "x"]);
  assert.deepEqual(await within(script(systemClock), 1000, "systemClock's run"), ["y", "z", "x"]); // was: x, y, z
});
