// A Genesys bot's `disconnect` says why it ends the session: `reason` is one of `completed`,
// `unauthorized` and `error`, with an optional `info` (Genesys's AudioHook reference
// implementation, purecloudlabs/audiohook-reference-implementation: protocol/message.ts
// `DisconnectReason` and `DisconnectParameters`; protocol/validators.ts `isDisconnectReason`,
// which refuses any other). A bot that disconnects with `error` or `unauthorized` reports its own
// failure: the call used to end "by bot" like a completed one, and the CLI exited 0 for it.
import assert from "node:assert/strict";
import { failedEnding } from "../../src/simulator/_failed_ending.ts";
import { aggregateReports } from "../../src/simulator/mod.ts";
import { callAudioHookBot } from "./_audiohook_bot.ts";

for (const reason of ["error", "unauthorized"]) {
  Deno.test(`simulateCall as genesys fails a call the bot disconnects with reason ${reason}`, async () => {
    const { report } = await callAudioHookBot({
      disconnectAfterMs: 1000,
      disconnect: { reason, info: "no usable media" },
      onClose: "closed",
    });
    assert.deepEqual(report.ended, {
      by: "bot",
      atMs: 1000,
      detail: `disconnect (${reason})`,
      failed: true,
    });
    assert.equal(failedEnding(report.ended), true, "the CLI exits 1");
    assert.deepEqual(report.violations, [], "no rule broken: the bot said it failed");
    assert.deepEqual(aggregateReports([report]).failures, [
      { by: "bot", detail: `disconnect (${reason})`, calls: 1 },
    ]);
  });
}

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
