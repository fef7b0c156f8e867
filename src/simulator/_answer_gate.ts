/**
 * The `--require-answer` gate (`CallVerdictOptions.requireAnswer`): whether a call left an
 * utterance of the caller's unanswered, said as a reason it failed. Internal to
 * `_judge_call.ts`, behind `judgeCall`: the one place that decides whether a call passed.
 *
 * @module
 */

import { counted } from "./_counted.ts";
import type { GateNames } from "./_gate_names.ts";
import { leftUnsaidCount, leftUnsaidWhy } from "./_left_unsaid.ts";
import { endedFirstBy } from "./_not_reached.ts";
import type { CallReport } from "./report.ts";

/**
 * Why `report` fails `--require-answer`, or `null` when the bot answered every utterance:
 * - an utterance the caller said went unanswered (the report's `responses N/M answered` with
 *   N < M), one the bot hung up in the middle of included;
 * - an utterance the caller's audio held was never said because the bot ended the call first,
 *   or made the platform end it by breaking one of its rules (`notReached`: `2 not reached: the
 *   bot hung up at 0.30 s`, `1 not reached: the platform hung up at 0.80 s on a rule the bot
 *   broke (asterisk.message-too-large)`): a bot that hangs up at once has not answered what it
 *   never let the caller ask. One that hangs up after answering the caller's last utterance
 *   leaves none;
 * - the bot ended the call before the caller's audio stream ended and what the rest held is not
 *   known (a stream without speech segments): that every one was answered cannot be told;
 * - the caller said no utterance at all (silent audio, speech under the threshold, a hang-up
 *   before the first word, a platform handshake the bot never completed): with nothing to
 *   answer the call checked nothing, and a gate that checked nothing passes nothing (as an
 *   aggregate of no calls fails). The reason names which.
 * Utterances the caller's own schedule left unsaid (`leftUnsaid`: its hang-up, the call's bound)
 * are none of these, nor the one it cut mid-sentence (`cutShortBy`), unanswered: no answer was
 * owed for them.
 * A call whose socket never opened is left to its ending, which fails it: the bot was never
 * asked anything. At speed `Infinity` no answer is measured (report.ts): the command line
 * refuses `--require-answer` there, so such a report never comes. The reason names the settings
 * as `names` do (the options, or the CLI's flags).
 */
export function unansweredUtterances(report: CallReport, names: GateNames): string | null {
  if (report.connectMs === null) return null;
  // Numbered as the text report numbers them; one the caller's own schedule cut mid-sentence and
  // the bot did not answer is owed no answer (the caller left), and is not counted at all.
  const said = report.utterances;
  const owed = said.filter((u) => u.latencyMs !== null || u.cutShortBy === undefined).length;
  const unanswered = said.flatMap((u, n) =>
    u.latencyMs === null && u.cutShortBy === undefined ? [`#${n + 1}`] : []
  );
  const { notReached, ended } = report;
  const unsaid = notReached?.utterances ?? [];
  const why: string[] = [];
  if (unanswered.length > 0) why.push(`${unanswered.join(", ")} unanswered`);
  if (unsaid.length > 0) {
    // Numbered on from the said ones, as the text report lists them.
    const first = said.length + 1;
    const last = said.length + unsaid.length;
    const numbers = first === last ? `#${first}` : `#${first}–#${last}`;
    why.push(`${numbers} not reached: ${endedFirstBy(ended)}`);
  }
  if (notReached && notReached.utterances === null) {
    why.push(
      `the rest not known: ${endedFirstBy(ended)}, before the caller's audio stream ended ` +
        `(give its ${names.speechSegments} to have it counted)`,
    );
  }
  const total = owed + unsaid.length;
  const wants = `${names.requireAnswer} wants every one answered`;
  if (why.length > 0) {
    return `the bot answered ${total - unanswered.length - unsaid.length} of the caller's ` +
      `${counted(total, "utterance")} (${why.join("; ")}), and ${wants}`;
  }
  if (total > 0) return null;
  return `the caller said no utterance (${nothingSaidWhy(report, names)}): with nothing to ` +
    `answer the call checked nothing, and ${names.requireAnswer} passes no call that checked ` +
    `nothing`;
}

/**
 * Why the caller said nothing, by its real cause: the platform's handshake never completed (the
 * caller never began: Genesys's `opened` never came), the caller's own schedule ended the call
 * before its first utterance, or its audio held none the call could hear.
 */
function nothingSaidWhy(report: CallReport, names: GateNames): string {
  const { ended } = report;
  if (report.handshakeMs === null) {
    return `the ${report.protocol} handshake never completed, so the caller never began: the ` +
      `call ended at ${(ended.atMs / 1000).toFixed(2)} s (${ended.detail})`;
  }
  // By the utterance's own mark: a barge-in cut after all of the audio was said has no
  // `leftUnsaid` to tell why.
  const by = report.utterances.find((u) => u.cutShortBy !== undefined)?.cutShortBy;
  if (by !== undefined) {
    // The cut and the rest left unsaid are one ending's doing (`leftUnsaid.by` is `by`): its
    // words said once, not once for each ("…at 0.50 s; 1 left unsaid: …at 0.50 s").
    const unsaid = report.leftUnsaid?.utterances?.length ?? 0;
    const more = unsaid === 0 ? "" : ` and left ${unsaid} more unsaid`;
    return `its own schedule cut the first short${more}: ${leftUnsaidWhy({ by }, ended)}`;
  }
  const left = leftUnsaidCount(report);
  if (left !== "") return `its own schedule ended the call before the first: ${left}`;
  return `none louder than ${names.speechThreshold} or in ${names.speechSegments} before the ` +
    `call ended`;
}
