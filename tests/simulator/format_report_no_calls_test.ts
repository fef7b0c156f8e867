// The text report of an aggregate of no calls (`aggregateReports([])`) gives its verdict's reason
// by the name the JSON gives it, `no-calls`, under `result  FAILED`, as every failed call's
// result lines do (`ending: …`). It printed the fixed text "FAILED: no call ran", which no one
// reading the JSON's `no-calls` could match it to, and which named no reason at all.
import assert from "node:assert/strict";
import { aggregateReports } from "../../src/simulator/aggregate_reports.ts";
import { formatReport } from "../../src/simulator/format_report.ts";

Deno.test("formatReport names an aggregate of no calls' reason as its verdict does: no-calls", () => {
  const aggregate = aggregateReports([]);
  const lines = formatReport(aggregate).split("\n");
  const at = lines.findIndex((line) => line.startsWith("  result"));
  assert.equal(lines[at], `  ${"result".padEnd(16)} FAILED`);
  const [failure] = aggregate.verdict.failures;
  assert.equal(failure?.reason, "no-calls");
  assert.equal(lines[at + 1], `    no-calls: ${failure.detail}`);
  assert.equal(lines[at + 2]?.startsWith("  connect"), true, "one reason, one line");
});
