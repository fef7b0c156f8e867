import assert from "node:assert/strict";
import { Pacer } from "../../src/streams/pacer.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";

Deno.test("`Pacer` spaces chunks written at once by their duration, one lead ahead", () => {
  const clock = new FakeClock();
  const pacer = new Pacer({ clock, sendAheadMs: 20 });
  const waits = Array.from({ length: 40 }, () => pacer.reserve(20));
  assert.deepEqual(waits, [0, ...Array.from({ length: 39 }, (_, i) => i * 20)]);
});

Deno.test("`Pacer` sends one chunk ahead by default", () => {
  const pacer = new Pacer({ clock: new FakeClock() });
  assert.deepEqual([pacer.reserve(40), pacer.reserve(40), pacer.reserve(40)], [0, 0, 40]);
});

Deno.test("`Pacer` by default lets an empty chunk go now, and the chunk after it keeps its slot", () => {
  // With a lead of its own duration (0), an empty chunk waited for all before it to play.
  const pacer = new Pacer({ clock: new FakeClock() });
  const waits = [20, 20, 20, 20, 0, 20, 20].map((ms) => [pacer.peek(ms), pacer.reserve(ms)]);
  assert.deepEqual(waits, [[0, 0], [0, 0], [20, 20], [40, 40], [0, 0], [60, 60], [80, 80]]);
  // With a lead of its own, an empty chunk keeps its place in the order, as before.
  const led = new Pacer({ clock: new FakeClock(), sendAheadMs: 20 });
  assert.deepEqual([40, 0].map((ms) => led.reserve(ms)), [0, 20]);
});

Deno.test("`Pacer` adds no wait to real-time input", async () => {
  for (const sendAheadMs of [0, 20, undefined]) {
    const clock = new FakeClock();
    const pacer = new Pacer(sendAheadMs === undefined ? { clock } : { clock, sendAheadMs });
    for (let i = 0; i < 100; i++) {
      assert.equal(pacer.reserve(20), 0, `chunk ${i}, sendAheadMs ${sendAheadMs}`);
      await clock.tick(20);
    }
  }
});

Deno.test("`Pacer` by default adds no wait to real-time input of varying chunk sizes", async () => {
  // Each chunk reserved once it has been captured. With a lead of its own length, the 10 ms chunk
  // after the first 40 (due to play at 80, reserved at 50) waited 20 ms.
  const clock = new FakeClock();
  const pacer = new Pacer({ clock });
  for (const ms of [40, 10, 20, 10, 40, 5, 40, 10, 10, 10]) {
    await clock.tick(ms);
    assert.equal(pacer.reserve(ms), 0, `the ${ms} ms chunk captured by ${clock.now()}`);
  }
});

Deno.test("`Pacer` by default keeps the longest chunk's lead for a short chunk and the one after", () => {
  // Written at once. A lead of its own length held the 1 ms chunk until 79 (the far end 1 ms
  // from running dry) and, sent in order, the 20 ms chunk after it past its slot at 61.
  const pacer = new Pacer({ clock: new FakeClock() });
  const waits = [20, 20, 20, 20, 1, 20, 20].map((ms) => [pacer.peek(ms), pacer.reserve(ms)]);
  assert.deepEqual(waits, [[0, 0], [0, 0], [20, 20], [40, 40], [60, 60], [61, 61], [81, 81]]);
});

Deno.test("`Pacer` forgets the longest chunk with the timeline", async () => {
  const clock = new FakeClock();
  const pacer = new Pacer({ clock });
  // On one timeline, the 20 ms chunks after a second of audio may leave a second ahead, as it did.
  assert.deepEqual([1000, 20, 20].map((ms) => pacer.reserve(ms)), [0, 0, 20]);
  pacer.reset();
  assert.deepEqual([20, 20, 20, 20].map((ms) => pacer.reserve(ms)), [0, 0, 20, 40]);
  await clock.tick(10_000); // the far end ran dry: a new timeline
  assert.deepEqual([20, 20, 20].map((ms) => pacer.reserve(ms)), [0, 0, 20]);
});

