// `judgeCall`'s gates, given by a library user (from an environment variable, a config file),
// were taken as they came: `requireAnswer: "false"` is truthy and turned the gate on; a bound of
// `null` or `""` read as 0 ms and failed a call with any underrun; `waitForBot: true` judged the
// call saying "(undefined ms)"; an empty `recordingLost` failed the call with an empty reason.
// Each is refused as `simulateCall`'s own options are (a TypeError for a switch that is no
// boolean, a RangeError for a bound that is no number). The calls are to a silent raw-PCM bot on
// 127.0.0.1 port 0 (./_silent_bot_call.ts).
import assert from "node:assert/strict";
import {
  type CallReport,
  type CallVerdictOptions,
  judgeCall,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { callSilentBot } from "./_silent_bot_call.ts";

/** A call whose one utterance the caller cut at its end, with 300 ms of underruns heard. */
async function underrunCall(): Promise<CallReport> {
  const audio = syntheticCaller({ utterancesMs: [300], pauseMs: 300 });
  const report = await callSilentBot({ protocol: "raw", audio, hangUpAtMs: 600 });
  return {
    ...report,
    audio: { ...report.audio, underruns: 1, underrunMs: 300, longestUnderrunMs: 300 },
  };
}

/** `judgeCall` with options a typed caller could not have written. */
const judgeUntyped = (report: CallReport, options: Record<string, unknown>) =>
  judgeCall(report, options as CallVerdictOptions);

Deno.test("`judgeCall` refuses requireAnswer that is no boolean", async () => {
  const report = await underrunCall();
  for (const requireAnswer of ["false", 0, 1, null]) {
    assert.throws(
      () => judgeUntyped(report, { requireAnswer }),
      (error: Error) =>
        error instanceof TypeError &&
        /^requireAnswer must be true or false, got /.test(error.message),
      JSON.stringify(requireAnswer),
    );
  }
  // A boolean is taken: false leaves the gate off, true judges it.
  assert.deepEqual(judgeCall(report, { requireAnswer: false }).failures, []);
  assert.deepEqual(
    judgeCall(report, { requireAnswer: true }).failures.map((f) => f.reason),
    ["unanswered"],
  );
});

Deno.test("`judgeCall` refuses a bound on underruns that is no number, rather than read it as 0", async () => {
  const report = await underrunCall();
  for (const [bound, got] of [[null, "null"], ["", "a string ()"], ["400", "a string (400)"]]) {
    assert.throws(
      () => judgeUntyped(report, { maxUnderrunTotalMs: bound }),
      (error: Error) =>
        error instanceof RangeError &&
        error.message === `maxUnderrunTotalMs must be a number of ms, 0 or more: got ${got}`,
      JSON.stringify(bound),
    );
  }
  assert.deepEqual(judgeCall(report, { maxUnderrunTotalMs: 300 }).failures, []);
  assert.deepEqual(
    judgeCall(report, { maxUnderrunTotalMs: 299 }).failures.map((f) => f.reason),
    ["underruns"],
  );
});

Deno.test("`judgeCall` refuses waitForBot without the call's maxDurationMs", async () => {
  const report = await underrunCall();
  const reachedBound: CallReport = {
    ...report,
    ended: { by: "timeout", atMs: 3000, detail: "the call reached maxDurationMs (3000 ms)" },
  };
  for (const waitForBot of [true, "yes", null]) {
    assert.throws(
      () => judgeUntyped(reachedBound, { waitForBot }),
      (error: Error) =>
        error instanceof TypeError && /^waitForBot must be \{ maxDurationMs \}/.test(error.message),
      JSON.stringify(waitForBot),
    );
  }
  for (const waitForBot of [{}, { maxDurationMs: "3000" }, { maxDurationMs: -1 }]) {
    assert.throws(
      () => judgeUntyped(reachedBound, { waitForBot }),
      (error: Error) =>
        error instanceof RangeError && /^waitForBot\.maxDurationMs must be/.test(error.message),
      JSON.stringify(waitForBot),
    );
  }
  assert.deepEqual(judgeCall(reachedBound, { waitForBot: { maxDurationMs: 3000 } }).failures, [{
    reason: "bot-never-ended",
    detail: "the call reached maxDurationMs (3000 ms) without the bot ending it (waitForBot " +
      "leaves the hang-up to the bot)",
  }]);
});

Deno.test("`judgeCall` refuses a recordingLost that says nothing", async () => {
  const report = await underrunCall();
  for (const recordingLost of ["", 0, true]) {
    assert.throws(
      () => judgeUntyped(report, { recordingLost }),
      (error: Error) =>
        error instanceof TypeError &&
        /^recordingLost must be a string saying why/.test(error.message),
      JSON.stringify(recordingLost),
    );
  }
  assert.deepEqual(judgeCall(report, { recordingLost: "disk full" }).failures, [
    { reason: "recording", detail: "disk full" },
  ]);
});
