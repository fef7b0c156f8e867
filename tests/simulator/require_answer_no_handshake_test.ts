// `requireAnswer` (`--require-answer`) on a call whose platform handshake the bot never completed
// said "the caller said no utterance (none louder than --speech-threshold …)", as though the
// caller's audio were silent: the caller never began, because the bot never answered the
// platform's opening. The reason now names that cause, for Genesys (whose client waits 5 s for
// `opened`, then hangs up: developer.genesys.cloud "AudioHook protocol", the open transaction)
// and for any far end whose `ready()` never came; and the report says it (`handshakeMs` `null`,
// and on the text report's connect line).
// A bot that accepts the WebSocket and says nothing, on 127.0.0.1 port 0, bot and simulator on
// one FakeClock (./_silent_bot_call.ts).
import assert from "node:assert/strict";
import { formatReport } from "../../src/simulator/mod.ts";
import { FLAG_NAMES } from "../../src/simulator/_gate_names.ts";
import { judgeCallNaming } from "../../src/simulator/_judge_call.ts";
import { callSilentBot, twoUtterances } from "./_silent_bot_call.ts";
import { neverReady } from "./_never_ready_far_end.ts";

/** The reason --require-answer gives, as the CLI names its flags. */
function unanswered(report: Parameters<typeof judgeCallNaming>[0]): string | undefined {
  return judgeCallNaming(report, { requireAnswer: true }, FLAG_NAMES).failures
    .find((f) => f.reason === "unanswered")?.detail;
}

Deno.test("--require-answer names a Genesys handshake that never opened as why the caller said nothing", async () => {
  const report = await callSilentBot({ protocol: "genesys", audio: twoUtterances() }, FLAG_NAMES);
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.equal(report.ended.atMs, 5000);
  assert.equal(report.handshakeMs, null);
  assert.ok(report.connectMs !== null);
  assert.equal(report.leftUnsaid, null, "not the caller's schedule: the bot's handshake");
  assert.equal(
    unanswered(report),
    "the caller said no utterance (the genesys handshake never completed, so the caller never " +
      `began: the call ended at 5.00 s (Genesys hung up: no "opened" within 5000 ms)): with ` +
      "nothing to answer the call checked " +
      "nothing, and --require-answer passes no call that checked nothing",
  );
  assert.match(
    formatReport(report),
    /\n {2}connect {10}\d+ ms · the genesys handshake never completed: the caller never spoke\n/,
  );
});

Deno.test("--require-answer names any far end's handshake that never completed alike", async () => {
  const report = await callSilentBot(
    { protocol: neverReady, audio: twoUtterances(), maxDurationMs: 2000 },
    FLAG_NAMES,
  );
  assert.equal(report.ended.by, "timeout");
  assert.equal(report.handshakeMs, null);
  assert.equal(report.leftUnsaid, null, "the bound cut the bot's handshake short, not the audio");
  assert.match(
    unanswered(report) ?? "",
    /^the caller said no utterance \(the handshaking handshake never completed, so the caller never began: the call ended at 2\.00 s \(the call reached --max-duration \(2000 ms\)\)\)/,
  );
});

Deno.test("a platform that waits for no answer has its handshake at once", async () => {
  const report = await callSilentBot({ protocol: "twilio", audio: twoUtterances() });
  assert.equal(report.handshakeMs, 0);
  assert.doesNotMatch(formatReport(report), /handshake never completed/);
});
