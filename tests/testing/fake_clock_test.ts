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
