/**
 * A report as text, for people: what the CLI prints at the end of a call.
 *
 * @module
 */

import { counted } from "./_counted.ts";
import type { Distribution } from "./_distribution.ts";
import { ENDED_BY_WORDS, endedPhrase } from "./_ending_words.ts";
import { leftUnsaidCount } from "./_left_unsaid.ts";
import { type BotSideEnding, ENDED_FIRST_BY, endedFirstBy } from "./_not_reached.ts";
import type { AggregateReport } from "./aggregate_reports.ts";
import { type CallVerdict, judgeCall } from "./call_verdict.ts";
import type { CallEndedBy, CallReport, ProtocolViolation } from "./report.ts";
import { unheardAmount } from "./_unheard_goodbye_gate.ts";

const ms = (value: number | null | undefined): string =>
  value === null || value === undefined ? "—" : `${Math.round(value).toLocaleString("en-US")} ms`;
const seconds = (value: number): string => `${(value / 1000).toFixed(2)} s`;
const distribution = (d: Distribution | null): string =>
  d === null
    ? "—"
    : `p50 ${ms(d.p50)} · p90 ${ms(d.p90)} · min ${ms(d.min)} · max ${ms(d.max)} (${d.count})`;
const row = (label: string, text: string) => `  ${label.padEnd(16)} ${text}`;

function violationLines(violations: readonly (ProtocolViolation & { calls?: number })[]): string[] {
  if (violations.length === 0) return [row("violations", "none")];
  return [
    row("violations", `${violations.reduce((n, v) => n + v.count, 0)}`),
    ...violations.map((v) =>
      `    ${v.rule} ×${v.count}${
        v.calls === undefined ? ` (first at ${ms(v.firstAtMs)})` : ` in ${counted(v.calls, "call")}`
      }: ${v.detail}`
    ),
  ];
}

/** One reason a verdict failed, under its `result` line: by the name its JSON gives it. */
const failureLine = (f: { reason: string; detail: string }) => `    ${f.reason}: ${f.detail}`;

/**
 * Whether the call passed, at a glance, and under it every reason it failed: its `verdict` (the
 * CLI's, with its gates), else judged here with none.
 */
function resultLines(verdict: CallVerdict): string[] {
  return [
    row("result", verdict.passed ? "passed" : "FAILED"),
    ...verdict.failures.map(failureLine),
  ];
}

/** What the simulator noted of the platform's side (accepted, but worth knowing), by kind. */
function noteLines(notes: Record<string, number>): string[] {
  const entries = Object.entries(notes);
  if (entries.length === 0) return [];
  return [row("notes", entries.map(([note, count]) => `${note} ×${count}`).join(" · "))];
}

/**
 * The bot transport's own count of the underruns, beside the far end's; nothing where it was not
 * given (a bot in another process, whose figures the wire does not carry).
 */
function transportEstimate(
  figures: { underruns: number; underrunMs: number; calls?: number } | null,
): string {
  if (figures === null) return "";
  const calls = figures.calls === undefined ? "" : ` in ${counted(figures.calls, "call")}`;
  return `; by the bot's transport ${figures.underruns}, ${ms(figures.underrunMs)}${calls}`;
}

/**
 * What the bot's ending left unsaid, after the answered count (`, 2 not reached: the bot hung up
 * at 0.30 s`): counted in the utterances, as they are ones the bot never answered; nothing when
 * it left none.
 */
function notReachedNote(r: CallReport): string {
  const { notReached } = r;
  if (!notReached) return "";
  if (notReached.utterances === null) {
    return `, the rest not known: ${endedFirstBy(r.ended)}, before the caller's audio stream ended`;
  }
  const count = notReached.utterances.length;
  return count === 0 ? "" : `, ${count} not reached: ${endedFirstBy(r.ended)}`;
}

/**
 * What the caller's own schedule left unsaid, after the answered count (`, 2 left unsaid: the
 * caller hung up at 4.10 s, as asked`): apart from them, as no answer was owed for them; the
 * rest, when not known, said so too. Nothing when it left none.
 */
