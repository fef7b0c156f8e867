// `LetGoRanges` (src/metrics/_let_go_ranges.ts): the bounded list of ranges of items let go that
// `TurnMeter` (spells let go, for turn ends told late) and `BargeInMeter` (interruptions' windows
// let go, for speech told late) keep, behind README "Metrics"' `turnLatency.unmeasured` and
// `bargeInStopLatency.lost`: kept apart up to 16, the two oldest merged past that, each meter's
// search, its count taken from once per item, and the ranges from before a clock's step forgotten.
import assert from "node:assert/strict";
import { LetGoRanges } from "../../src/metrics/_let_go_ranges.ts";

/** Ranges of one item each, `[n·100, n·100 + 50]` for n = 0, 1, …, `count` of them. */
function rangesOf(count: number, options?: ConstructorParameters<typeof LetGoRanges>[0]) {
  const ranges = new LetGoRanges(options);
  for (let n = 0; n < count; n++) ranges.add({ from: n * 100, to: n * 100 + 50, count: 1 });
  return ranges;
}

Deno.test("`LetGoRanges` keeps 16 ranges apart, then merges the two oldest into one spanning both", () => {
  const ranges = rangesOf(16);
  assert.equal(ranges.ranges.length, 16);
  assert.deepEqual(ranges.ranges[0], { from: 0, to: 50, count: 1 });
  ranges.add({ from: 1600, to: 1650, count: 1 });
  const kept = ranges.ranges;
  assert.equal(kept.length, 16);
  assert.deepEqual(kept[0], { from: 0, to: 150, count: 2 }, "the two oldest, as one");
  assert.deepEqual(kept[1], { from: 200, to: 250, count: 1 });
  assert.deepEqual(kept[15], { from: 1600, to: 1650, count: 1 }, "the newest kept on its own");
});

Deno.test("`LetGoRanges` past 16 goes on merging into the oldest: bounded, no item forgotten", () => {
  const ranges = rangesOf(40);
  const kept = ranges.ranges;
  assert.equal(kept.length, 16);
  // Each add past 16 merges the oldest (all merged so far) with the next: one range of the 25
  // oldest items, then the 15 newest apart.
  assert.deepEqual(kept[0], { from: 0, to: 2450, count: 25 });
  assert.deepEqual(kept[1], { from: 2500, to: 2550, count: 1 });
  assert.equal(kept.reduce((sum, range) => sum + range.count, 0), 40);
});

Deno.test("`LetGoRanges` merges two ranges into the earlier start and the later end when they overlap", () => {
  const ranges = new LetGoRanges();
  // A window from -Infinity (its silence before a clock's step) after one that ends later.
  ranges.add({ from: 100, to: 900, count: 1 });
  ranges.add({ from: -Infinity, to: 500, count: 2 });
  for (let n = 0; n < 15; n++) ranges.add({ from: 1000 + n, to: 1000 + n, count: 1 });
  assert.deepEqual(ranges.ranges[0], { from: -Infinity, to: 900, count: 3 });
});

Deno.test("`LetGoRanges.oldestEndingAtOrAfter` finds the first range reaching the time", () => {
  const ranges = new LetGoRanges();
  for (const at of [100, 200, 300]) ranges.add({ from: at, to: at, count: 1 });
  assert.deepEqual(
    ranges.oldestEndingAtOrAfter(50),
    { from: 100, to: 100, count: 1 },
    "before all",
  );
  assert.deepEqual(ranges.oldestEndingAtOrAfter(200), { from: 200, to: 200, count: 1 }, "at one");
  assert.deepEqual(ranges.oldestEndingAtOrAfter(201), { from: 300, to: 300, count: 1 }, "between");
  assert.equal(ranges.oldestEndingAtOrAfter(301), undefined, "after all");
});

