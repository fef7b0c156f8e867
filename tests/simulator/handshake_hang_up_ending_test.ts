// A platform that hangs up because the bot never completed its opening handshake (Genesys: no
// `opened` within 5 s of its `open`, developer.genesys.cloud "AudioHook protocol", the open
// transaction; a far end whose `ready()` never came: 15 s) ended the call as "caller" with no word
// of why: `ended.brokenRule` was absent, so the report's first line read "ended by caller" as
// though the caller had chosen to hang up, while the platform's hang-ups on other rules the bot
// broke (Asterisk's oversized message) named the rule. Now the ending names it alike
// (`genesys.open-timeout`, `<protocol>.no-handshake`). Before the handshake the caller never
// began, so nothing of its audio is the bot's `notReached` (as nothing is `leftUnsaid`), whoever
// ended the call: `handshakeMs` `null` says it, and `--require-answer` gives it as the reason.
// Bots on 127.0.0.1 port 0: a silent one on a FakeClock shared with the simulator
// (./_silent_bot_call.ts), and one that closes every socket at once (./_closing_bot.ts).
import assert from "node:assert/strict";
import { formatReport, judgeCall, simulateCall } from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { serveClosingBot } from "./_closing_bot.ts";
import { neverReady } from "./_never_ready_far_end.ts";
import { callSilentBot, twoUtterances } from "./_silent_bot_call.ts";

Deno.test("Genesys's hang-up on a missing opened names the rule the bot broke, and nothing is notReached", async () => {
  const report = await callSilentBot({ protocol: "genesys", audio: twoUtterances() });
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.equal(report.ended.atMs, 5000);
  assert.equal(report.ended.brokenRule, "genesys.open-timeout");
  assert.equal(report.ended.detail, `Genesys hung up: no "opened" within 5000 ms`);
  assert.equal(report.handshakeMs, null);
  assert.equal(report.notReached, null, "the caller never began: nothing was the bot's to reach");
  assert.equal(report.leftUnsaid, null);
  const text = formatReport(report).split("\n");
  assert.match(
    text[0]!,
    /: ended by caller \(the platform, on a rule the bot broke: genesys\.open-timeout\) at 5\.00 s \(Genesys hung up: no "opened" within 5000 ms\)$/,
  );
  assert.match(
    judgeCall(report, { requireAnswer: true }).failures.find((f) => f.reason === "unanswered")
      ?.detail ?? "",
    /^the caller said no utterance \(the genesys handshake never completed, so the caller never began: /,
  );
});

Deno.test("a far end's hang-up on a handshake never completed names <protocol>.no-handshake", async () => {
  const report = await callSilentBot({ protocol: neverReady, audio: twoUtterances() });
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.equal(report.ended.atMs, 15_000);
  assert.equal(report.ended.brokenRule, "handshaking.no-handshake");
  assert.deepEqual(report.violations.map((v) => v.rule), ["handshaking.no-handshake"]);
  assert.equal(report.notReached, null);
  assert.match(
    formatReport(report),
    /ended by caller \(the platform, on a rule the bot broke: handshaking\.no-handshake\)/,
  );
});

Deno.test("a Genesys bot that closes before its opened: the caller never began, nothing notReached", async () => {
  const bot = serveClosingBot(1000, "bye");
  try {
    const report = await simulateCall(`ws://127.0.0.1:${bot.port}/`, {
      protocol: "genesys",
      audio: twoUtterances(),
      clock: new FakeClock(),
    });
    assert.equal(report.ended.by, "bot", report.ended.detail);
    assert.equal(report.handshakeMs, null);
    assert.equal(report.notReached, null);
    assert.doesNotMatch(formatReport(report), /not reached/);
    assert.match(
      judgeCall(report, { requireAnswer: true }).failures[0]?.detail ?? "",
      /^the caller said no utterance \(the genesys handshake never completed, so the caller never began: the call ended at 0\.00 s/,
    );
  } finally {
    await bot.close();
  }
});
