import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/fake_clock.ts";

Deno.test("`FakeClock` starts where it is told and moves only on tick", async () => {
  const clock = new FakeClock(1000);
  assert.equal(clock.now(), 1000);
  await Promise.resolve();
  assert.equal(clock.now(), 1000);
  await clock.tick(250);
  assert.equal(clock.now(), 1250);
});

Deno.test("`FakeClock` fires sleeps in due order, ties in call order, each at its own time", async () => {
  const clock = new FakeClock();
  const woke: [string, number][] = [];
  const sleep = (name: string, ms: number) =>
    clock.sleep(ms).then(() => woke.push([name, clock.now()]));
  sleep("c", 30);
  sleep("a", 10);
  sleep("b", 10);
  sleep("d", 0);
  assert.equal(clock.pendingTimers, 4);
  assert.equal(clock.nextDue, 0);
  await clock.tick(100);
  assert.deepEqual(woke, [["d", 0], ["a", 10], ["b", 10], ["c", 30]]);
  assert.equal(clock.now(), 100);
  assert.equal(clock.pendingTimers, 0);
  assert.equal(clock.nextDue, undefined);
});

Deno.test("`FakeClock` fires, within one tick, sleeps started by the code it wakes", async () => {
  const clock = new FakeClock();
  const times: number[] = [];
  (async () => {
    for (let i = 0; i < 5; i++) {
      await clock.sleep(20);
      times.push(clock.now());
    }
  })();
  await clock.tick(70);
  assert.deepEqual(times, [20, 40, 60]);
  await clock.tick(30);
  assert.deepEqual(times, [20, 40, 60, 80, 100]);
});

Deno.test("`FakeClock` clears an aborted sleep and rejects with the reason", async () => {
  const clock = new FakeClock();
  const controller = new AbortController();
  const sleeping = clock.sleep(100, controller.signal);
  assert.equal(clock.pendingTimers, 1);
  controller.abort(new Error("stop"));
  await assert.rejects(sleeping, /stop/);
  assert.equal(clock.pendingTimers, 0);
  await assert.rejects(clock.sleep(5, controller.signal), /stop/);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`FakeClock` removes the abort listener once a sleep resolves", async () => {
  const clock = new FakeClock();
  const controller = new AbortController();
  const sleeping = clock.sleep(10, controller.signal);
  await clock.tick(10);
  await sleeping;
  controller.abort(); // must not throw, reject or touch the timers
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`FakeClock.next` jumps to the next timer; `runAll` stops at the limit", async () => {
  const clock = new FakeClock();
  assert.equal(await clock.next(), false);
  clock.sleep(50);
  assert.equal(await clock.next(), true);
  assert.equal(clock.now(), 50);
  let fired = 0;
  const forever = async () => {
    for (;;) {
      await clock.sleep(1000);
      fired++;
      if (fired === 100) return;
    }
  };
  const done = forever();
  await clock.runAll(10_000);
  assert.equal(fired, 10);
  assert.equal(clock.pendingTimers, 1);
  await clock.runAll();
  await done;
  assert.equal(fired, 100);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`FakeClock.runAll` lets work started just before it schedule its sleeps", async () => {
  const clock = new FakeClock();
  const done = (async () => {
    await null;
    await clock.sleep(10);
    return clock.now();
  })();
  await clock.runAll();
  assert.equal(await done, 10);
});

Deno.test("`FakeClock.timer` fires at its time during tick; re-arming replaces, cancel removes", async () => {
  const clock = new FakeClock();
  const fired: number[] = [];
  const timer = clock.timer(() => fired.push(clock.now()));
  timer.arm(100);
  timer.arm(30);
  assert.equal(clock.pendingTimers, 1);
  await clock.tick(50);
  assert.deepEqual(fired, [30]);
  assert.equal(timer.armed, false);
  timer.arm(10);
  timer.cancel();
  assert.equal(clock.pendingTimers, 0);
  await clock.tick(50);
  assert.deepEqual(fired, [30]);
});

Deno.test("`FakeClock` orders timers and sleeps of one due time by when they were armed", async () => {
  const clock = new FakeClock();
  const order: string[] = [];
  clock.timer(() => order.push("timer")).arm(10);
  void clock.sleep(10).then(() => order.push("sleep"));
  await clock.tick(10);
  assert.deepEqual(order, ["timer", "sleep"]);
});

