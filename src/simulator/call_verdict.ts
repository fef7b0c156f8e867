/**
 * Whether a simulated call passed, and every reason it failed: the one place that decides, read
 * by the CLI's exit status, its text report and its JSON alike.
 *
 * @module
 */

import { OPTION_NAMES } from "./_gate_names.ts";
import { judgeCallNaming } from "./_judge_call.ts";
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
   * `--require-answer`): one the caller said and got no answer to (one the bot hung up in the
   * middle of included), or one the caller's audio held but never got to say because the bot
   * ended the call first, or made the platform end it by breaking one of its rules (the report's
   * `notReached`: a bot that closes at once answered nothing).
   * A bot that hangs up after answering the caller's last utterance passes. A call in which the
   * caller said nothing (silent audio, speech under the threshold) fails: it checked nothing; so
   * does one the bot ended before a caller's audio stream without speech segments ended, whose
   * rest is not known. A call whose socket never opened is left to its ending (it fails there).
   * Not for a call at speed `Infinity`, where no answer is measured.
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
   * Let a call pass whose bot hung up over its own audio (the CLI's `--allow-unheard-goodbye`).
   * By default such a call fails (`unheard-goodbye`): the bot ended it (closed the socket, or
   * ended the call within the protocol) with more than 60 ms of its audible audio still queued
   * at the far end (the report's `audio.unplayedAtEndMs`), a goodbye the caller never heard. The
   * 60 ms are a packet and network jitter. The caller's hang-up, the call's bound, a dropped
   * connection and audio the bot cleared are no such fault.
   *
   * @default {false}
   */
  allowUnheardGoodbye?: boolean;
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
 * `underruns` (over `maxUnderrunTotalMs`), `unanswered` (with `requireAnswer`: an utterance
 * unanswered or never reached, or none said),
 * `bot-never-ended` (with `waitForBot`), `unheard-goodbye` (the bot hung up with its audio
 * unheard at the far end; not with `allowUnheardGoodbye`), `recording` (`recordingLost`),
 * `interrupted` (the call was cut short by its signal, Ctrl-C: never a pass, and not held to the
 * gates, which judge a call that ran its course; or the signal came after it ended and cut short
 * the platform's closing handshake, `ended.closingCutShort`: no pass either, its gates judged).
 */
export type CallFailureReason =
  | "interrupted"
  | "ending"
  | "violations"
  | "underruns"
  | "unanswered"
  | "bot-never-ended"
  | "unheard-goodbye"
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

/**
 * Judges one call: whether it passed, and every reason it failed. The CLI's exit status, its
 * report's `result` line and its JSON's `verdict` all come from here. Without `options` a call is
 * held to how it ended, the platform's rules and whether its bot hung up over its own audio
 * alone. A gate's reason names the option it failed (`requireAnswer wants every one answered`);
 * the CLI's names its flag (`--require-answer`).
 *
 * @throws {RangeError} `maxUnderrunTotalMs` is no number, NaN or below 0, `waitForBot` has no
 * `maxDurationMs` of 0 or more, or `requireAnswer` is asked of a call at speed `Infinity` (no
 * answer is measured there).
 * @throws {TypeError} `requireAnswer` or `allowUnheardGoodbye` is no boolean, `waitForBot` no
 * object, or `recordingLost` no string saying why.
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
  return judgeCallNaming(report, options, OPTION_NAMES);
}
