// The bot's own words in a call's ending, as the report carries them (src/simulator/
// _ending_words.ts). A close reason went into the ending's detail as it came: a newline in it
// split the text report's first line in two, an ESC sequence reached the terminal. An `info` was
// quoted with JSON.stringify, which leaves C1 controls (U+009B is a CSI) as they are, and cut at
// 200 UTF-16 code units, through an emoji's surrogate pair: half a character, printed as U+FFFD.
// The bots: one that closes each connection with a code and reason (tests/simulator/
// _closing_bot.ts, RFC 6455 §5.5.1: a close frame's body is the code, then a UTF-8 reason), and a
// Genesys AudioHook server (tests/simulator/_audiohook_bot.ts) whose `disconnect` carries an
// `info` string (purecloudlabs/audiohook-reference-implementation, protocol/message.ts
// `DisconnectParameters`).
import assert from "node:assert/strict";
import {
  aggregateReports,
  formatReport,
  simulateCall,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { callAudioHookBot } from "./_audiohook_bot.ts";
import { serveClosingBot } from "./_closing_bot.ts";

/** A raw-PCM call to a bot that closes it at once with 1011 and `reason`. */
async function closedWith(reason: string) {
  const bot = serveClosingBot(1011, reason);
  try {
    return await simulateCall(`ws://127.0.0.1:${bot.port}/`, {
      protocol: "raw",
      audio: syntheticCaller({ utterancesMs: [300], pauseMs: 300 }),
    });
  } finally {
    await bot.close();
  }
}

Deno.test("a close reason's control characters are escaped in the ending's detail, one line in the text report", async () => {
  const reason = "crashed\n\x1b[2Jat handler.ts:12";
  const report = await closedWith(reason);
  assert.equal(report.ended.reason, reason, "the reason as the bot sent it");
  assert.equal(
    report.ended.detail,
    "the bot closed the WebSocket (1011 crashed\\u000a\\u001b[2Jat handler.ts:12)",
  );
  const lines = formatReport(report).split("\n");
  assert.match(lines[0]!, /: ended by bot at \d+\.\d\d s \(the bot closed the WebSocket \(1011 /);
  assert.deepEqual(lines.slice(1, 3), [
    "  result           FAILED",
    "    ending: the bot closed the WebSocket (1011 crashed\\u000a\\u001b[2Jat handler.ts:12)",
  ]);
  assert.match(lines[3]!, /^ {2}connect /);
  // Grouped in an aggregate by the code, without the words, escaped or not.
  const other = await closedWith("other\x1b[0m");
  assert.deepEqual(aggregateReports([report, other]).verdict.failures, [{
    reason: "ending",
    by: "bot",
    detail: "the bot closed the WebSocket (1011) (in words of the bot's own that vary by call)",
    calls: 2,
  }]);
});

Deno.test("a Genesys disconnect's info is cut at 200 characters between characters, its C1 controls escaped", async () => {
  const info = "\u009b" + "a".repeat(197) + "\u{1f600}" + "b".repeat(50);
  const { report } = await callAudioHookBot({
    disconnectAfterMs: 1000,
    disconnect: { reason: "error", info },
    onClose: "closed",
  });
  const kept = "\u009b" + "a".repeat(197) + "…";
  assert.equal(report.ended.info, kept, "the emoji, cut in two at the bound, is left out whole");
  assert.equal(report.ended.info!.isWellFormed(), true);
  assert.equal(report.ended.detail, `disconnect (error): "\\u009b${"a".repeat(197)}…"`);
  assert.deepEqual(
    aggregateReports([report, report]).verdict.failures[0]!.detail,
    report.ended.detail,
  );
});
