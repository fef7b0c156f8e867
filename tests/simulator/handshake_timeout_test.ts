// A far end whose handshake the bot never completes fails the call whatever maxDurationMs is:
// cut short by the bound (violation `<protocol>.no-handshake`, ended by "timeout") or at the
// platform's own 15 s wait (the same violation, the caller hanging up). The 15 s branch recorded
// no violation, so failedEnding() and the CLI counted the call as a pass.
// Bot and simulator on one FakeClock over real sockets (tests/_lockstep.ts).
import assert from "node:assert/strict";
import { failedEnding } from "../../src/simulator/_failed_ending.ts";
import { callSilentBot } from "./_silent_bot_call.ts";
import { neverReady } from "./_never_ready_far_end.ts";

function call(maxDurationMs?: number) {
  return callSilentBot({
    protocol: neverReady,
    ...(maxDurationMs === undefined ? {} : { maxDurationMs }),
  });
}

Deno.test("a handshake that never completes fails the call within maxDurationMs", async () => {
  const report = await call(10_000);
  assert.equal(report.ended.by, "timeout");
  assert.deepEqual(report.violations.map((v) => v.rule), ["handshaking.no-handshake"]);
});

Deno.test("a handshake that never completes fails the call at the platform's 15 s wait too", async () => {
  const report = await call(); // the default maxDurationMs, 300 s: the 15 s wait runs out first
  assert.equal(report.ended.by, "caller");
  assert.equal(report.ended.atMs, 15_000);
  assert.match(report.ended.detail, /handshake did not complete in 15000 ms/);
  assert.ok(!failedEnding(report.ended), "the platform hung up: not an error ending");
  assert.deepEqual(
    report.violations.map((v) => [v.rule, v.firstAtMs]),
    [["handshaking.no-handshake", 15_000]],
    "a call that never got going does not pass",
  );
});