function leftUnsaidNote(r: CallReport): string {
  if (r.leftUnsaid?.utterances === null) {
    return `, the rest not known: the caller's own schedule ended the call before its audio ` +
      `stream ended`;
  }
  const count = leftUnsaidCount(r);
  return count === "" ? "" : `, ${count}`;
}

/** The connect time, and a platform handshake that never completed (the caller never spoke). */
function connectText(r: CallReport): string {
  if (r.connectMs === null || r.handshakeMs !== null) return ms(r.connectMs);
  return `${ms(r.connectMs)} · the ${r.protocol} handshake never completed: the caller never spoke`;
}

/** The speed, where the caller's audio was not sent in real time. */
const speedNote = (speed: number): string =>
  speed === 1 ? "" : ` at ${speed === Infinity ? "max" : `${speed}×`} speed`;

/**
 * A report as a few lines of text: one call's (latencies per utterance, barge-ins, buffer,
 * marks, violations, the ending) or an aggregate of many.
 *
 * @example
 * ```ts
 * import { aggregateReports, formatReport } from "@x/ws-transport/simulator";
 * import assert from "node:assert/strict";
 *
 * const text = formatReport(aggregateReports([]));
 * assert.match(text, /0 calls/);
 * ```
 */
export function formatReport(report: CallReport | AggregateReport): string {
  return ("kind" in report ? formatAggregate(report) : formatCall(report)).join("\n");
}

/**
 * How the call ended, in the header, and when: who ended it (its `ended.by`, in words:
 * `ENDED_BY_WORDS`), and for a platform's hang-up on a rule the bot broke (`by` `caller` with
 * `brokenRule`) which rule: the caller did not choose to hang up. A socket that never opened
 * (`connectMs` `null`) failed to connect: "ended by error at 0.00 s" said neither that nor how
 * long the caller waited (its `atMs`, timed from the attempt: there was no opening to time from).
 */
function callEnding({ ended, connectMs }: CallReport): string {
  const at = `at ${seconds(ended.atMs)}`;
  if (ended.by === "error" && connectMs === null) return `never connected, gave up ${at}`;
  if (ended.by === "caller" && ended.brokenRule !== undefined) {
    return `ended by caller (the platform, on a rule the bot broke: ${ended.brokenRule}) ${at}`;
  }
  return `${endedPhrase(ended.by)} ${at}`;
}

/** What the caller's own schedule cut mid-sentence: no answer owed (report.ts `cutShortBy`). */
const CUT_SHORT_BY = { "hang-up": "the caller's hang-up", "max-duration": "the call's bound" };

/**
 * The utterance the caller's own schedule cut mid-sentence, unanswered, after the answered
 * count (`, #2 cut short by the caller's hang-up`): not counted in it, as no answer was owed.
 */
function cutShortNote(r: CallReport): string {
  const n = r.utterances.findIndex((u) => u.cutShortBy !== undefined && u.latencyMs === null);
  return n < 0 ? "" : `, #${n + 1} cut short by ${CUT_SHORT_BY[r.utterances[n]!.cutShortBy!]}`;
}

/**
 * The protocols whose far end reads `dtmfDetection` (far_end.ts `FarEndOptions`): the setting a
 * key they did not detect is laid to, by its name.
 */
const DTMF_DETECTION_PROTOCOLS: ReadonlySet<string> = new Set([
  "conversationrelay",
  "telnyx-conversationrelay",
]);

