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
