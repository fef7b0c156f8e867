/**
 * Many simulated calls summed up: the load test's view.
 *
 * @module
 */

import { type Distribution, summarize } from "./_distribution.ts";
import { withoutBotWords } from "./_ending_words.ts";
import { type BotSideEnding, botSideEnding } from "./_not_reached.ts";
import { ruleEntry } from "./_rule_cap.ts";
import { type CallFailureReason, judgeCall } from "./call_verdict.ts";
import type { CallEndedBy, CallReport, MarkStats, ProtocolViolation } from "./report.ts";

/**
 * Why an aggregate failed: a reason calls failed (see {@linkcode CallFailureReason}), or
 * `no-calls`, the aggregate's own: no call ran (`aggregateReports([])`), and a run that tested
 * nothing passes no gate. Its own type, not a `CallFailureReason`: no single call fails so.
 */
export type AggregateFailureReason = CallFailureReason | "no-calls";

/** One reason calls failed, with how many it failed. */
export interface AggregateFailure {
  /** Which rule they failed; `no-calls` (with `calls` 0) when there was no call to fail one. */
  reason: AggregateFailureReason;
  /** For `ending`: who ended the calls. */
  by?: CallEndedBy;
  /**
   * What happened: the calls' detail when they all had the same; else, for `ending`, the detail
   * without the bot's words (its info, its close reason), which vary, and for the rest the first
   * call's, said to be so.
   */
  detail: string;
  /** How many calls failed for it. */
  calls: number;
}

/** Whether every call passed, and why the others did not. */
export interface AggregateVerdict {
  /**
   * `true` when every call passed and there was one at least: no call is no pass (a gate over a
   * run that tested nothing stays red), and the text report's `result` line says `FAILED` then.
   */
  passed: boolean;
  /** How many calls failed, for one reason or more. */
  failedCalls: number;
  /**
   * Every reason calls failed, each once with how many calls it failed, most first: endings by
   * who ended them and how (not by the bot's free words), every other reason as one; for no
   * call at all, `no-calls` alone.
   */
  failures: AggregateFailure[];
}

/** The figures of several calls together. */
export interface AggregateReport {
  /** Tells it apart from a single call's report. */
  kind: "aggregate";
  /** The platform simulated (the first call's). */
  protocol: string;
  /** How many calls. */
  calls: number;
  /** How the calls ended, by who ended them. */
  endedBy: Partial<Record<CallEndedBy, number>>;
  /**
   * Of the calls `endedBy` `caller`, those the platform hung up on a rule the bot broke (their
   * `ended.brokenRule`): the caller's side ended them, but not by the caller's choice.
   */
  endedOnBrokenRule: number;
  /**
   * Of the calls `endedBy` `error`, those whose socket never opened (their `connectMs` `null`):
   * the caller gave up connecting (refused, or no answer within `--connect-timeout`).
   */
  neverConnected: number;
  /**
   * Whether every call passed and why the others failed, from each call's `verdict` (judged
   * with no gates where a call has none).
   */
  verdict: AggregateVerdict;
  /** Time to open the socket, over the calls that connected. */
  connectMs: Distribution | null;
  /** Time to first audible bot audio, over the calls that heard the bot. */
  firstAudibleMs: Distribution | null;
  /**
   * Caller utterances, all calls together, those never said because the bot's side ended the call
   * first included (`notReached`); not those of calls at speed `Infinity`, whose answers are not
   * measured.
   */
  utterances: number;
  /**
   * Calls at speed `Infinity` (`--speed max`), whose answers are not measured: their utterances
   * are not among `utterances`, and the text report says so rather than "0/0 answered".
   */
  unmeasuredCalls: number;
  /** Of those, the utterances the bot never answered (`notReached` included). */
  unanswered: number;
  /**
   * Utterances the caller's own schedule cut mid-sentence that the bot had not answered (each
   * call's utterances with `cutShortBy`, barge-ins included): not among `utterances`, as no
   * answer was owed for them; not those of calls at speed `Infinity`.
   */
  cutShort: number;
  /**
   * Of `unanswered`, the utterances never said: the bot ended their call first, or made the
   * platform end it by breaking one of its rules (each call's `notReached`).
   */
  notReached: number;
  /**
   * `notReached` by who ended those calls: the bot (`bot`), its dropped connection (`network`),
   * or the platform on a rule the bot broke (`platform`); the causes with none are absent.
   */
  notReachedBy: Partial<Record<"bot" | "network" | "platform", number>>;
  /**
   * Calls the bot ended before their caller's audio stream ended, whose rest (never read, no
   * speech segments) is not known: what they did not reach is not counted.
   */
  notReachedUnknown: number;
  /**
   * Utterances never said because the caller's own schedule ended their call first (each call's
   * `leftUnsaid`: its hang-up, or the call's bound), all calls together: not among `utterances`,
   * as no answer was owed for them.
   */
  leftUnsaid: number;
  /**
   * Calls the caller's own schedule ended before their audio stream ended, whose rest (never
   * read, no speech segments) is not known: what they left unsaid is not counted.
   */
  leftUnsaidUnknown: number;
  /** Response latency over every answered utterance of every call. */
  responseLatencyMs: Distribution | null;
  /** Barge-ins, all calls together. */
  bargeIns: number;
  /** Of those, the caller's own utterances that began while the bot was audible (not injected). */
  bargeInsFromUtterances: number;
  /** Barge-ins after which the bot never stopped. */
  bargeInsNotStopped: number;
  /** Stop latency over every barge-in the bot stopped for. */
  stopLatencyMs: Distribution | null;
  /** Stale audio played after clears, all calls together, in ms. */
  staleAudioMs: number;
  /** Far-end underruns, their total length, late and early chunks, all calls together. */
  audio: { underruns: number; underrunMs: number; lateChunks: number; earlyChunks: number };
  /**
   * The bots' transports' own underruns (`CallReport.transportUnderruns`), summed over the
   * `calls` that gave them; `null` when none did.
   */
  transportUnderruns: { calls: number; underruns: number; underrunMs: number } | null;
  /** Marks, all calls together. */
  marks: Omit<MarkStats, "ackDelayMs">;
  /**
   * Violations by rule, counts summed; `detail` is the first call's. At most 100 rules apart, as
   * in a call's report: the violations of rules past them are counted under
   * `simulator.more-rules`.
   */
  violations: (ProtocolViolation & { calls: number })[];
  /** What the simulator noted of the platforms' side (`CallReport.notes`), all calls together. */
  notes: Record<string, number>;
  /** WebSocket traffic, all calls together. */
  messages: { sent: number; received: number; bytesSent: number; bytesReceived: number };
}

