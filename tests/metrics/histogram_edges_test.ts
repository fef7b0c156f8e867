// `DurationHistogram` (src/metrics/_histogram.ts) behind `SessionMetrics`' percentiles, which the
// README promises "exact to 1 %; the maximum exact" over the whole session: at its edges — none,
// one, values below zero or no number, bucket boundaries, and durations far longer than a turn.
import assert from "node:assert/strict";
import { DurationHistogram } from "../../src/metrics/_histogram.ts";

/** Whether `value` is within 1 % of `truth`. */
function near(value: number | null, truth: number): boolean {
  return value !== null && Math.abs(value - truth) <= truth * 0.01;
}

Deno.test("`DurationHistogram`: none measured is null, one gives itself back", () => {
  const empty = new DurationHistogram();
  assert.deepEqual(empty.summary(), { count: 0, last: null, p50: null, p95: null, max: null });
  const one = new DurationHistogram();
  one.record(123.456);
  assert.deepEqual(one.summary(), {
    count: 1,
    last: 123.456,
    p50: 123.456,
    p95: 123.456,
    max: 123.456,
  });
});

Deno.test("`DurationHistogram`: a duration below zero, or NaN, counts as 0", () => {
  const histogram = new DurationHistogram();
  histogram.record(-5);
  histogram.record(NaN);
  assert.deepEqual(histogram.summary(), { count: 2, last: 0, p50: 0, p95: 0, max: 0 });
});

Deno.test("`DurationHistogram`: percentiles within 1 % at every bucket boundary", () => {
  for (let ms = 0.1; ms < 1e8; ms *= 1.02) {
    const histogram = new DurationHistogram();
    histogram.record(1); // the percentiles fall on `ms`, not clamped to it as the smallest
    for (let i = 0; i < 40; i++) histogram.record(ms);
    histogram.record(2e8);
    assert.ok(near(histogram.quantile(0.5), ms), `p50 of ${ms}: ${histogram.quantile(0.5)}`);
  }
});

Deno.test("`DurationHistogram`: durations far longer than a turn (a caller on hold) stay within 1 %", () => {
  // Two turns: one answered at once, one after twenty minutes on hold.
  const histogram = new DurationHistogram();
  histogram.record(500);
  histogram.record(20 * 60_000);
  assert.ok(near(histogram.quantile(0.95), 20 * 60_000), `p95 ${histogram.quantile(0.95)}`);
  // Ten hours, in a session of a day: still to 1 %.
  const long = new DurationHistogram();
  for (const ms of [1000, 36e6, 36e6]) long.record(ms);
  long.record(72e6);
  assert.ok(near(long.quantile(0.5), 36e6), `p50 ${long.quantile(0.5)}`);
  assert.equal(long.summary().max, 72e6);
});
