/**
 * Many simulated calls summed up: the load test's view.
 *
 * @module
 */

import { type Distribution, summarize } from "./_distribution.ts";
import { failedEnding } from "./_failed_ending.ts";
import type { CallEndedBy, CallReport, MarkStats, ProtocolViolation } from "./report.ts";

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
   * Why calls failed by how they ended (could not connect, the connection dropped, the bot closed
   * with an error code or ended the call saying it failed: `CallEnding.failed`): each distinct
   * reason once, with how many calls it ended, most first.
   */
  failures: { by: CallEndedBy; detail: string; calls: number }[];
  /** Time to open the socket, over the calls that connected. */
  connectMs: Distribution | null;
  /** Time to first audible bot audio, over the calls that heard the bot. */
  firstAudibleMs: Distribution | null;
  /**
   * Caller utterances, all calls together; not those of calls at speed `Infinity`, whose answers
   * are not measured.
   */
  utterances: number;
  /** Of those, the utterances the bot never answered. */
  unanswered: number;
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
  /** Violations by rule, counts summed; `detail` is the first call's. */
  violations: (ProtocolViolation & { calls: number })[];
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
  const failures = new Map<string, { by: CallEndedBy; detail: string; calls: number }>();
  const violations = new Map<string, ProtocolViolation & { calls: number }>();
  const marks = { requested: 0, acked: 0, ackedOnClear: 0, dropped: 0, pending: 0 };
  const audio = { underruns: 0, underrunMs: 0, lateChunks: 0, earlyChunks: 0 };
  const messages = { sent: 0, received: 0, bytesSent: 0, bytesReceived: 0 };
  const estimated = { calls: 0, underruns: 0, underrunMs: 0 };
  const latencies: number[] = [];
  const stops: number[] = [];
  let utterances = 0;
  let unanswered = 0;
  let bargeIns = 0;
  let fromUtterances = 0;
  let notStopped = 0;
  let staleAudioMs = 0;
  for (const report of reports) {
    endedBy[report.ended.by] = (endedBy[report.ended.by] ?? 0) + 1;
    if (failedEnding(report.ended)) {
      const { by, detail } = report.ended;
      const key = `${by}\n${detail}`;
      const found = failures.get(key);
      if (found) found.calls++;
      else failures.set(key, { by, detail, calls: 1 });
    }
    // At speed Infinity no answer is measured (report.ts): its utterances are not unanswered.
    for (const u of report.speed === Infinity ? [] : report.utterances) {
      utterances++;
      if (u.latencyMs === null) unanswered++;
      else latencies.push(u.latencyMs);
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
    for (const v of report.violations) {
      const found = violations.get(v.rule);
      if (found) {
        found.count += v.count;
        found.calls++;
      } else violations.set(v.rule, { ...v, calls: 1 });
    }
  }
  const present = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
  return {
    kind: "aggregate",
    protocol: reports[0]?.protocol ?? "",
    calls: reports.length,
    endedBy,
    failures: [...failures.values()].sort((a, b) => b.calls - a.calls),
    connectMs: summarize(present(reports.map((r) => r.connectMs))),
    firstAudibleMs: summarize(present(reports.map((r) => r.firstAudibleMs))),
    utterances,
    unanswered,
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
    messages,
  };
}
