/**
 * The `--wait-for-bot` gate (`CallVerdictOptions.waitForBot`): whether the bot never ended a call
 * whose hang-up was left to it, said as a reason it failed. Internal to `call_verdict.ts`, the one
 * place that decides whether a call passed.
 *
 * @module
 */

import type { CallReport } from "./report.ts";

/**
 * Why `report` fails `--wait-for-bot`: it reached its `--max-duration` (`maxDurationMs`; the
 * ending `timeout`). With `--wait-for-bot` the caller never hangs up, so the call was the bot's
 * to end, and a bot that let it run to the bound did not end it: what the flag waits for never
 * came, and passing it would pass a bot that never hangs up, 300 s later. `null` otherwise.
 */
export function botNeverEnded(report: CallReport, maxDurationMs: number): string | null {
  if (report.ended.by !== "timeout") return null;
  return `the call reached --max-duration ${maxDurationMs} without the bot ending it ` +
    `(--wait-for-bot leaves the hang-up to the bot)`;
}
