// A gate's reason names the setting that failed the call as its reader set it: `judgeCall`'s
// caller gave options (`requireAnswer`), the command line's user flags (`--require-answer`). The
// library's reasons named the CLI's flags, which a library user never typed. The CLI's own lines
// are checked where each flag is (cli_require_answer_test.ts, cli_max_underrun_total_test.ts,
// cli_wait_for_bot_test.ts). The call is to a silent raw-PCM bot on 127.0.0.1:0.
import assert from "node:assert/strict";
import { type CallReport, judgeCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { callSilentBot } from "./_silent_bot_call.ts";

Deno.test("`judgeCall`'s gate reasons name its options, not the CLI's flags", async () => {
  const report = await callSilentBot({
    protocol: "raw",
    audio: syntheticCaller({ utterancesMs: [300], pauseMs: 300 }),
    // Its utterance is 300–600 ms: a hang-up at 600 would leave the caller no time to hear an
    // answer, owing none (cut_short_at_hang_up_test.ts); 100 ms later one is owed.
    hangUpAtMs: 700,
  });
  assert.equal(report.utterances.length, 1, "one utterance, which the silent bot leaves");
  // What the call would have been had its caller heard underruns and had it run to its bound.
  const failing: CallReport = {
    ...report,
    ended: { by: "timeout", atMs: 600, detail: "reached maxDurationMs" },
    audio: { ...report.audio, underruns: 1, underrunMs: 300, longestUnderrunMs: 300 },
  };
  const { failures } = judgeCall(failing, {
    maxUnderrunTotalMs: 100,
    requireAnswer: true,
    waitForBot: { maxDurationMs: 600 },
  });
  assert.deepEqual(failures, [
    {
      reason: "underruns",
      detail: "the caller heard 300 ms of underruns (1 gap, the longest 300 ms), more than " +
        "maxUnderrunTotalMs (100 ms) allows",
    },
    {
      reason: "unanswered",
      detail: "the bot answered 0 of the caller's 1 utterance (#1 unanswered), and " +
        "requireAnswer wants every one answered",
    },
    {
      reason: "bot-never-ended",
      detail: "the call reached maxDurationMs (600 ms) without the bot ending it " +
        "(waitForBot leaves the hang-up to the bot)",
    },
  ]);
});
