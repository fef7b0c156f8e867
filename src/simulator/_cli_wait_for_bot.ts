/**
 * The command line's `--wait-for-bot`: which calls the bot never ended, said for stderr.
 * Internal to `cli.ts`.
 *
 * @module
 */

import type { CallReport } from "./report.ts";

/**
 * A line for each call of `reports` that reached its `--max-duration` (the ending `timeout`):
 * with `--wait-for-bot` the caller never hangs up, so the call was the bot's to end, and a bot
 * that let it run to the bound did not end it. Such a call fails: what `--wait-for-bot` waits for
 * never came, and passing it would pass a bot that never hangs up, 300 s later.
 */
export function callsTheBotNeverEnded(
  reports: readonly CallReport[],
  maxDurationMs: number,
): string[] {
  return reports.flatMap((report, i) => {
    if (report.ended.by !== "timeout") return [];
    const call = reports.length === 1 ? "" : `call ${i + 1} of ${reports.length}: `;
    return [
      `${call}the call reached --max-duration ${maxDurationMs} without the bot ending it ` +
      `(--wait-for-bot leaves the hang-up to the bot)`,
    ];
  });
}