/**
 * Sums up the reports of several calls (e.g. `--calls N`): endings by cause, latency
 * distributions over every call's measurements, and the totals of everything counted.
 *
 * @example Two calls
 * ```ts
 * import { aggregateReports, type CallReport } from "@x/ws-transport/simulator";
 * import assert from "node:assert/strict";
 *
 * const reports: CallReport[] = []; // from simulateCall
 * const total = aggregateReports(reports);
 * assert.equal(total.calls, 0);
 * assert.equal(total.responseLatencyMs, null);
 * ```
 */
export function aggregateReports(reports: readonly CallReport[]): AggregateReport {
  const endedBy: Partial<Record<CallEndedBy, number>> = {};
  let endedOnBrokenRule = 0;
  let neverConnected = 0;
  const notReachedBy: Partial<Record<BotSideEnding, number>> = {};
  const failures = new Map<string, FailureGroup>();
  let failedCalls = 0;
  const notes: Record<string, number> = {};
  const violations = new Map<string, ProtocolViolation & { calls: number }>();
  const marks = { requested: 0, acked: 0, ackedOnClear: 0, dropped: 0, pending: 0 };
  const audio = { underruns: 0, underrunMs: 0, lateChunks: 0, earlyChunks: 0 };
  const messages = { sent: 0, received: 0, bytesSent: 0, bytesReceived: 0 };
  const estimated = { calls: 0, underruns: 0, underrunMs: 0 };
  const latencies: number[] = [];
  const stops: number[] = [];
  let utterances = 0;
  let unanswered = 0;
  let cutShort = 0;
  let unmeasuredCalls = 0;
  let notReached = 0;
  let notReachedUnknown = 0;
  let leftUnsaid = 0;
  let leftUnsaidUnknown = 0;
  let bargeIns = 0;
  let fromUtterances = 0;
  let notStopped = 0;
  let staleAudioMs = 0;
  for (const report of reports) {
    endedBy[report.ended.by] = (endedBy[report.ended.by] ?? 0) + 1;
    if (botSideEnding(report.ended) === "platform") endedOnBrokenRule++;
    if (report.ended.by === "error" && report.connectMs === null) neverConnected++;
    const verdict = report.verdict ?? judgeCall(report);
    if (!verdict.passed) failedCalls++;
    for (const { reason, detail } of verdict.failures) {
      const ending = reason === "ending";
      // Endings by how they ended, not by the bot's words: free text that names a session would
      // give every call a group of its own. The other reasons' details vary by call (figures).
      const group = ending ? withoutBotWords(report.ended) : "";
      const key = `${reason}\n${ending ? report.ended.by : ""}\n${group}`;
      const found = failures.get(key);
      if (found) {
        found.calls++;
        found.details.add(detail);
      } else {
        failures.set(key, {
          reason,
          ...(ending ? { by: report.ended.by, group } : {}),
          detail,
          calls: 1,
          details: new Set([detail]),
        });
      }
    }
    for (const [note, count] of Object.entries(report.notes)) {
      notes[note] = (notes[note] ?? 0) + count;
    }
    // At speed Infinity no answer is measured (report.ts): its utterances are not unanswered.
    if (report.speed === Infinity) unmeasuredCalls++;
    for (const u of report.speed === Infinity ? [] : report.utterances) {
      // The caller left mid-sentence: no answer owed, counted apart as the call's report does.
      if (u.latencyMs === null && u.cutShortBy !== undefined) {
        cutShort++;
        continue;
      }
      utterances++;
      if (u.latencyMs === null) unanswered++;
      else latencies.push(u.latencyMs);
    }
    // Never said, never answered: counted as the call's own report counts them.
    if (report.speed !== Infinity && report.notReached) {
      const unsaid = report.notReached.utterances;
      if (unsaid === null) notReachedUnknown++;
      else {
        utterances += unsaid.length;
        unanswered += unsaid.length;
        notReached += unsaid.length;
        const side = botSideEnding(report.ended);
        if (side !== null && unsaid.length > 0) {
          notReachedBy[side] = (notReachedBy[side] ?? 0) + unsaid.length;
        }
      }
    }
    // Never said by the caller's own choice: counted apart, whatever the speed (no answer owed).
    if (report.leftUnsaid) {
      const unsaid = report.leftUnsaid.utterances;
      if (unsaid === null) leftUnsaidUnknown++;
      else leftUnsaid += unsaid.length;
    }
    for (const b of report.bargeIns) {
      bargeIns++;
      if (b.source === "utterance") fromUtterances++;
      if (b.stopLatencyMs === null) notStopped++;
      else stops.push(b.stopLatencyMs);
      staleAudioMs += b.staleAudioMs ?? 0;
    }
    audio.underruns += report.audio.underruns;
    audio.underrunMs += report.audio.underrunMs;
    audio.lateChunks += report.audio.lateChunks;
    audio.earlyChunks += report.audio.earlyChunks;
    if (report.transportUnderruns) {
      estimated.calls++;
      estimated.underruns += report.transportUnderruns.underruns;
      estimated.underrunMs += report.transportUnderruns.underrunMs;
    }
    for (const key of Object.keys(marks) as (keyof typeof marks)[]) marks[key] += report.marks[key];
    for (const key of Object.keys(messages) as (keyof typeof messages)[]) {
      messages[key] += report.messages[key];
    }
    // A call's own overflow rule and those past the cap here count once per call in `calls`.
    const counted = new Set<ProtocolViolation>();
    for (const v of report.violations) {
      const entry = ruleEntry(violations, v, (first) => ({ ...first, count: 0, calls: 0 }));
      entry.count += v.count;
      if (!counted.has(entry)) entry.calls++;
      counted.add(entry);
    }
  }
  const present = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
  return {
    kind: "aggregate",
    protocol: reports[0]?.protocol ?? "",
    calls: reports.length,
    endedBy,
    endedOnBrokenRule,
    neverConnected,
    verdict: {
      passed: reports.length > 0 && failedCalls === 0,
      failedCalls,
      // No call is no pass, and a verdict that fails says why, as every call's does.
      failures: reports.length === 0
        ? [{ ...NO_CALLS }]
        : [...failures.values()].sort((a, b) => b.calls - a.calls).map(groupedFailure),
    },
    connectMs: summarize(present(reports.map((r) => r.connectMs))),
    firstAudibleMs: summarize(present(reports.map((r) => r.firstAudibleMs))),
    utterances,
    unmeasuredCalls,
    unanswered,
    cutShort,
    notReached,
    notReachedBy,
    notReachedUnknown,
    leftUnsaid,
    leftUnsaidUnknown,
    responseLatencyMs: summarize(latencies),
    bargeIns,
    bargeInsFromUtterances: fromUtterances,
    bargeInsNotStopped: notStopped,
    stopLatencyMs: summarize(stops),
    staleAudioMs,
    audio,
    transportUnderruns: estimated.calls === 0 ? null : estimated,
    marks,
    violations: [...violations.values()],
    notes,
    messages,
  };
}

/** The aggregate of no calls' one reason: nothing ran, so nothing passed. */
const NO_CALLS: AggregateFailure = {
  reason: "no-calls",
  detail: "no call ran: a run that tested nothing passes no gate",
  calls: 0,
};

/** Calls failed for one reason, as they are gathered. */
interface FailureGroup extends AggregateFailure {
  /** Every detail its calls had. */
  details: Set<string>;
  /** For `ending`: the detail without the bot's words, which the calls have in common. */
  group?: string;
}

/** A group of failures as the aggregate tells it: one detail for all its calls. */
function groupedFailure({ details, group, ...told }: FailureGroup): AggregateFailure {
  if (details.size === 1) return told;
  return {
    ...told,
    detail: group !== undefined
      ? `${group} (in words of the bot's own that vary by call)`
      : `${told.detail} (the first call's; it varies by call)`,
  };
}
