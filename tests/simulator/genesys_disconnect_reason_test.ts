// A Genesys bot's `disconnect` says why it ends the session: `reason` is one of `completed`,
// `unauthorized` and `error`, with an optional `info` (Genesys's AudioHook reference
// implementation, purecloudlabs/audiohook-reference-implementation: protocol/message.ts
// `DisconnectReason` and `DisconnectParameters`; protocol/validators.ts `isDisconnectReason`,
// which refuses any other). A bot that disconnects with `error` or `unauthorized` reports its own
// failure: the call used to end "by bot" like a completed one, and the CLI exited 0 for it. Its
// `info` says why in the bot's words ("no usable media"): the ending's detail ends with it.
import assert from "node:assert/strict";
import { failedEnding } from "../../src/simulator/_failed_ending.ts";
import { aggregateReports, judgeCall } from "../../src/simulator/mod.ts";
import { callAudioHookBot } from "./_audiohook_bot.ts";

for (const reason of ["error", "unauthorized"]) {
  Deno.test(`simulateCall as genesys fails a call the bot disconnects with reason ${reason}, saying its info`, async () => {
    const { report } = await callAudioHookBot({
      disconnectAfterMs: 1000,
      disconnect: { reason, info: "no usable media" },
      onClose: "closed",
    });
    // The info is why the call failed, in the bot's words: it was dropped from the ending.
    assert.deepEqual(report.ended, {
      by: "bot",
      atMs: 1000,
      detail: `disconnect (${reason}): "no usable media"`,
      failed: true,
      info: "no usable media",
    });
    assert.equal(failedEnding(report.ended), true, "the CLI exits 1");
    assert.deepEqual(report.violations, [], "no rule broken: the bot said it failed");
    assert.deepEqual(judgeCall(report).failures, [
      { reason: "ending", detail: `disconnect (${reason}): "no usable media"` },
    ]);
    assert.deepEqual(aggregateReports([report, report]).verdict.failures, [
      {
        reason: "ending",
        by: "bot",
        detail: `disconnect (${reason}): "no usable media"`,
        calls: 2,
      },
    ]);
  });
}

Deno.test("an aggregate groups Genesys calls failed with varying info by their reason, not by the info", async () => {
  const calls = await Promise.all(["session 1: no usable media", "session 2: no usable media"].map(
    (info) =>
      callAudioHookBot({
        disconnectAfterMs: 1000,
        disconnect: { reason: "error", info },
        onClose: "closed",
      }),
  ));
  const total = aggregateReports(calls.map((c) => c.report));
  assert.deepEqual(total.verdict, {
    passed: false,
    failedCalls: 2,
    failures: [{
      reason: "ending",
      by: "bot",
      detail: "disconnect (error) (in words of the bot's own that vary by call)",
      calls: 2,
    }],
  });
});

Deno.test("simulateCall as genesys passes a call the bot disconnects with reason completed", async () => {
  const { report } = await callAudioHookBot({
    disconnectAfterMs: 1000,
    disconnect: { reason: "completed" },
    onClose: "closed",
  });
  assert.deepEqual(report.ended, { by: "bot", atMs: 1000, detail: "disconnect (completed)" });
  assert.equal(failedEnding(report.ended), false);
  assert.deepEqual(report.violations, []);
});

Deno.test("simulateCall as genesys reports a disconnect whose reason is none of the protocol's", async () => {
  for (const disconnect of [{}, { reason: "done" }]) {
    const { report } = await callAudioHookBot({
      disconnectAfterMs: 1000,
      disconnect,
      onClose: "closed",
    });
    assert.equal(report.ended.by, "bot");
    assert.equal(report.ended.detail, "disconnect (no valid reason)");
    assert.deepEqual(report.violations.map((v) => [v.rule, v.count]), [
      ["genesys.disconnect-reason", 1],
    ]);
  }
});

// `isDisconnectParameters` takes an `info` only as a string (validators.ts: `info: isString`,
// message.ts `info?: string`): with any other, the reference client refuses the whole
// `disconnect` as it does an unknown reason (clientsessionimpl.ts: "Unsupported client message
// type", caught as its 500 and a close with reason `error`). It was taken as a valid one.
Deno.test("simulateCall as genesys reports a disconnect whose info is no string", async () => {
  for (const reason of ["completed", "error"]) {
    const { report } = await callAudioHookBot({
      disconnectAfterMs: 1000,
      disconnect: { reason, info: { code: 42 } },
      onClose: "closed",
    });
    assert.deepEqual(report.ended, {
      by: "bot",
      atMs: 1000,
      detail: `disconnect (${reason}, refused: its info is no string)`,
    });
    assert.deepEqual(report.violations.map((v) => [v.rule, v.detail]), [
      ["genesys.disconnect-info", `a disconnect (${reason}) whose info is no string: {"code":42}`],
    ]);
  }
});