Deno.test("`Pacer` starts a new timeline after an underrun, without catch-up", async () => {
  const clock = new FakeClock();
  const pacer = new Pacer({ clock, sendAheadMs: 20 });
  assert.deepEqual([0, 1, 2, 3, 4].map(() => pacer.reserve(20)), [0, 0, 20, 40, 60]);
  await clock.tick(1000); // the far end ran dry at 100
  assert.equal(pacer.queuedMs, 0);
  assert.deepEqual([0, 1, 2, 3].map(() => pacer.reserve(20)), [0, 0, 20, 40]);
});

Deno.test("`Pacer` sends a late chunk at once without pulling the next ones earlier", async () => {
  const clock = new FakeClock();
  const pacer = new Pacer({ clock, sendAheadMs: 20 });
  assert.equal(pacer.reserve(20), 0); // plays 0–20
  assert.equal(pacer.reserve(20), 0); // plays 20–40
  await clock.tick(30); // chunk 2 (plays 40–60, may leave at 20) arrives 10 ms late
  assert.equal(pacer.reserve(20), 0);
  assert.equal(pacer.reserve(20), 10); // plays 60–80: leaves at 40, as planned
});

Deno.test("`Pacer` does not accumulate timer lateness as drift", async () => {
  const clock = new FakeClock();
  const pacer = new Pacer({ clock, sendAheadMs: 20 });
  const late = 7;
  for (let i = 0; i < 500; i++) {
    const wait = pacer.reserve(20);
    // Chunk i may leave at 20·(i−1); every timer fires 7 ms late.
    if (wait > 0) await clock.tick(wait + late);
    const deadline = Math.max(0, 20 * (i - 1));
    assert.ok(clock.now() >= deadline, `chunk ${i} left early`);
    assert.ok(clock.now() <= deadline + late, `chunk ${i} left at ${clock.now()}, drifted`);
  }
});

Deno.test("`Pacer.reset` forgets the timeline", () => {
  const pacer = new Pacer({ clock: new FakeClock(), sendAheadMs: 0 });
  for (let i = 0; i < 10; i++) pacer.reserve(20);
  assert.equal(pacer.queuedMs, 200);
  pacer.reset();
  assert.equal(pacer.queuedMs, 0);
  assert.equal(pacer.reserve(20), 0);
  assert.equal(pacer.reserve(20), 20);
});

Deno.test("`Pacer.queuedMs` counts down as the far end plays", async () => {
  const clock = new FakeClock();
  const pacer = new Pacer({ clock });
  assert.equal(pacer.queuedMs, 0);
  pacer.reserve(20);
  pacer.reserve(40);
  assert.equal(pacer.queuedMs, 60);
  await clock.tick(25);
  assert.equal(pacer.queuedMs, 35);
  await clock.tick(100);
  assert.equal(pacer.queuedMs, 0);
});

Deno.test("`Pacer` rejects a bad sendAheadMs, naming it", () => {
  assert.throws(() => new Pacer({ sendAheadMs: -1 }), /sendAheadMs.*-1/);
  assert.throws(() => new Pacer({ sendAheadMs: Number.NaN }), RangeError);
  assert.throws(() => new Pacer({ sendAheadMs: Infinity }), RangeError);
});

Deno.test("`Pacer.release` gives the slot reserved last to the next chunk", () => {
  const clock = new FakeClock();
  const pacer = new Pacer({ sendAheadMs: 20, clock });
  assert.equal(pacer.reserve(20), 0); // plays 0–20
  assert.equal(pacer.reserve(20), 0); // plays 20–40, leaves at 0
  assert.equal(pacer.reserve(20), 20); // plays 40–60: waits until 20
  pacer.release(20); // that chunk was dropped before it left
  assert.equal(pacer.reserve(20), 20, "the next chunk plays 40–60, not 60–80");
  assert.equal(pacer.playsAt, 40);
});
