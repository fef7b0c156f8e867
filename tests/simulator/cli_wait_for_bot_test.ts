// `--wait-for-bot` leaves the hang-up to the bot ("never hang up: wait for the bot to end the
// call"). Against a bot that never ends the call, the call ran to --max-duration (300 s by
// default) and the CLI exited 0: what the flag waits for never came, and a bot that never hangs up
// passed. Now such a call fails (exit 1), a line on stderr saying it reached --max-duration
// without the bot ending it; the report's ending already says the call reached --max-duration
// (named by the flag the user typed: it named the library's option, maxDurationMs, right above
// the flag-named line). The line names the bound's unit, as the ending does: "--max-duration 800"
// left the reader to guess what 800 counts.
// Each run is a subprocess of `deno run src/simulator/cli.ts`, as users run it, against a raw-PCM
// bot on 127.0.0.1:0 that takes the call and says nothing.
import assert from "node:assert/strict";
import { runCli as simulate } from "./_cli.ts";
import { serveSilentBot } from "./_silent_server.ts";

Deno.test("the simulate CLI with --wait-for-bot fails a call the bot never ended (it reached --max-duration)", async () => {
  const bot = serveSilentBot();
  try {
    const run = await simulate([
      ...["-q", "--json", "-p", "raw", "--wait-for-bot", "--max-duration", "800"],
      bot.url,
    ]);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(
      [report.ended.by, report.ended.detail],
      ["timeout", "the call reached --max-duration (800 ms)"],
    );
    assert.deepEqual(report.violations, []);
    assert.equal(run.code, 1, "the bot never ended the call: the run fails");
    assert.equal(
      run.stderr,
      "simulate: the call reached --max-duration (800 ms) without the bot ending it (--wait-for-bot " +
        "leaves the hang-up to the bot)\n",
    );
  } finally {
    await bot.close();
  }
});
