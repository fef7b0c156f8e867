/**
 * The command line's `--require-answer`: which calls left an utterance of the caller's
 * unanswered, said for stderr. Internal to `cli.ts`.
 *
 * @module
 */

import type { CallReport } from "./report.ts";

/**
 * A line for each call of `reports` in which the bot left an utterance of the caller's
 * unanswered (the report's `responses N/M answered` with N < M), none when every call answered
 * every one. A call whose caller said nothing has nothing to answer: it passes. At speed
 * `Infinity` no answer is measured (report.ts): the command line refuses `--require-answer`
 * there, so such a report never reaches here.
 */
export function unansweredCalls(reports: readonly CallReport[]): string[] {
  return reports.flatMap((report, i) => {
    const unanswered = report.utterances.flatMap((u, n) =>
      u.latencyMs === null ? [`#${n + 1}`] : []
    );
    if (unanswered.length === 0) return [];
    const call = reports.length === 1 ? "" : `call ${i + 1} of ${reports.length}: `;
    const total = report.utterances.length;
    return [
      `${call}the bot answered ${total - unanswered.length} of the caller's ${total} ` +
      `utterances (${unanswered.join(", ")} unanswered), and --require-answer wants every one ` +
      `answered`,
    ];
  });
}