Deno.test("`LetGoRanges.newestHolding` finds the newest range holding the time, its ends included", () => {
  const ranges = new LetGoRanges();
  ranges.add({ from: 100, to: 200, count: 1 });
  ranges.add({ from: 200, to: 300, count: 1 }); // touches the one before at its end
  ranges.add({ from: 500, to: 600, count: 1 });
  assert.deepEqual(ranges.newestHolding(100), { from: 100, to: 200, count: 1 });
  assert.deepEqual(ranges.newestHolding(200), { from: 200, to: 300, count: 1 }, "the newer");
  assert.deepEqual(ranges.newestHolding(600), { from: 500, to: 600, count: 1 });
  assert.equal(ranges.newestHolding(400), undefined, "a gap");
  assert.equal(ranges.newestHolding(99), undefined, "before all");
  assert.equal(ranges.newestHolding(601), undefined, "after all");
});

Deno.test("`LetGoRanges.takeOne`, emptied kept: one per item, then none, the range still found", () => {
  const ranges = new LetGoRanges({ emptied: "kept" });
  ranges.add({ from: 100, to: 100, count: 0 }); // a spell that answered a turn already
  ranges.add({ from: 200, to: 300, count: 2 });
  assert.equal(ranges.takeOne(ranges.oldestEndingAtOrAfter(100)!), false, "none to take");
  const range = ranges.oldestEndingAtOrAfter(250)!;
  assert.equal(ranges.takeOne(range), true);
  assert.equal(ranges.takeOne(range), true);
  assert.equal(ranges.takeOne(range), false, "all taken");
  assert.deepEqual(ranges.oldestEndingAtOrAfter(250), { from: 200, to: 300, count: 0 });
  assert.deepEqual(ranges.ranges, [
    { from: 100, to: 100, count: 0 },
    { from: 200, to: 300, count: 0 },
  ]);
});

Deno.test("`LetGoRanges.takeOne`, emptied dropped: one per item, the range forgotten once empty", () => {
  const ranges = new LetGoRanges({ emptied: "dropped" });
  ranges.add({ from: 100, to: 300, count: 1 });
  ranges.add({ from: 200, to: 400, count: 2 });
  assert.equal(ranges.takeOne(ranges.newestHolding(250)!), true);
  assert.deepEqual(ranges.newestHolding(250), { from: 200, to: 400, count: 1 });
  assert.equal(ranges.takeOne(ranges.newestHolding(250)!), true);
  assert.deepEqual(ranges.newestHolding(250), { from: 100, to: 300, count: 1 }, "the older now");
  assert.equal(ranges.takeOne(ranges.newestHolding(250)!), true);
  assert.equal(ranges.newestHolding(250), undefined);
  assert.deepEqual(ranges.ranges, []);
});

Deno.test("`LetGoRanges.takeOne` of a range no longer kept takes nothing", () => {
  const ranges = new LetGoRanges();
  ranges.add({ from: 100, to: 200, count: 1 });
  const range = ranges.newestHolding(150)!;
  ranges.forgetEndingAfter(150);
  assert.equal(ranges.takeOne(range), false);
  assert.deepEqual(range, { from: 100, to: 200, count: 1 });
});

Deno.test("`LetGoRanges.forgetEndingAfter` forgets the ranges ending after a clock's step back", () => {
  const ranges = new LetGoRanges();
  ranges.add({ from: 100, to: 200, count: 1 });
  ranges.add({ from: 300, to: 400, count: 1 });
  ranges.add({ from: 500, to: 600, count: 1 }); // from before the step: reads as later
  ranges.add({ from: 50, to: 450, count: 1 }); // spans the step's time
  ranges.forgetEndingAfter(400);
  assert.deepEqual(ranges.ranges, [
    { from: 100, to: 200, count: 1 },
    { from: 300, to: 400, count: 1 }, // ending at the step's time: kept
  ]);
  assert.equal(ranges.newestHolding(550), undefined);
  assert.equal(ranges.oldestEndingAtOrAfter(401), undefined);
});
