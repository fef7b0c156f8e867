// Whether a call passed, and every reason it failed, decided in one place (`judgeCall`) for the
// CLI's exit status, its text report and its JSON. The single call's text report never said the
// call failed (only the aggregate did, and only for endings); an interrupted call was still held
// to the gates, which printed their lines beside exit 130; the aggregate left the notes out and
// listed every violation rule of every call. The bot here is a Genesys AudioHook server written
// from Genesys's reference implementation (tests/simulator/_audiohook_bot.ts): its `disconnect`
// with reason `error` and an `info` is the protocol's way to end a session as failed
// (purecloudlabs/audiohook-reference-implementation, protocol/message.ts `DisconnectParameters`).
import assert from "node:assert/strict";
import {
  aggregateReports,
  type CallReport,
  formatReport,
  judgeCall,
} from "../../src/simulator/mod.ts";
import { callAudioHookBot } from "./_audiohook_bot.ts";

/** A Genesys call the bot ends with `disconnect` (reason `reason`) 1 s in, never answering. */
async function disconnected(reason: string): Promise<CallReport> {
  const { report } = await callAudioHookBot({
    disconnectAfterMs: 1000,
    disconnect: { reason, info: "no usable media" },
    onClose: "closed",
  });
  return report;
}

Deno.test("the text report of one call says whether it passed, and every reason it failed", async () => {
  const report = await disconnected("error");
  assert.equal(report.utterances.length, 1);
  const verdict = judgeCall(report, { requireAnswer: true });
  assert.deepEqual(verdict, {
    passed: false,
    failures: [
      { reason: "ending", detail: 'disconnect (error): "no usable media"' },
      {
        reason: "unanswered",
        detail: "the bot answered 0 of the caller's 1 utterance (#1 unanswered), and " +
          "requireAnswer wants every one answered",
      },
    ],
  });
  const lines = formatReport({ verdict, ...report }).split("\n");
  assert.deepEqual(lines.slice(0, 4), [
    `genesys call to ${report.url}: ended by bot at 1.00 s (disconnect (error): "no usable media")`,
    "  result           FAILED",
    '    ending: disconnect (error): "no usable media"',
    "    unanswered: the bot answered 0 of the caller's 1 utterance (#1 unanswered), and " +
    "requireAnswer wants every one answered",
  ]);
  // A report without a verdict (simulateCall's own) is judged with no gates.
  assert.match(formatReport(report), /\n {2}result {11}FAILED\n {4}ending: disconnect \(error\)/);
  const passed = await disconnected("completed");
  assert.match(formatReport(passed), /\n {2}result {11}passed\n {2}connect /);
});

Deno.test("an interrupted call fails as interrupted, and is held to no gate", async () => {
  const report = await disconnected("completed");
  const interrupted: CallReport = {
    ...report,
    ended: { by: "aborted", atMs: 800, detail: "aborted by the caller's signal" },
    audio: { ...report.audio, underruns: 1, underrunMs: 300, longestUnderrunMs: 300 },
  };
  // Its one utterance unanswered and 300 ms of underruns: what a call cut short says nothing of.
  assert.deepEqual(
    judgeCall(interrupted, {
      requireAnswer: true,
      maxUnderrunTotalMs: 0,
      waitForBot: { maxDurationMs: 1000 },
    }),
    {
      passed: false,
      failures: [{
        reason: "interrupted",
        detail: "the call was cut short (aborted by the caller's signal)",
      }],
    },
  );
  // Violations it had and a recording it lost are facts of the call, gates or none.
  const broken: CallReport = {
    ...interrupted,
    violations: [{ rule: "genesys.x", count: 2, firstAtMs: 10, detail: "x" }],
  };
  assert.deepEqual(
    judgeCall(broken, { recordingLost: "--record: cannot write a.wav: denied" }).failures.map((
      f,
    ) => f.reason),
    ["interrupted", "violations", "recording"],
  );
});

Deno.test("the aggregate sums the calls' notes and lists 100 violation rules at most, counting the rest", async () => {
  const report = await disconnected("completed");
  const calls = [0, 1].map((call): CallReport => ({
    ...report,
    notes: { "genesys audio in flight at close, not played": call + 1 },
    violations: Array.from({ length: 60 }, (_, i) => ({
      rule: `custom.call-${call}-rule-${i}`,
      count: 2,
      firstAtMs: i,
      detail: `rule ${i}`,
    })),
  }));
  const total = aggregateReports(calls);
  assert.deepEqual(total.notes, { "genesys audio in flight at close, not played": 3 });
  assert.match(
    formatReport(total),
    /\n {2}notes {12}genesys audio in flight at close, not played ×3\n/,
  );
  assert.equal(total.violations.length, 101);
  assert.equal(total.violations.reduce((n, v) => n + v.count, 0), 240, "every violation counted");
  const more = total.violations.at(-1)!;
  assert.deepEqual([more.rule, more.count, more.calls], ["simulator.more-rules", 40, 1]);
  assert.match(more.detail, /past the first 100, the first custom\.call-1-rule-40: rule 40$/);
  assert.deepEqual(total.verdict, {
    passed: false,
    failedCalls: 2,
    failures: [{
      reason: "violations",
      detail: "the bot broke 60 platform rules 120 times: custom.call-0-rule-0 ×2, " +
        "custom.call-0-rule-1 ×2, custom.call-0-rule-2 ×2 and 57 more (the first call's; it " +
        "varies by call)",
      calls: 2,
    }],
  });
  assert.match(formatReport(total), /\n {2}result {11}0 passed, 2 FAILED\n {4}2 × violations: /);
});

Deno.test("the aggregate groups calls the bot closed with an error code by the code, not by its close reason's words", async () => {
  const report = await disconnected("completed");
  const closed = (reason: string): CallReport => ({
    ...report,
    ended: {
      by: "bot",
      atMs: 500,
      detail: `the bot closed the WebSocket (1011 ${reason})`,
      code: 1011,
      reason,
    },
  });
  const total = aggregateReports([closed("session 1 crashed"), closed("session 2 crashed")]);
  assert.deepEqual(total.verdict.failures, [{
    reason: "ending",
    by: "bot",
    detail: "the bot closed the WebSocket (1011) (in words of the bot's own that vary by call)",
    calls: 2,
  }]);
  // The same words in every call are told as they are.
  assert.equal(
    aggregateReports([closed("overloaded"), closed("overloaded")]).verdict.failures[0]!.detail,
    "the bot closed the WebSocket (1011 overloaded)",
  );
});
