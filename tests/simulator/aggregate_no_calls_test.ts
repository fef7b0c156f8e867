// An aggregate of no calls (a library caller's empty list of reports; the CLI refuses
// `--calls 0`) had `verdict.passed` false while its text report's result line said "0 passed":
// the two disagreed on what a CI gate should read. No call is no pass: both say FAILED, and the
// verdict says why (`no-calls`), as every failed verdict does.
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

Deno.test("an aggregate of no calls says why it failed: no-calls, its own reason", () => {
  const { verdict } = aggregateReports([]);
  // A failed verdict with no reason left a gate reading `failures` with nothing to say; the
  // reason is the aggregate's own (AggregateFailureReason), never a call's.
  assert.deepEqual(verdict, {
    passed: false,
    failedCalls: 0,
    failures: [{
      reason: "no-calls",
      detail: "no call ran: a run that tested nothing passes no gate",
      calls: 0,
    }],
  });
  // Each aggregate has its own: one changed leaves the next as it was.
  verdict.failures[0]!.detail = "changed";
  assert.notEqual(aggregateReports([]).verdict.failures[0]!.detail, "changed");
});
