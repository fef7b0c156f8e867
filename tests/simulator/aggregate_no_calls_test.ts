// An aggregate of no calls (a library caller's empty list of reports; the CLI refuses
// `--calls 0`) had `verdict.passed` false while its text report's result line said "0 passed":
// the two disagreed on what a CI gate should read. No call is no pass: both say FAILED.
import assert from "node:assert/strict";
import { aggregateReports, formatReport } from "../../src/simulator/mod.ts";

Deno.test("an aggregate of no calls fails, and its text report says so", () => {
  const total = aggregateReports([]);
  assert.equal(total.verdict.passed, false, "a run that tested nothing passes no gate");
  const result = formatReport(total).split("\n").find((line) => line.startsWith("  result"));
  assert.ok(result, formatReport(total));
  assert.match(result, /FAILED/);
  assert.doesNotMatch(result, /passed/);
});