/** The keys sent, then each kind not sent, said only when there were any. */
function dtmfFigures(r: CallReport): string {
  const { sent, unsupported, undetected, afterEnd } = r.dtmf;
  // Keys the platform carries but was set not to detect (far_end.ts `sendDtmf`): not the
  // protocol's doing, so not "carried". Only ConversationRelay's setting is `dtmfDetection`; a
  // far end of the user's own may answer "undetected" for a setting of its own, not named here.
  const setting = DTMF_DETECTION_PROTOCOLS.has(r.protocol)
    ? "dtmfDetection off"
    : "key detection off";
  return [
    `${sent} sent`,
    unsupported ? `${unsupported} not carried by ${r.protocol}` : "",
    undetected ? `${undetected} not detected (${setting})` : "",
    afterEnd ? `${afterEnd} due after the call ended, not sent` : "",
  ].filter((part) => part !== "").join(" · ");
}

function formatCall(r: CallReport): string[] {
  const answered = r.utterances.filter((u) => u.latencyMs !== null).length;
  const unsaid = r.notReached?.utterances ?? [];
  const left = r.leftUnsaid?.utterances ?? [];
  // An utterance the caller's own schedule cut short, unanswered, is owed no answer: not counted.
  const owed = r.utterances.filter((u) => u.latencyMs !== null || u.cutShortBy === undefined);
  const utterances = owed.length + unsaid.length;
  // At max speed no answer is measured (report.ts): not "0 answered", and no "no answer" lines.
  const measured = r.speed !== Infinity;
  const lines = [
    `${r.protocol} call to ${r.url}${speedNote(r.speed)}: ${callEnding(r)} (${r.ended.detail})`,
    ...resultLines(r.verdict ?? judgeCall(r)),
    row("connect", connectText(r)),
    row("first bot audio", `${ms(r.firstAudibleMs)} heard (first audio in ${ms(r.firstAudioMs)})`),
    row(
      "responses",
      measured
        ? `${answered}/${utterances} answered${cutShortNote(r)}${notReachedNote(r)}${
          leftUnsaidNote(r)
        } · ${distribution(r.responseLatencyMs)}`
        : `not measured at max speed (${counted(r.utterances.length, "utterance")}${
          notReachedNote(r)
        }${leftUnsaidNote(r)})`,
    ),
    ...(measured ? r.utterances : []).map((u, i) =>
      `    #${i + 1} ${u.source.padEnd(8)} ${seconds(u.startMs)}–${seconds(u.endMs)} → ${
        u.responseStartMs === null
          ? u.cutShortBy === undefined ? "no answer" : `cut short by ${CUT_SHORT_BY[u.cutShortBy]}`
          : `${seconds(u.responseStartMs)} (${u.latencyMs! >= 0 ? "+" : ""}${ms(u.latencyMs)})`
      }`
    ),
    // Never said, they have no call time: where they are in the caller's audio.
    ...(measured ? unsaid : []).map((u, i) =>
      `    #${r.utterances.length + i + 1} not reached: ${seconds(u.startMs)}–${
        seconds(u.endMs)
      } of the caller's audio`
    ),
    // Numbered on from the said ones too: the audio's utterances in order (never both lists).
    ...(measured ? left : []).map((u, i) =>
      `    #${r.utterances.length + i + 1} left unsaid: ${seconds(u.startMs)}–${
        seconds(u.endMs)
      } of the caller's audio`
    ),
  ];
  if (r.bargeIns.length > 0) {
    lines.push(row("barge-ins", `${r.bargeIns.length}`));
    for (const b of r.bargeIns) {
      lines.push(
        `    at ${seconds(b.atMs)} ${b.source}: ${
          b.stopLatencyMs === null ? "the bot never stopped" : `stopped in ${ms(b.stopLatencyMs)}`
        } · clear ${
          b.clearAtMs === null ? "never sent" : `at +${ms(b.clearAtMs - b.atMs)}`
        } · talked over ${ms(b.talkedOverMs)} · stale audio after clear ${ms(b.staleAudioMs)}`,
      );
    }
  }
  const a = r.audio;
  lines.push(
    row(
      "bot audio",
      `${seconds(a.receivedMs)} received, ${seconds(a.playedMs)} played, ${
        seconds(a.clearedMs)
      } cleared · ${counted(a.chunks, "chunk")}${unheardAtHangUp(r)}`,
    ),
    row(
      "",
      `ahead of playout: ${distribution(a.leadMs)} · underruns ${a.underruns} (${
        ms(a.underrunMs)
      }, longest ${ms(a.longestUnderrunMs)}${
        transportEstimate(r.transportUnderruns)
      }) · late ${a.lateChunks} · early ${a.earlyChunks}`,
    ),
    row(
      "marks",
      `${r.marks.requested} asked · ${r.marks.acked} acked after playing (${
        distribution(r.marks.ackDelayMs)
      }) · ${r.marks.ackedOnClear} on clear · ${r.marks.dropped} dropped · ${r.marks.pending} pending`,
    ),
    row("dtmf", dtmfFigures(r)),
    ...violationLines(r.violations),
    ...noteLines(r.notes),
    row(
      "messages",
      `${r.messages.sent} sent (${r.messages.bytesSent} B) · ${r.messages.received} received (${r.messages.bytesReceived} B)`,
    ),
  );
  return lines;
}

