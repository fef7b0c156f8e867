/**
 * The `--wait-for-bot` gate (`CallVerdictOptions.waitForBot`): whether the bot never ended a call
 * whose hang-up was left to it, said as a reason it failed. Internal to `_judge_call.ts`, behind
 * `judgeCall`: the one place that decides whether a call passed.
 *
 * @module
 */

import type { GateNames } from "./_gate_names.ts";
import type { CallReport } from "./report.ts";

/**
 * Why `report` fails `--wait-for-bot`: it reached its `--max-duration` (`maxDurationMs`; the
 * ending `timeout`). With `--wait-for-bot` the caller never hangs up, so the call was the bot's
 * to end, and a bot that let it run to the bound did not end it: what the flag waits for never
 * came, and passing it would pass a bot that never hangs up, 300 s later. `null` otherwise. The
 * reason names the settings as `names` do (the options, or the CLI's flags).
 */
export function botNeverEnded(
  report: CallReport,
  maxDurationMs: number,
  names: GateNames,
): string | null {
  if (report.ended.by !== "timeout") return null;
  return `the call reached ${names.maxDuration} (${maxDurationMs} ms) without the bot ending it ` +
    `(${names.waitForBot} leaves the hang-up to the bot)`;
}
