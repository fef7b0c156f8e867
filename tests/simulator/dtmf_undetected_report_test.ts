// A keypress a far end does not send because the platform, as set up, detects no keys
// (ConversationRelay's `dtmfDetection` off: far_end.ts `sendDtmf` answers "undetected") was
// counted as one its protocol cannot carry, worded "1 not carried by conversationrelay": the
// protocol blamed where the cause is a setting. The report counts it apart (`dtmf.undetected`,
// "not detected (dtmfDetection off)" on ConversationRelay), and `dtmf.unsupported` keeps its
// meaning. The report named ConversationRelay's `dtmfDetection` for any protocol's undetected key,
// a far end of the user's own (or raw, which has no such setting) included: it says "key
// detection off" there. A whole call on the raw far end (which carries no keys), taught to answer
// "undetected"; in-memory sockets, a FakeClock.
import assert from "node:assert/strict";
import { type CallReport, formatReport } from "../../src/simulator/mod.ts";
import type { FarEndFactory } from "../../src/simulator/far_end.ts";
import { callPressingFive } from "./_keypress_call.ts";
import { rawChangedOnOpen } from "./_raw_far_end.ts";

/** A call on `protocol` pressing 5 at 200 ms, hung up at 1 s: its report. */
const pressFive = async (protocol: FarEndFactory): Promise<CallReport> =>
  (await callPressingFive({ protocol })).report;

const dtmfLine = (report: CallReport) =>
  formatReport(report).split("\n").find((line) => /^\s*dtmf\b/.test(line)) ?? "";

Deno.test("a key the platform was set not to detect is counted as undetected, not as not carried", async () => {
  const report = await pressFive(rawChangedOnOpen((farEnd) => {
    farEnd.sendDtmf = () => "undetected";
  }));
  assert.deepEqual(report.dtmf, { sent: 0, unsupported: 0, undetected: 1, afterEnd: 0 });
  const line = dtmfLine(report);
  assert.match(line, /0 sent · 1 not detected \(key detection off\)$/);
  assert.doesNotMatch(line, /not carried|dtmfDetection/, "raw has no dtmfDetection to name");
});

Deno.test("a key the protocol cannot carry is still counted as not carried", async () => {
  const report = await pressFive(rawChangedOnOpen(() => {}));
  assert.deepEqual(report.dtmf, { sent: 0, unsupported: 1, undetected: 0, afterEnd: 0 });
  assert.match(dtmfLine(report), /0 sent · 1 not carried by raw$/);
});
