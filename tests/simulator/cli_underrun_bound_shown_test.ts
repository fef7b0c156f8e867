// `--max-underrun-total MS`'s line on stderr says what the caller heard beside the bound it broke.
// Shown to a tenth of a millisecond, a total just over the bound read as the bound itself ("heard
// 40 ms of underruns …, more than --max-underrun-total 40 allows"): whoever reads it cannot tell
// why the run failed. The gaps are whole samples at the far end's rate (at 24 kHz a sample is
// 0.041666… ms), so such totals are what a caller hears. The bound names its unit too: "more than
// --max-underrun-total 40 allows" left the reader to guess what 40 counts.
import assert from "node:assert/strict";
import { FLAG_NAMES } from "../../src/simulator/_gate_names.ts";
import { underrunsOverBound as judged } from "../../src/simulator/_underrun_gate.ts";
import type { CallReport } from "../../src/simulator/report.ts";

/** The gate as the CLI asks it: its line names the flag. */
const underrunsOverBound = (report: CallReport, boundMs: number) =>
  judged(report, boundMs, FLAG_NAMES);

/** A call report with only the playout figures the bound reads. */
function heard(underrunMs: number, underruns = 1, longestUnderrunMs = underrunMs): CallReport {
  return { audio: { underruns, underrunMs, longestUnderrunMs } } as unknown as CallReport;
}

Deno.test("--max-underrun-total: a total just over the bound is shown over it, never as the bound", () => {
  // 961 samples at 24 kHz: 40.041666… ms, shown "40 ms" before.
  const total = (961 * 1000) / 24000;
  assert.equal(
    underrunsOverBound(heard(total), 40),
    "the caller heard 40.04 ms of underruns (1 gap, the longest 40.04 ms), more than " +
      "--max-underrun-total (40 ms) allows",
  );
  // Over a fractional bound by less than a hundredth: as many digits as it takes.
  assert.equal(
    underrunsOverBound(heard(40.5004, 2, 30), 40.5),
    "the caller heard 40.5004 ms of underruns (2 gaps, the longest 30 ms), more than " +
      "--max-underrun-total (40.5 ms) allows",
  );
  // Clearly over: a tenth, as before.
  assert.equal(
    underrunsOverBound(heard(300.04), 50),
    "the caller heard 300 ms of underruns (1 gap, the longest 300 ms), more than " +
      "--max-underrun-total (50 ms) allows",
  );
  assert.equal(underrunsOverBound(heard(40), 40), null, "at the bound is within it");
});

Deno.test("--max-underrun-total: a caller who heard the bound exactly keeps within it, however the gaps add up", () => {
  // Five gaps at 24 kHz, 21,336 samples: 889 ms heard, summed as the playout buffer sums them
  // (each gap's samples × 1000 / rate, added one by one): 889.0000000000001. Failed a bound of 889.
  const gaps = [37, 11311, 8516, 54, 1418];
  const total = gaps.reduce((sum, samples) => sum + (samples * 1000) / 24000, 0);
  assert.equal(gaps.reduce((a, b) => a + b) * 1000 / 24000, 889);
  assert.equal(underrunsOverBound(heard(total, gaps.length), 889), null);
  assert.notEqual(underrunsOverBound(heard(total, gaps.length), 888.99), null);
});
