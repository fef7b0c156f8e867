// `Pacer` is public: a duration that is no finite number ≥ 0 is refused, naming it, and leaves the
// timeline as it was. Taken, one `Infinity` made every later chunk wait for ever (a sleep no timer
// ends), a negative one sent the chunks after it before their slots.

import assert from "node:assert/strict";
import { Pacer } from "../../src/streams/pacer.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";

const BAD = [Infinity, -Infinity, -20, Number.NaN, "20" as unknown as number];

Deno.test("`Pacer.reserve` refuses an infinite duration: the chunks after it keep their slots", () => {
  const pacer = new Pacer({ clock: new FakeClock(), sendAheadMs: 20 });
  assert.equal(pacer.reserve(20), 0);
  assert.throws(() => pacer.reserve(Infinity), RangeError, "Infinity");
  assert.equal(pacer.reserve(20), 0); // was: Infinity, a wait no timer ends
  assert.equal(pacer.reserve(20), 20);
});

Deno.test("`Pacer.reserve` refuses a negative duration: no chunk leaves before its slot", () => {
  const pacer = new Pacer({ clock: new FakeClock(), sendAheadMs: 0 });
  assert.deepEqual([pacer.reserve(20), pacer.reserve(20)], [0, 20]);
  assert.throws(() => pacer.reserve(-40), /durationMs must be a finite number >= 0, got -40/);
  assert.equal(pacer.reserve(20), 40); // was: 0, sent 40 ms before its slot
});

Deno.test("`Pacer.reserve`, `peek` and `release` refuse what is no finite number >= 0, changing nothing", () => {
  const clock = new FakeClock();
  const pacer = new Pacer({ clock, sendAheadMs: 20 });
  pacer.reserve(20);
  pacer.reserve(20);
  for (const bad of BAD) {
    assert.throws(() => pacer.reserve(bad), RangeError, `reserve(${String(bad)})`);
    assert.throws(() => pacer.peek(bad), RangeError, `peek(${String(bad)})`);
    assert.throws(() => pacer.release(bad), RangeError, `release(${String(bad)})`);
  }
  assert.throws(() => pacer.reserve(BAD[4]!), /got "20"/);
  assert.equal(pacer.playsAt, 20);
  assert.equal(pacer.queuedMs, 40);
  assert.equal(pacer.reserve(20), 20, "the timeline is as it was: the third chunk plays at 40");
});