/**
 * What of the bot's audio the caller never heard because the bot hung up over it, after the
 * audio's figures: its audible audio still queued at the far end (`audio.unplayedAtEndMs`) when
 * the bot ended the call; nothing when none was, or the call ended otherwise (the caller's
 * hang-up and the call's bound cut the bot off by the caller's choice). Said however little:
 * whether it is more than a packet's worth is the verdict's to judge.
 */
function unheardAtHangUp(r: CallReport): string {
  const unheardMs = r.audio.unplayedAtEndMs;
  if (r.ended.by !== "bot" || !(unheardMs > 0)) return "";
  return ` · the bot hung up with ${unheardAmount(unheardMs)} of its audio unheard`;
}

/** How many calls passed, and why the others failed: each reason once with how many calls. */
function aggregateResultLines(
  { failedCalls, failures }: AggregateReport["verdict"],
  calls: number,
) {
  // No call is no pass (`AggregateVerdict.passed`): a CI gate over a run that tested nothing
  // must not go green, so the line says FAILED as the verdict does, not "0 passed"; under it the
  // verdict's reason by its name (`no-calls`), as a call's are, not a text of its own that the
  // JSON's reason could not be found by.
  if (calls === 0) {
    return [
      row("result", "FAILED"),
      ...failures.map(failureLine),
    ];
  }
  return [
    row(
      "result",
      failedCalls === 0
        ? `${calls} passed`
        : `${calls - failedCalls} passed, ${failedCalls} FAILED`,
    ),
    ...failures.map((f) =>
      `    ${f.calls} × ${f.reason}${f.by ? ` (${ENDED_BY_WORDS[f.by]})` : ""}: ${f.detail}`
    ),
  ];
}

/**
 * What the bots' side's endings left unsaid, all calls together, by who ended the calls (`, 2 not
 * reached: the platform hung up first, on a rule the bot broke`; with more than one, each with
 * its count); nothing when they left none. A platform's hang-up is not the bot's: said apart.
 */
function aggregateNotReached(
  { notReached, notReachedBy, notReachedUnknown }: AggregateReport,
): string {
  const unknown = notReachedUnknown === 0
    ? ""
    : `, the rest of ${counted(notReachedUnknown, "call")} not known`;
  if (notReached === 0) return unknown;
  const causes = (Object.entries(notReachedBy) as [BotSideEnding, number][])
    .filter(([, n]) => n > 0);
  const why = causes.length === 1
    ? ENDED_FIRST_BY[causes[0]![0]]
    : causes.map(([side, n]) => `${ENDED_FIRST_BY[side]} (${n})`).join("; ");
  return `, ${notReached} not reached: ${why}` + unknown;
}

