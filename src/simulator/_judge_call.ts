/**
 * The judging behind `judgeCall`, with the gates named as the caller knows them: `judgeCall`
 * names its options (`requireAnswer`), the command line its flags (`--require-answer`).
 * Internal: `call_verdict.ts` is the public face, and the one place that decides.
 *
 * @module
 */

import { kindOf, shownValue } from "../_kind_of.ts";
import { unansweredUtterances } from "./_answer_gate.ts";
import { botNeverEnded } from "./_bot_ended_gate.ts";
import { counted } from "./_counted.ts";
import { failedEnding } from "./_failed_ending.ts";
import type { GateNames } from "./_gate_names.ts";
import { underrunsOverBound } from "./_underrun_gate.ts";
import { unheardGoodbye } from "./_unheard_goodbye_gate.ts";
import type {
  CallFailure,
  CallFailureReason,
  CallVerdict,
  CallVerdictOptions,
} from "./call_verdict.ts";
import type { CallReport } from "./report.ts";

/** Rules named in a violations' detail at most; the report lists them all. */
const RULES_NAMED = 3;

/**
 * Judges one call as `judgeCall` does (see there), its gates' reasons naming the settings as
 * `names` do.
 */
export function judgeCallNaming(
  report: CallReport,
  options: CallVerdictOptions,
  names: GateNames,
): CallVerdict {
  checkOptions(report, options);
  const failures: CallFailure[] = [];
  const fail = (reason: CallFailureReason, detail: string | null) => {
    if (detail !== null) failures.push({ reason, detail });
  };
  const { ended } = report;
  // Cut short, the call is no pass, and its gates are not judged: an utterance the bot had no
  // time to answer, a bound the bot had no time to reach, say nothing of the bot.
  const interrupted = ended.by === "aborted";
  if (interrupted) fail("interrupted", `the call was cut short (${ended.detail})`);
  // Cut after it ended, only the platform's closing handshake went unchecked: no pass, but the
  // call ran its course, so its gates are judged.
  else if (ended.closingCutShort) {
    fail(
      "interrupted",
      "the signal cut short the wait for the platform's closing handshake after the call " +
        "ended: whether the bot completed it in time was never checked",
    );
  }
  if (failedEnding(ended)) fail("ending", ended.detail);
  fail("violations", violationsDetail(report));
  if (!interrupted) {
    const { maxUnderrunTotalMs, requireAnswer, waitForBot, allowUnheardGoodbye } = options;
    if (maxUnderrunTotalMs !== undefined) {
      fail("underruns", underrunsOverBound(report, maxUnderrunTotalMs, names));
    }
    if (requireAnswer) fail("unanswered", unansweredUtterances(report, names));
    if (waitForBot) fail("bot-never-ended", botNeverEnded(report, waitForBot.maxDurationMs, names));
    if (!allowUnheardGoodbye) fail("unheard-goodbye", unheardGoodbye(report, names));
  }
  if (options.recordingLost !== undefined) fail("recording", options.recordingLost);
  return { passed: failures.length === 0, failures };
}

/**
 * Refuses gates that cannot judge `report`, rather than pass or fail it for nothing: a bound that
 * is no number (`Number(undefined)`, NaN, passed every call; `null` or `""`, read as 0, failed
 * every call with any underrun) or below 0 (failed every call, 0 ms heard "more than" it), a
 * switch that is no boolean (`requireAnswer: "false"`, truthy, turned the gate on;
 * `allowUnheardGoodbye: "false"` would turn one off), a `waitForBot` without its bound (`true`
 * said "(undefined ms)"), a `recordingLost` that says nothing (an empty reason line), and answers
 * asked for where none were measured (at speed `Infinity` every utterance reads unanswered,
 * report.ts), which the CLI refuses as bad usage too.
 */
function checkOptions(report: CallReport, options: CallVerdictOptions): void {
  const { maxUnderrunTotalMs: bound, requireAnswer, waitForBot, recordingLost } = options;
  const { allowUnheardGoodbye } = options;
  if (bound !== undefined && (typeof bound !== "number" || !(bound >= 0))) {
    throw new RangeError(
      `maxUnderrunTotalMs must be a number of ms, 0 or more: got ${shownValue(bound)}`,
    );
  }
  if (requireAnswer !== undefined && typeof requireAnswer !== "boolean") {
    throw new TypeError(`requireAnswer must be true or false, got ${kindOf(requireAnswer)}`);
  }
  if (allowUnheardGoodbye !== undefined && typeof allowUnheardGoodbye !== "boolean") {
    throw new TypeError(
      `allowUnheardGoodbye must be true or false, got ${kindOf(allowUnheardGoodbye)}`,
    );
  }
  if (waitForBot !== undefined) {
    if (typeof waitForBot !== "object" || waitForBot === null) {
      throw new TypeError(`waitForBot must be { maxDurationMs }, got ${kindOf(waitForBot)}`);
    }
    const { maxDurationMs } = waitForBot;
    if (typeof maxDurationMs !== "number" || !(maxDurationMs >= 0)) {
      throw new RangeError(
        `waitForBot.maxDurationMs must be the call's maxDurationMs, 0 or more: got ${
          shownValue(maxDurationMs)
        }`,
      );
    }
  }
  if (recordingLost !== undefined && (typeof recordingLost !== "string" || recordingLost === "")) {
    throw new TypeError(
      `recordingLost must be a string saying why, got ${
        recordingLost === "" ? "an empty string" : kindOf(recordingLost)
      }`,
    );
  }
  if (requireAnswer && report.speed === Infinity) {
    throw new RangeError(
      "requireAnswer needs answers measured: not for a call at speed Infinity, where none is",
    );
  }
}

/** The violations in one line (the first rules by name), or `null` for none. */
function violationsDetail(report: CallReport): string | null {
  const { violations } = report;
  if (violations.length === 0) return null;
  const count = violations.reduce((n, v) => n + v.count, 0);
  const named = violations.slice(0, RULES_NAMED).map((v) => `${v.rule} ×${v.count}`);
  const more = violations.length - named.length;
  return `the bot broke ${counted(violations.length, "platform rule")}` +
    ` ${counted(count, "time")}: ${named.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}
