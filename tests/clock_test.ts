import assert from "node:assert/strict";
import { systemClock } from "../mod.ts";

Deno.test("`systemClock.sleep` resolves no earlier than asked", async () => {
  const start = systemClock.now();
  await systemClock.sleep(15);
  assert.ok(systemClock.now() - start >= 15 - 0.01, `woke after ${systemClock.now() - start} ms`);
});

Deno.test("`systemClock.sleep` wakes every sleeper of one millisecond, even when one aborts", async () => {
  const due = 10;
  const aborted = new AbortController();
  const woken: number[] = [];
  const sleeps = [1, 2, 3].map((n) =>
    systemClock.sleep(due, n === 2 ? aborted.signal : undefined).then(() => woken.push(n), () => {})
  );
  aborted.abort();
  await Promise.all(sleeps);
  assert.deepEqual(woken, [1, 3]);
});

Deno.test("`systemClock.sleep` leaves no timer behind when every sleeper aborts", async () => {
  // The op sanitizer (on in `deno task test`) fails this test if a timer outlives it.
  const controller = new AbortController();
  const sleeps = [
    systemClock.sleep(60_000, controller.signal),
    systemClock.sleep(60_000, controller.signal),
  ];
  controller.abort(new Error("stop"));
  for (const sleep of sleeps) await assert.rejects(sleep, /stop/);
});

Deno.test("`systemClock.sleep` rejects at once for an aborted signal", async () => {
  await assert.rejects(systemClock.sleep(1, AbortSignal.abort(new Error("no"))), /no/);
});

Deno.test("`systemClock.timer` fires once per arming; re-arming moves it, cancel stops it", async () => {
  const fired: number[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  const timer = systemClock.timer(() => {
    fired.push(systemClock.now());
    resolve();
  });
  const start = systemClock.now();
  timer.arm(50);
  timer.arm(10);
  assert.equal(timer.armed, true);
  await promise;
  assert.equal(fired.length, 1);
  assert.ok(fired[0]! - start >= 10 - 0.01, "not before the later arming's time");
  assert.equal(timer.armed, false);
  timer.arm(5);
  timer.cancel();
  assert.equal(timer.armed, false);
  // The op sanitizer fails the test if the cancelled timer's runtime timer is still pending.
});

Deno.test("`systemClock.timer` re-armed for later while armed fires once, at the later time", async () => {
  const fired: number[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  const timer = systemClock.timer(() => {
    fired.push(systemClock.now());
    resolve();
  });
  const start = systemClock.now();
  timer.arm(5);
  timer.arm(30); // stays in the 5 ms bucket and moves on from there
  timer.arm(20);
  assert.equal(timer.armed, true);
  await promise;
  assert.equal(fired.length, 1);
  assert.ok(
    fired[0]! - start >= 20 - 0.01,
    `fired after ${fired[0]! - start} ms, not at the last arming's 20`,
  );
  assert.equal(timer.armed, false);
  // Cancelled while waiting to move on: nothing fires and no runtime timer is left (sanitizer).
  timer.arm(2);
  timer.arm(40);
  await systemClock.sleep(5);
  assert.equal(timer.armed, true);
  timer.cancel();
  assert.equal(timer.armed, false);
  assert.equal(fired.length, 1);
});

Deno.test("`systemClock.timer`s of one millisecond share a runtime timer and all fire", async () => {
  const fired: string[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  const timers = ["a", "b", "c"].map((name) =>
    systemClock.timer(() => {
      fired.push(name);
      if (fired.length === 2) resolve();
    })
  );
  for (const timer of timers) timer.arm(5);
  timers[1]!.cancel();
  await promise;
  assert.deepEqual(fired.sort(), ["a", "c"]);
});

Deno.test("`systemClock.timer` may be re-armed from its own callback", async () => {
  let count = 0;
  const { promise, resolve } = Promise.withResolvers<void>();
  const timer = systemClock.timer(() => {
    if (++count < 3) timer.arm(0);
    else resolve();
  });
  timer.arm(0);
  await promise;
  assert.equal(count, 3);
});

Deno.test("`systemClock.timer`s with a tolerance share one runtime timer across it, and none fires early", async () => {
  const realSetTimeout = globalThis.setTimeout;
  let runtimeTimers = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    runtimeTimers++;
    return realSetTimeout(...args);
  }) as typeof setTimeout;
  try {
    const fired: { name: string; at: number }[] = [];
    const { promise, resolve } = Promise.withResolvers<void>();
    // The start of a 20 ms cell, so that all three deadlines fall in the same one.
    const cell = Math.floor(systemClock.now() / 20) * 20;
    const armed = { a: 1, b: 7, c: 15 };
    for (const [name, ms] of Object.entries(armed)) {
      systemClock.timer(() => {
        fired.push({ name, at: systemClock.now() });
        if (fired.length === 3) resolve();
      }, { toleranceMs: 20 }).arm(ms, cell);
    }
    assert.equal(runtimeTimers, 1, "three deadlines within the tolerance: one runtime timer");
    await promise;
    for (const { name, at } of fired) {
      const due = cell + armed[name as keyof typeof armed];
      assert.ok(at >= due - 0.01, `${name} fired at ${at - cell} ms, armed for ${due - cell}`);
    }
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assert.throws(() => systemClock.timer(() => {}, { toleranceMs: -1 }), RangeError);
  assert.throws(() => systemClock.timer(() => {}, { toleranceMs: Infinity }), RangeError);
});