Deno.test("`FakeClock.tick` gives up, with an error naming the cause, on a loop that sleeps 0 ms", async () => {
  const clock = new FakeClock(500);
  // A bot polling with `sleep(0)`: time never moves, so the tick would fire its sleeps forever,
  // and no real timer (a test's own bound included) could fire meanwhile. Bounded here, so that a
  // clock without the bound returns (and fails the test) instead of hanging it.
  let polls = 0;
  const polling = (async () => {
    while (polls < 50_000) {
      await clock.sleep(0);
      polls++;
    }
  })();
  await assert.rejects(clock.tick(10), (e: Error) => {
    assert.match(e.message, /fired at 500 ms/);
    assert.match(e.message, /sleep\(0\)|0 ms/);
    return true;
  });
  assert.ok(polls < 50_000, `gave up after ${polls} polls, not at the loop's own end`);
  assert.equal(clock.now(), 500, "the time stays where it got stuck");
  assert.equal(clock.pendingTimers, 1, "the loop's next sleep is still pending");
  polls = 50_000;
  await clock.tick(0).catch(() => {}); // wakes the loop once more: it sees its end and stops
  await polling;
});

Deno.test("`FakeClock.runAll` gives up on a timer that re-arms itself for 0 ms", async () => {
  const clock = new FakeClock();
  let fired = 0;
  const timer = clock.timer(() => {
    if (++fired < 50_000) timer.arm(0);
  });
  timer.arm(5);
  await assert.rejects(clock.runAll(), /fired at 5 ms/);
  assert.ok(fired < 50_000, `gave up after ${fired} fires, not at the timer's own end`);
  timer.cancel();
});

Deno.test("`FakeClock.tick` fires any number of timers while time moves", async () => {
  const clock = new FakeClock();
  let polls = 0;
  (async () => {
    while (polls < 15_000) {
      await clock.sleep(1);
      polls++;
    }
  })();
  await clock.tick(15_000);
  assert.equal(polls, 15_000);
});

Deno.test("`FakeClock.tick` refuses a negative, NaN or infinite step, and moves nothing", async () => {
  const clock = new FakeClock(100);
  let fired = false;
  clock.sleep(3_600_000).then(() => (fired = true));
  for (const ms of [-5, NaN, Infinity, -Infinity]) {
    await assert.rejects(clock.tick(ms), RangeError, String(ms));
  }
  await Promise.resolve();
  assert.equal(clock.now(), 100);
  assert.equal(fired, false);
  assert.equal(clock.pendingTimers, 1);
});

Deno.test("`FakeClock` refuses a start that is not a finite number, and a negative or NaN runAll limit", async () => {
  for (const start of [NaN, Infinity, -Infinity]) {
    assert.throws(() => new FakeClock(start), RangeError, String(start));
  }
  assert.equal(new FakeClock(-20).now(), -20, "an origin of its own: a negative start is a time");
  const clock = new FakeClock();
  clock.sleep(10);
  for (const limit of [-1, NaN]) await assert.rejects(clock.runAll(limit), RangeError);
  assert.equal(clock.now(), 0);
  assert.equal(clock.pendingTimers, 1);
});

Deno.test("`FakeClock` takes a NaN delay as 0, as setTimeout does, and its time stays a number", async () => {
  const clock = new FakeClock(50);
  const woke: number[] = [];
  clock.sleep(NaN).then(() => woke.push(clock.now()));
  clock.timer(() => woke.push(clock.now())).arm(NaN);
  await clock.tick(10);
  assert.deepEqual(woke, [50, 50]);
  assert.equal(clock.now(), 60);
});

Deno.test("`FakeClock.runAll` refuses a limit that is not a number, as its doc says, running nothing", async () => {
  // A JavaScript caller's "5" passed `>= 0`, then was added on as text: from 100, "1005", so the
  // run went on to 600 ms where it was asked for 5 (and `null` ran none).
  const clock = new FakeClock(100);
  let fired = 0;
  clock.timer(() => fired++).arm(500);
  for (const limit of ["5", null, true]) {
    await assert.rejects(clock.runAll(limit as unknown as number), RangeError, String(limit));
  }
  assert.equal(clock.now(), 100);
  assert.equal(fired, 0);
  assert.equal(clock.pendingTimers, 1);
});
