/**
 * Whether a simulated call passed, and every reason it failed: the one place that decides, read
 * by the CLI's exit status, its text report and its JSON alike.
 *
 * @module
 */

import { unansweredUtterances } from "./_answer_gate.ts";
import { underrunsOverBound } from "./_underrun_gate.ts";
import { botNeverEnded } from "./_bot_ended_gate.ts";
import { failedEnding } from "./_failed_ending.ts";
import type { CallReport } from "./report.ts";

/** What a call is held to beyond how it ended and the platform's rules: the CLI's gates. */
export interface CallVerdictOptions {
  /**
   * Fail a call whose caller heard more than this many ms of underruns in all (the CLI's
   * `--max-underrun-total`; a total at the bound exactly passes): 0 or more.
   *
   * @default {no bound}
   */
  maxUnderrunTotalMs?: number;
  /**
   * Fail a call in which the bot left any of the caller's utterances unanswered (the CLI's
   * `--require-answer`). Not for a call at speed `Infinity`, where no answer is measured.
   *
   * @default {false}
   */
  requireAnswer?: boolean;
  /**
   * The hang-up was the bot's (the CLI's `--wait-for-bot`): fail a call that reached its
   * `maxDurationMs`, given here as the call had it.
   *
   * @default {none}
   */
  waitForBot?: { maxDurationMs: number };
  /**
   * Why the call's recording, asked for, could not be kept (the CLI's `--record` file could not
   * be written): the call fails.
   *
   * @default {none}
   */
  recordingLost?: string;
}

/**
 * Why a call failed: `ending` (it could not connect, the connection dropped, the bot closed with
 * an error code or ended the call saying it failed), `violations` (platform rules broken),
 * `underruns` (over `maxUnderrunTotalMs`), `unanswered` (with `requireAnswer`),
 * `bot-never-ended` (with `waitForBot`), `recording` (`recordingLost`), `interrupted` (the call
 * was cut short by its signal, Ctrl-C: never a pass, and not held to the gates, which judge a
 * call that ran its course).
 */
export type CallFailureReason =
  | "interrupted"
  | "ending"
  | "violations"
  | "underruns"
  | "unanswered"
  | "bot-never-ended"
  | "recording";

/** One reason a call failed. */
export interface CallFailure {
  /** Which rule it failed. */
  reason: CallFailureReason;
  /** What happened, in words. */
  detail: string;
}

/** Whether a call passed, and why not. */
export interface CallVerdict {
  /** `true` when nothing failed it. */
  passed: boolean;
  /** Every reason it failed, in the order of {@linkcode CallFailureReason}; none when it passed. */
  failures: CallFailure[];
}

/** Rules named in a violations' detail at most; the report lists them all. */
const RULES_NAMED = 3;

/**
 * Judges one call: whether it passed, and every reason it failed. The CLI's exit status, its
 * report's `result` line and its JSON's `verdict` all come from here. Without `options` a call is
 * held to how it ended and the platform's rules alone.
 *
 * @throws {RangeError} `maxUnderrunTotalMs` is NaN or below 0, or `requireAnswer` is asked of a
 * call at speed `Infinity` (no answer is measured there).
 *
 * @example A call that could not connect
 * ```ts
 * import { judgeCall, simulateCall } from "@x/ws-transport/simulator";
 * import assert from "node:assert/strict";
 *
 * const report = await simulateCall("ws://127.0.0.1:9/", { protocol: "raw" });
 * const verdict = judgeCall(report, { requireAnswer: true });
 * assert.equal(verdict.passed, false);
 * assert.equal(verdict.failures[0]!.reason, "ending");
 * ```
 */
export function judgeCall(report: CallReport, options: CallVerdictOptions = {}): CallVerdict {
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
  if (failedEnding(ended)) fail("ending", ended.detail);
  fail("violations", violationsDetail(report));
  if (!interrupted) {
    const { maxUnderrunTotalMs, requireAnswer, waitForBot } = options;
    if (maxUnderrunTotalMs !== undefined) {
      fail("underruns", underrunsOverBound(report, maxUnderrunTotalMs));
    }
    if (requireAnswer) fail("unanswered", unansweredUtterances(report));
    if (waitForBot) fail("bot-never-ended", botNeverEnded(report, waitForBot.maxDurationMs));
  }
  if (options.recordingLost !== undefined) fail("recording", options.recordingLost);
  return { passed: failures.length === 0, failures };
}

/**
 * Refuses gates that cannot judge `report`, rather than pass or fail it for nothing: a bound that
 * is no number (`Number(undefined)`, NaN, passed every call) or below 0 (failed every call, 0 ms
 * heard "more than" it), and answers asked for where none were measured (at speed `Infinity`
 * every utterance reads unanswered, report.ts), which the CLI refuses as bad usage too.
 */
function checkOptions(report: CallReport, options: CallVerdictOptions): void {
  const bound = options.maxUnderrunTotalMs;
  if (bound !== undefined && !(bound >= 0)) {
    throw new RangeError(`maxUnderrunTotalMs must be a number of ms, 0 or more: got ${bound}`);
  }
  if (options.requireAnswer && report.speed === Infinity) {
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
  return `the bot broke ${violations.length} platform rule${violations.length === 1 ? "" : "s"}` +
    ` ${count} time${count === 1 ? "" : "s"}: ${named.join(", ")}${
      more > 0 ? ` and ${more} more` : ""
    }`;
}
