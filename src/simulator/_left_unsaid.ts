/**
 * The caller's utterances its own schedule left unsaid: its audio held them, but the caller hung
 * up first (`hangUpAtMs`, `--hang-up-at`) or the call reached its bound (`maxDurationMs`,
 * `--max-duration`). Not the bot's doing (that is `_not_reached.ts`): no answer is owed for them,
 * and `--require-answer` does not count them, but a run that meant to test them did not, and the
 * report says how many they were and why. Uncounted, a `--hang-up-at` set too early passed as a
 * shorter conversation than the audio held, with nothing to tell.
 *
 * @module
 */

import type { CallReport, LeftUnsaid } from "./report.ts";

/**
 * Why the caller left them unsaid, in words: `the caller hung up at 4.10 s, as asked` or `the
 * call reached its maximum duration at 3.00 s`.
 */
export function leftUnsaidWhy(
  left: Pick<LeftUnsaid, "by">,
  ended: Pick<CallReport["ended"], "atMs">,
): string {
  const at = `${(ended.atMs / 1000).toFixed(2)} s`;
  return left.by === "hang-up"
    ? `the caller hung up at ${at}, as asked`
    : `the call reached its maximum duration at ${at}`;
}

/** How many utterances the caller left unsaid, and why; `""` for none (or none known). */
export function leftUnsaidCount(report: CallReport): string {
  const left = report.leftUnsaid;
  const count = left?.utterances?.length ?? 0;
  if (!left || count === 0) return "";
  return `${count} left unsaid: ${leftUnsaidWhy(left, report.ended)}`;
}