/** What the callers' own schedules left unsaid, all calls together; nothing when none. */
function aggregateLeftUnsaid({ leftUnsaid, leftUnsaidUnknown }: AggregateReport): string {
  const unknown = leftUnsaidUnknown === 0
    ? ""
    : `, the rest of ${
      counted(leftUnsaidUnknown, "call")
    } cut short by the caller's own schedule not known`;
  return (leftUnsaid === 0
    ? ""
    : `, ${leftUnsaid} left unsaid: the caller's own schedule (its hang-up, the call's bound) ` +
      `ended the call first`) + unknown;
}

/**
 * How the calls ended, in words (`endedPhrase`: `ended by caller`, `aborted`), and, where the
 * caller's side ended them on a rule the bot broke, that it was the platform's hang-up, not the
 * caller's choice; where calls ended by an error never connected, that they did not.
 */
function endedByText(
  by: CallEndedBy,
  platformHangUps: number,
  calls?: number,
  neverConnected = 0,
): string {
  const words = endedPhrase(by);
  // As each call's header says it ("never connected"): a run against a server that is down reads
  // so, not as errors of the bot's.
  if (by === "error" && neverConnected > 0) {
    return calls === neverConnected
      ? "never connected"
      : `${words} (${neverConnected} of them never connected)`;
  }
  if (by !== "caller" || platformHangUps === 0) return words;
  const which = calls === undefined || calls === platformHangUps
    ? ""
    : `${platformHangUps} of them `;
  return `${words} (${which}the platform, on a rule the bot broke)`;
}

/**
 * The aggregate's answers: how many were answered, and why the rest were not; for calls at max
 * speed, that their answers were not measured (all of them: not "0/0 answered").
 */
function aggregateResponses(r: AggregateReport): string {
  const unmeasured = r.unmeasuredCalls;
  if (r.calls > 0 && unmeasured === r.calls) {
    return `not measured at max speed (${counted(unmeasured, "call")}` +
      `${aggregateLeftUnsaid(r)})`;
  }
  return `${r.utterances - r.unanswered}/${r.utterances} answered${
    r.cutShort === 0 ? "" : `, ${r.cutShort} cut short by the caller's own schedule`
  }${aggregateNotReached(r)}${aggregateLeftUnsaid(r)}${
    unmeasured === 0 ? "" : `, ${counted(unmeasured, "call")} at max speed not measured`
  } · ${distribution(r.responseLatencyMs)}`;
}

function formatAggregate(r: AggregateReport): string[] {
  const ended = (Object.entries(r.endedBy) as [CallEndedBy, number][])
    .map(([by, n]) => `${n} ${endedByText(by, r.endedOnBrokenRule, n, r.neverConnected)}`)
    .join(", ") || "none ended";
  return [
    `${counted(r.calls, "call")}${r.protocol ? ` (${r.protocol})` : ""}: ${ended}`,
    ...aggregateResultLines(r.verdict, r.calls),
    row("connect", distribution(r.connectMs)),
    row("first bot audio", distribution(r.firstAudibleMs)),
    row("responses", aggregateResponses(r)),
    row(
      "barge-ins",
      `${r.bargeIns} (${
        r.bargeIns - r.bargeInsFromUtterances
      } injected, ${r.bargeInsFromUtterances} the caller's own) · stopped ${
        r.bargeIns - r.bargeInsNotStopped
      } · ${distribution(r.stopLatencyMs)} · stale audio ${ms(r.staleAudioMs)}`,
    ),
    row(
      "bot audio",
      `underruns ${r.audio.underruns} (${ms(r.audio.underrunMs)}${
        transportEstimate(r.transportUnderruns)
      }) · late ${r.audio.lateChunks} · early ${r.audio.earlyChunks}`,
    ),
    row(
      "marks",
      `${r.marks.requested} asked · ${r.marks.acked} acked after playing · ${r.marks.ackedOnClear} on clear · ${r.marks.dropped} dropped · ${r.marks.pending} pending`,
    ),
    ...violationLines(r.violations),
    ...noteLines(r.notes),
    row("messages", `${r.messages.sent} sent · ${r.messages.received} received`),
  ];
}
