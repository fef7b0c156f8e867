/**
 * The command line's bound on the underruns a caller heard (`--max-underrun-total`): which calls
 * went over it, said for stderr. Internal to `cli.ts`.
 *
 * @module
 */

import type { CallReport } from "./report.ts";

/** The flag, as the lines below name it. */
const UNDERRUN_BOUND_FLAG = "--max-underrun-total";

/** Milliseconds as the lines write them: whole where they are, else to a tenth. */
const ms = (value: number): string => `${Number(value.toFixed(1))} ms`;

/**
 * A line for each call of `reports` whose caller heard more than `boundMs` of underruns in all
 * (`audio.underrunMs`: the gaps the far end's playout buffer ran dry inside the bot's replies),
 * none when every call kept within it. The total, not the longest gap: ten gaps of 40 ms break a
 * reply as surely as one of 400, and the longest is said beside it for whoever looks into it. The
 * bot transport's own estimate (`transportUnderruns`) is not bounded: the command line calls a bot
 * in another process, whose figures the wire does not carry.
 */
export function underrunsOverBound(reports: readonly CallReport[], boundMs: number): string[] {
  return reports.flatMap((report, i) => {
    const { underruns, underrunMs, longestUnderrunMs } = report.audio;
    if (!(underrunMs > boundMs)) return [];
    const call = reports.length === 1 ? "" : `call ${i + 1} of ${reports.length}: `;
    const gaps = `${underruns} gap${underruns === 1 ? "" : "s"}, the longest ${
      ms(longestUnderrunMs)
    }`;
    return [
      `${call}the caller heard ${ms(underrunMs)} of underruns (${gaps}), more than ` +
      `${UNDERRUN_BOUND_FLAG} ${boundMs} allows`,
    ];
  });
}
