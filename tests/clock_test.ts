import assert from "node:assert/strict";
import { systemClock } from "../mod.ts";
import { systemTimers } from "../src/_system_timers.ts";

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

Deno.test("`systemClock.timer`s with a tolerance, armed within it, share one runtime timer; none fires early", async () => {
  await countingRuntimeTimers(async (started) => {
    const fired: { name: string; at: number }[] = [];
    const { promise, resolve } = Promise.withResolvers<void>();
    const start = systemClock.now();
    const armed = { a: 1, b: 7, c: 15 };
    for (const [name, ms] of Object.entries(armed)) {
      systemClock.timer(() => {
        fired.push({ name, at: systemClock.now() });
        if (fired.length === 3) resolve();
      }, { toleranceMs: 20 }).arm(ms, start);
    }
    assert.equal(started(), 1, "three moments within the tolerance: one runtime timer");
    await promise;
    for (const { name, at } of fired) {
      const due = start + armed[name as keyof typeof armed];
      assert.ok(at >= due - 0.01, `${name} fired at ${at - start} ms, armed for ${due - start}`);
    }
  });
  assert.throws(() => systemClock.timer(() => {}, { toleranceMs: -1 }), RangeError);
  assert.throws(() => systemClock.timer(() => {}, { toleranceMs: Infinity }), RangeError);
});

/** Counts the runtime timers `run` starts. */
async function countingRuntimeTimers(run: (count: () => number) => Promise<void>): Promise<void> {
  const realSetTimeout = globalThis.setTimeout;
  let started = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    started++;
    return realSetTimeout(...args);
  }) as typeof setTimeout;
  try {
    await run(() => started);
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
}

for (const shareTimers of [true, false]) {
  Deno.test(`a system clock ${shareTimers ? "shares runtime timers" : "that must not share gives each timer its own"} (Workers: ${!shareTimers})`, async () => {
    await countingRuntimeTimers(async (started) => {
      const clock = systemTimers(shareTimers);
      const fired: string[] = [];
      const { promise, resolve } = Promise.withResolvers<void>();
      const now = performance.now();
      const arm = (name: string, toleranceMs = 0) =>
        clock.timer(() => {
          fired.push(name);
          if (fired.length === 4) resolve();
        }, { toleranceMs }).arm(5, now);
      // The same millisecond, two exact and two tolerant.
      arm("exact");
      arm("exact again");
      arm("tolerant", 10);
      arm("tolerant again", 10);
      assert.equal(started(), shareTimers ? 2 : 4);
      await promise;
      assert.deepEqual(fired.sort(), ["exact", "exact again", "tolerant", "tolerant again"]);
    });
  });
}

Deno.test("a tolerant `systemClock.timer` moved later costs no runtime timer and fires once, when its moment comes", async () => {
  await countingRuntimeTimers(async (started) => {
    const firedAt: number[] = [];
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = systemClock.timer(() => {
      firedAt.push(systemClock.now());
      resolve();
    }, { toleranceMs: 10 });
    const start = systemClock.now();
    // A response streaming: the moment its end plays moves on with every chunk.
    for (const ms of [5, 10, 15, 20, 25]) timer.arm(ms, start);
    assert.equal(started(), 1, "moving the moment later starts no runtime timer");
    await promise;
    await systemClock.sleep(40); // time for a second firing, if there were one
    assert.deepEqual(firedAt.length, 1);
    assert.ok(firedAt[0]! >= start + 25, `fired at ${firedAt[0]! - start} ms, moved to 25`);
    assert.equal(timer.armed, false);
  });
});

Deno.test("a tolerant `systemClock.timer` armed sooner than the pending sweep is not held up by it", async () => {
  const late = systemClock.timer(() => assert.fail("cancelled before its time"), {
    toleranceMs: 10,
  });
  const start = systemClock.now();
  late.arm(500, start);
  const firedAt = await new Promise<number>((resolve) => {
    systemClock.timer(() => resolve(systemClock.now()), { toleranceMs: 10 }).arm(5, start);
  });
  assert.ok(firedAt >= start + 5, `fired at ${firedAt - start} ms, armed for 5`);
  assert.ok(firedAt < start + 400, `fired at ${firedAt - start} ms: waited for the later sweep`);
  // The last one cancelled leaves no runtime timer behind (the test sanitizer checks).
  late.cancel();
  assert.equal(late.armed, false);
});

Deno.test("`systemClock.timer` may be re-armed from its own callback, exact or tolerant", async () => {
  for (const options of [undefined, { toleranceMs: 5 }]) {
    let count = 0;
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = systemClock.timer(() => {
      if (++count < 3) timer.arm(0);
      else resolve();
    }, options);
    timer.arm(0);
    await promise;
    assert.equal(count, 3, `toleranceMs ${options?.toleranceMs ?? 0}`);
    assert.equal(timer.armed, false);
  }
});

Deno.test("a tolerant `systemClock.timer` cancelled or re-armed by another's callback in the same sweep is not called for its old arming", async () => {
  const calls: string[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  const start = systemClock.now();
  const options = { toleranceMs: 20 };
  const later = systemClock.timer(() => {
    calls.push("re-armed");
    resolve();
  }, options);
  const cancelled = systemClock.timer(() => calls.push("cancelled"), options);
  // Armed first, so the sweep reaches it first: it cancels one due timer and re-arms another.
  const first = systemClock.timer(() => {
    calls.push("first");
    cancelled.cancel();
    later.arm(30);
  }, options);
  // One moment for all three: one sweep finds them all due.
  for (const timer of [first, cancelled, later]) timer.arm(1, start);
  await promise;
  await systemClock.sleep(40); // time for a stale call, if there were one
  assert.deepEqual(calls, ["first", "re-armed"]);
  assert.equal(cancelled.armed, false);
  assert.equal(later.armed, false);
});

Deno.test("`systemClock` timers and sleeps longer than a runtime's longest delay (2³¹ − 1 ms) do not fire at once", async () => {
  const month = 30 * 24 * 3600_000;
  const fired: string[] = [];
  const exact = systemClock.timer(() => fired.push("timer"));
  const tolerant = systemClock.timer(() => fired.push("tolerant"), { toleranceMs: 10 });
  exact.arm(month);
  tolerant.arm(month);
  const sleeping = new AbortController();
  const slept = systemClock.sleep(month, sleeping.signal).then(() => fired.push("sleep"), () => {});
  // A runtime given such a delay fires it after 1 ms (with a warning): wait past that.
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(fired, []);
  exact.cancel();
  tolerant.cancel();
  sleeping.abort();
  await slept;
});

Deno.test("`systemClock` takes a NaN or negative delay as 0, as setTimeout and FakeClock do", async () => {
  for (const toleranceMs of [0, 20]) {
    for (const ms of [NaN, -5]) {
      const fired = Promise.withResolvers<void>();
      const timer = systemClock.timer(() => fired.resolve(), { toleranceMs });
      timer.arm(ms);
      const bound = setTimeout(() => fired.reject(new Error(`arm(${ms}) did not fire`)), 1000);
      await fired.promise.finally(() => clearTimeout(bound));
      assert.equal(timer.armed, false, `arm(${ms}), tolerance ${toleranceMs}: fired once, done`);
    }
  }
  await systemClock.sleep(NaN); // resolves, and leaves no timer behind (the test's sanitizer)
});
