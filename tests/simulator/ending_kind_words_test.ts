// The text report printed a call's `ended.by` bare after "ended by": "ended by aborted" for a
// call Ctrl-C cut short, "ended by error" (which reads "by mistake"), and the aggregate "1 by
// aborted", "2 × ending (by error)". Each kind now reads as English wherever the text prints one
// (src/simulator/_ending_words.ts ENDED_BY_WORDS); the JSON keeps its `by` as it was. One call
// over in-memory sockets on a FakeClock, whose raw far end hangs up as it opens; its report
// given each kind of ending in turn (the text is the report's alone).
import assert from "node:assert/strict";
import {
  aggregateReports,
  type CallReport,
  formatReport,
  simulateCall,
} from "../../src/simulator/mod.ts";
import type { CallEndedBy } from "../../src/simulator/report.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { rawOpenedAs } from "./_raw_far_end.ts";

/** A call whose far end (raw) hangs up as it opens, at 0. */
async function hungUpAtOnce(): Promise<CallReport> {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const protocol = rawOpenedAs((context) => context.endCall("caller", "as the test asked"));
  const call = simulateCall("ws://bot.invalid/", {
    protocol,
    clock,
    connect: () => pair.client,
  });
  await clock.tick(20_000);
  return await call;
}

/** That call's report, ended `by` whom. */
async function endedBy(by: CallEndedBy): Promise<CallReport> {
  const report = await hungUpAtOnce();
  return { ...report, ended: { ...report.ended, by } };
}

Deno.test("a call's header says how it ended in English, the JSON's `by` unchanged", async () => {
  const expected: [CallEndedBy, string][] = [
    ["caller", "ended by caller"],
    ["bot", "ended by bot"],
    ["network", "ended by the network"],
    ["timeout", "ended by timeout"],
    ["error", "ended by an error"],
    ["aborted", "aborted"],
  ];
  for (const [by, words] of expected) {
    const report = await endedBy(by);
    assert.equal(report.ended.by, by);
    assert.equal(
      formatReport(report).split("\n")[0],
      `raw call to ws://bot.invalid/: ${words} at 0.00 s (as the test asked)`,
    );
  }
});

Deno.test("an aggregate's header and failure lines say how its calls ended in English", async () => {
  const reports = [await endedBy("caller"), await endedBy("aborted"), await endedBy("error")];
  const lines = formatReport(aggregateReports(reports)).split("\n");
  assert.equal(lines[0], "3 calls (raw): 1 ended by caller, 1 aborted, 1 ended by an error");
  assert.ok(
    lines.includes("    1 × ending (by an error): as the test asked"),
    lines.join("\n"),
  );
  assert.doesNotMatch(lines.join("\n"), /by aborted|by error/);
});
