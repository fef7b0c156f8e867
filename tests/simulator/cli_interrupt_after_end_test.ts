// Ctrl-C that comes after every call has ended cuts nothing short: the caller hung up, its
// report is whole, and only the wait for the bot's close (2 s, not shortened by Ctrl-C) is left.
// The CLI exited 130 there although every verdict passed; the status is the verdicts' now, and
// 130 stays for a call Ctrl-C cut short (cli_usage_test.ts). The bot completes the handshake and
// never answers the caller's close (RFC 6455 §5.5.1 asks it to), so the CLI is still waiting
// when the test, told by the bot that the caller's close came, presses Ctrl-C.
import assert from "node:assert/strict";
import { runCliInterrupted } from "./_cli.ts";
import { serveDeafBot } from "./_deaf_bot.ts";

Deno.test("the simulate CLI interrupted (SIGINT) after every call ended exits with the verdict's status, not 130", async () => {
  const bot = serveDeafBot();
  try {
    const r = await runCliInterrupted(
      ["-q", "--json", "-p", "raw", "--hang-up-at", "200", bot.url],
      bot.closeReceived,
    );
    const report = JSON.parse(r.stdout);
    assert.equal(report.ended.by, "caller", "the call had ended before Ctrl-C");
    assert.deepEqual(report.verdict, { passed: true, failures: [] });
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await bot.close();
  }
});
