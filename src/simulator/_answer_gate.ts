/**
 * The `--require-answer` gate (`CallVerdictOptions.requireAnswer`): whether a call left an
 * utterance of the caller's unanswered, said as a reason it failed. Internal to
 * `_judge_call.ts`, behind `judgeCall`: the one place that decides whether a call passed.
 *
 * @module
 */

import type { GateNames } from "./_gate_names.ts";
import type { CallReport } from "./report.ts";

/**
 * Why `report` fails `--require-answer`: the bot left an utterance of the caller's unanswered (the
 * report's `responses N/M answered` with N < M); `null` when it answered every one. A call whose
 * caller said nothing has nothing to answer: it passes. At speed `Infinity` no answer is measured
 * (report.ts): the command line refuses `--require-answer` there, so such a report never comes.
 * The reason names the gate as `names` do (the option, or the CLI's flag).
 */
export function unansweredUtterances(report: CallReport, names: GateNames): string | null {
  const unanswered = report.utterances.flatMap((u, n) => u.latencyMs === null ? [`#${n + 1}`] : []);
  if (unanswered.length === 0) return null;
  const total = report.utterances.length;
  return `the bot answered ${total - unanswered.length} of the caller's ${total} utterances ` +
    `(${unanswered.join(", ")} unanswered), and ${names.requireAnswer} wants every one answered`;
}
