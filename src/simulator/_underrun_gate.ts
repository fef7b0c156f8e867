/**
 * The bound on the underruns a caller heard (`--max-underrun-total`,
 * `CallVerdictOptions.maxUnderrunTotalMs`): whether a call went over it, said as a reason it
 * failed. Internal to `_judge_call.ts`, behind `judgeCall`: the one place that decides whether a
 * call passed.
 *
 * @module
 */

import { counted } from "./_counted.ts";
import type { GateNames } from "./_gate_names.ts";
import type { CallReport } from "./report.ts";

/**
 * How far over the bound a total must be to be over it: far below a sample at any rate (a 48 kHz
 * sample is 0.02 ms), far above the rounding of summing gaps of whole samples (at 24 kHz, gaps of
 * 889 ms in all add up to 889.0000000000001): a caller who heard the bound exactly kept within it.
 */
const SUMMING_NOISE_MS = 1e-6;

/** Milliseconds as the lines write them, to `decimals` places, trailing zeros dropped. */
const ms = (value: number, decimals: number): string => `${Number(value.toFixed(decimals))} ms`;

/**
 * The places a total over `boundMs` is written to: a tenth, or as many more as it takes to show
 * it over the bound (to a tenth, 40.04 ms over a bound of 40 would read as the bound itself).
 */
function decimalsOver(totalMs: number, boundMs: number): number {
  let decimals = 1;
  while (decimals < 7 && !(Number(totalMs.toFixed(decimals)) > boundMs)) decimals++;
  return decimals;
}

/**
 * Why `report` fails the bound: its caller heard more than `boundMs` of underruns in all
 * (`audio.underrunMs`: the gaps the far end's playout buffer ran dry inside the bot's replies);
 * `null` when it kept within it. The total, not the longest gap: ten gaps of 40 ms break a reply
 * as surely as one of 400, and the longest is said beside it for whoever looks into it. The bot
 * transport's own estimate (`transportUnderruns`) is not bounded: the command line calls a bot in
 * another process, whose figures the wire does not carry. The reason names the bound as `names`
 * do (the option, or the CLI's flag).
 */
export function underrunsOverBound(
  report: CallReport,
  boundMs: number,
  names: GateNames,
): string | null {
  const { underruns, underrunMs, longestUnderrunMs } = report.audio;
  if (!(underrunMs - boundMs > SUMMING_NOISE_MS)) return null;
  const decimals = decimalsOver(underrunMs, boundMs);
  const gaps = `${counted(underruns, "gap")}, the longest ${ms(longestUnderrunMs, decimals)}`;
  return `the caller heard ${ms(underrunMs, decimals)} of underruns (${gaps}), more than ` +
    `${names.maxUnderrunTotal} (${boundMs} ms) allows`;
}
