// `FakeClock` runs a tick called before the last ended after it (a queue). A user's bot test can
// call one from where a tick is still draining: a timer's callback, the code a sleep wakes, a
// failed tick's catch. None of these may hang the test (a tick only ever waits for the one before
// it, never for the code it wakes), move the time back, or fire what is armed for ever.

import assert from "node:assert/strict";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { within } from "./_ws_client.ts";

Deno.test("`FakeClock.tick` awaited in a timer's callback runs after the tick that fired it, from the time that one reached", async () => {
  const clock = new FakeClock();
  const ran: string[] = [];
  const inner = Promise.withResolvers<void>();
  clock.timer(async () => {
    ran.push(`callback@${clock.now()}`);
    await clock.tick(5); // waits for the outer tick to end: it does not wait for this callback
    ran.push(`inner tick ended@${clock.now()}`);
    inner.resolve();
  }).arm(10);
  clock.timer(() => ran.push(`same tick@${clock.now()}`)).arm(12);
  clock.timer(() => ran.push(`inner tick's@${clock.now()}`)).arm(103);
  const outer = clock.tick(100).then(() => ran.push(`outer tick ended@${clock.now()}`));
  await within(Promise.all([outer, inner.promise]), 1000, "both ticks");
  assert.deepEqual(ran, [
    "callback@10",
    "same tick@12",
    "outer tick ended@100",
    "inner tick's@103",
    "inner tick ended@105",
  ]);
});

Deno.test("`FakeClock.tick` awaited by code a tick woke does not hold that tick: both end, in turn", async () => {
  const clock = new FakeClock();
  const woke: number[] = [];
  const work = clock.sleep(10).then(async () => {
    woke.push(clock.now());
    await clock.tick(5);
    woke.push(clock.now());
  });
  await within(Promise.all([clock.tick(100), work]), 1000, "the tick and the work");
  assert.deepEqual(woke, [10, 105]);
  assert.equal(clock.now(), 105);
});

Deno.test("`FakeClock.runAll` and `next` called in a timer's callback run once the tick ends", async () => {
  const clock = new FakeClock();
  const ran: string[] = [];
  let moves: Promise<unknown> | undefined;
  clock.timer(() => {
    moves = Promise.all([
      clock.next().then((moved) => ran.push(`next ${moved}@${clock.now()}`)),
      clock.runAll().then(() => ran.push(`runAll@${clock.now()}`)),
    ]);
  }).arm(10);
  clock.timer(() => ran.push(`t20@${clock.now()}`)).arm(20);
  clock.timer(() => ran.push(`t200@${clock.now()}`)).arm(200);
  clock.timer(() => ran.push(`t300@${clock.now()}`)).arm(300);
  await within(clock.tick(50), 1000, "the tick");
  assert.deepEqual(ran, ["t20@20"]);
  await within(moves!, 1000, "next and runAll");
  assert.deepEqual(ran, ["t20@20", "t200@200", "next true@200", "t300@300", "runAll@300"]);
});

Deno.test("`FakeClock` ticks queued behind one whose callback threw still run, from where it stopped", async () => {
  const clock = new FakeClock();
  const ran: string[] = [];
  clock.timer(() => {
    throw new Error("the bot's bug");
  }).arm(5);
  clock.timer(() => ran.push(`t5@${clock.now()}`)).arm(5);
  const victim = clock.timer(() => ran.push("cancelled by the queued tick"));
  victim.arm(14);
  clock.timer(() => {
    ran.push(`t12@${clock.now()}`);
    victim.cancel();
  }).arm(12);
  const first = clock.tick(10);
  const second = clock.tick(10);
  await assert.rejects(first, /the bot's bug/);
  assert.equal(clock.now(), 5, "the failed tick stopped at the callback that threw");
  await second;
  assert.deepEqual(ran, ["t5@5", "t12@12"]);
  assert.equal(clock.now(), 15);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`FakeClock` resolves many unawaited ticks in the order they were called, each at its own time", async () => {
  const clock = new FakeClock();
  const ended: number[] = [];
  const ticks = Array.from(
    { length: 500 },
    () => clock.tick(2).then(() => ended.push(clock.now())),
  );
  let woke = 0;
  const sleeper = (async () => {
    for (let n = 0; n < 300; n++) {
      await clock.sleep(3);
      woke = clock.now();
    }
  })();
  await within(Promise.all(ticks), 10_000, "500 ticks");
  await sleeper;
  assert.deepEqual(ended, Array.from({ length: 500 }, (_, i) => 2 * (i + 1)));
  assert.equal(woke, 900);
});

Deno.test("`FakeClock.tick` refuses a step whose end is past the largest time, and moves nothing: what is armed for ever stays unfired", async () => {
  const clock = new FakeClock(Number.MAX_VALUE);
  let fired = 0;
  const forever = clock.timer(() => fired++);
  forever.arm(Infinity);
  await assert.rejects(clock.tick(Number.MAX_VALUE), RangeError);
  assert.equal(clock.now(), Number.MAX_VALUE); // was: Infinity, a time the constructor refuses
  assert.equal(fired, 0); // was: 1, the timer armed for ever fired
  assert.equal(forever.armed, true);
  await clock.tick(0); // the clock goes on
  assert.equal(fired, 0);
});
