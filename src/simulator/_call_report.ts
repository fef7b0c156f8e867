/**
 * Turns one call's timelines into its {@linkcode CallReport}: which bot spurt answered which
 * utterance, how each barge-in went (injected, or the caller's own utterance over the bot), and
 * the figures of the playout buffer.
 *
 * @module
 */

import { summarize } from "./_distribution.ts";
import type { CallAudioTimeline } from "./_call_audio.ts";
import { BLOCK_MS, type TalkSpurtDetector } from "./_talk_spurts.ts";
import type {
  BargeIn,
  CallEnding,
  CallReport,
  CallUtterance,
  LeftUnsaid,
  MarkStats,
  NotReached,
  ProtocolViolation,
} from "./report.ts";

/**
 * The bot's talk that was under way when the caller began to speak goes on across a silence
 * shorter than this, and across any silence it breaks while the caller is still speaking: its
 * audio stopped for good (a barge-in's stop) at the first silence this long that lasts until the
 * caller has finished, and only what it says after that answers the caller. A bot that stopped
 * for the caller says nothing until the caller is done (else it talks over it again), and then
 * nothing before its own wait for the end of the caller's turn: this module's `SpeechDetector`
 * waits `minSilenceMs`, 500 ms by default, so its answer comes at least that long after it
 * stopped, however late it stopped. A bot that talks on through the caller, pausing between its
 * sentences, pauses for less (the caller's own utterances end only at a silence as long:
 * `CALLER_HANGOVER_MS`). A pause of 250 ms, the bot's spurt detector's hangover, was taken for a
 * stop and what followed it for the answer (a negative latency for a bot that never stopped).
 * A bot silent when the caller began (its reply over) answers with whatever it says next,
 * however soon; so does one that cleared its audio for the caller (its stop is known).
 */
const TURN_GAP_MS = 500;

/** A stretch of time: someone's speech, a spurt of the bot's. */
interface Stretch {
  startMs: number;
  endMs: number;
}

/** The timelines a call kept. */
export interface CallTimeline {
  audio: CallAudioTimeline;
  /** Call times at which the bot cleared its audio. */
  clears: number[];
  callerStartMs: number;
  callerAudioMs: number;
  firstAudioMs: number | null;
  speed: number;
}

/** Everything else the report carries. */
export interface CallFacts {
  protocol: string;
  url: string;
  startedAt: string;
  connectMs: number | null;
  /** When the platform's handshake completed (report.ts). */
  handshakeMs: number | null;
  ended: CallEnding;
  /** What the bot's ending left of the caller's audio unsaid (report.ts). */
  notReached: NotReached | null;
  /** What the caller's own schedule left of its audio unsaid (report.ts). */
  leftUnsaid: LeftUnsaid | null;
  /**
   * The caller's own schedule ended the call (`by`), and the utterance of its audio it cut
   * mid-sentence, by its start in the caller's audio (`startMs`, `null` for none); a barge-in
   * still being spoken at the end is cut by it too (report.ts `CallUtterance.cutShortBy`).
   * `null` when the schedule did not end the call.
   */
  cutShort: { by: LeftUnsaid["by"]; startMs: number | null } | null;
  marks: Omit<MarkStats, "ackDelayMs"> & { delays: number[] };
  dtmf: CallReport["dtmf"];
  violations: ProtocolViolation[];
  notes: Record<string, number>;
  messages: CallReport["messages"];
  record: boolean;
}

/** Builds the report of a finished call. */
export function buildReport(timeline: CallTimeline, facts: CallFacts): CallReport {
  const { audio } = timeline;
  const endMs = facts.ended.atMs;
  const utterances = callerUtterances(timeline, endMs, facts.cutShort);
  // At speed Infinity every utterance of the audio ends at the caller's start: a "latency" would
  // be the time since the call began, and which answer is whose is not known. None is measured.
  if (timeline.speed !== Infinity) {
    matchResponses(utterances, turnStarts(utterances, audio.bot.spurts, timeline.clears));
  }
  const spoken = [
    ...audio.bargeIns.map((s) => ({ ...s, source: "injected" as const })),
    ...(timeline.speed === Infinity ? [] : overBot(utterances, audio.bot.spurts)),
  ].sort((a, b) => a.startMs - b.startMs);
  const bargeIns: BargeIn[] = spoken.map((speech, i) => {
    const end = Math.min(speech.endMs, endMs);
    const before = spoken[i + 1]?.startMs ?? Infinity;
    const clearAtMs = timeline.clears.find((t) => t >= speech.startMs && t < before) ?? null;
    const stoppedAtMs = stoppedFor(
      { startMs: speech.startMs, endMs: end },
      audio.bot,
      timeline.clears,
    );
    return {
      source: speech.source,
      atMs: speech.startMs,
      endMs: end,
      clearAtMs,
      stoppedAtMs,
      stopLatencyMs: stoppedAtMs === null ? null : stoppedAtMs - speech.startMs,
      talkedOverMs: audio.bot.audibleMs(speech.startMs, end),
      staleAudioMs: clearAtMs === null ? null : audio.bot.audibleMs(clearAtMs, end),
    };
  });
  const { delays, ...marks } = facts.marks;
  const report: CallReport = {
    protocol: facts.protocol,
    url: facts.url,
    startedAt: facts.startedAt,
    speed: timeline.speed,
    connectMs: facts.connectMs,
    handshakeMs: facts.handshakeMs,
    durationMs: endMs,
    callerAudioMs: timeline.callerAudioMs,
    firstAudioMs: timeline.firstAudioMs,
    // Heard no earlier than it arrived (the detector's blocks may start up to one block before).
    firstAudibleMs: firstAudible(audio.bot.spurts[0]?.startMs, timeline.firstAudioMs),
    utterances,
    notReached: facts.notReached,
    leftUnsaid: facts.leftUnsaid,
    responseLatencyMs: summarize(
      utterances.flatMap((u) => (u.latencyMs === null ? [] : [u.latencyMs])),
    ),
    bargeIns,
    audio: audio.buffer.stats(),
    // The bot's side, which the wire does not carry: `simulateCall` reads it once the call is over.
    transportUnderruns: null,
    marks: { ...marks, ackDelayMs: summarize(delays) },
    dtmf: facts.dtmf,
    violations: facts.violations,
    notes: facts.notes,
    messages: facts.messages,
    ended: facts.ended,
  };
  if (facts.record) {
    const recording = audio.recording();
    if (recording) report.recording = recording;
  }
  return report;
}

/**
 * Gives each utterance (in order) the bot turn that answered it: the first to start once the
 * caller began it and before the next utterance began (`spurts`: where the bot's turns start,
 * {@linkcode turnStarts}). A turn that starts while the caller is still speaking, when the
 * utterance before went unanswered, is that one's late answer (a bot running a turn behind), not
 * an answer to a question not yet finished.
 */
export function matchResponses(
  utterances: readonly CallUtterance[],
  spurts: readonly { startMs: number }[],
): void {
  const answer = (utterance: CallUtterance, startMs: number) => {
    utterance.responseStartMs = startMs;
    utterance.latencyMs = startMs - utterance.endMs;
  };
  for (const [i, utterance] of utterances.entries()) {
    const next = utterances[i + 1]?.startMs ?? Infinity;
    const previous = utterances[i - 1];
    const starts = spurts.map((s) => s.startMs).filter((t) => t >= utterance.startMs && t < next);
    if (
      previous !== undefined && previous.responseStartMs === null && starts.length > 0 &&
      starts[0]! < utterance.endMs && starts[0]! >= previous.endMs
    ) {
      answer(previous, starts.shift()!);
    }
    if (starts.length > 0) answer(utterance, starts[0]!);
  }
}

/**
 * The bot's spurts that begin a turn of its own: not those that go on with its talk under way
 * when the caller began the utterance said last before them (see {@linkcode TURN_GAP_MS}).
 * `utterances` in order of their start; `clears`, the call times the bot cleared its audio.
 */
export function turnStarts<S extends Stretch>(
  utterances: readonly Stretch[],
  spurts: readonly S[],
  clears: readonly number[] = [],
): S[] {
  return spurts.filter((spurt, i) => {
    const previous = spurts[i - 1];
    const speech = utterances.findLast((u) => u.startMs <= spurt.startMs);
    return previous === undefined || speech === undefined ||
      !goesOn(previous, spurt, speech, clears);
  });
}

/**
 * When the bot's talk under way as the caller began `speech` stopped for good (see
 * {@linkcode TURN_GAP_MS}): the end of its last spurt, `null` if it still sounded when the call
 * ended; `speech.startMs` if the bot was silent then.
 */
function stoppedFor(
  speech: Stretch,
  bot: TalkSpurtDetector,
  clears: readonly number[],
): number | null {
  const { spurts } = bot;
  let i = spurts.findIndex((s) => s.startMs <= speech.startMs && speech.startMs < s.endMs);
  if (i < 0) return speech.startMs;
  while (i + 1 < spurts.length && goesOn(spurts[i]!, spurts[i + 1]!, speech, clears)) i++;
  // The spurt's last block was its last sound: a silent block after it, or the stream's end.
  return bot.silenceAfter(spurts[i]!.endMs, BLOCK_MS);
}

/**
 * Whether the bot's spurt `next` goes on with `previous` as one turn, for the caller who said
 * `speech`: `previous` sounded once the caller had begun, and the silence between is shorter
 * than {@linkcode TURN_GAP_MS} or broken before the caller finished. A clear of the bot's that
 * silenced `previous` (within its last block) or came in the silence, the caller having begun,
 * is the bot's own word that it stopped for the caller: what it says once the caller finished
 * is a turn of its own, however soon (a bot whose wait for the end of the caller's turn is under
 * 500 ms answers a short "yes?" sooner than that after its stop).
 */
function goesOn(
  previous: Stretch,
  next: Stretch,
  speech: Stretch,
  clears: readonly number[],
): boolean {
  if (previous.endMs <= speech.startMs) return false;
  if (next.startMs < speech.endMs) return true;
  const stopped = clears.some((t) =>
    t >= speech.startMs && t >= previous.endMs - BLOCK_MS && t < next.startMs
  );
  return !stopped && next.startMs - previous.endMs < TURN_GAP_MS;
}

/**
 * The caller's own utterances (not injected barge-ins) that began while the bot was audible:
 * within one of its spurts, from its first audible block to its last (pauses shorter than the
 * spurt detector's hangover included). Each is a barge-in as much as an injected one: the caller
 * spoke over the bot.
 */
function overBot(
  utterances: readonly CallUtterance[],
  spurts: readonly { startMs: number; endMs: number }[],
): { startMs: number; endMs: number; source: "utterance" }[] {
  return utterances
    .filter((u) =>
      u.source !== "barge-in" && spurts.some((s) => s.startMs <= u.startMs && u.startMs < s.endMs)
    )
    .map((u) => ({ startMs: u.startMs, endMs: u.endMs, source: "utterance" as const }));
}

/** What the caller said, in call time, in order: the audio's speech and the barge-ins. */
function callerUtterances(
  timeline: CallTimeline,
  endMs: number,
  cutShort: CallFacts["cutShort"],
): CallUtterance[] {
  const { audio, callerAudioMs } = timeline;
  const spoken = audio.caller
    ? audio.caller.spurts.map((s) => ({ ...s, source: "detector" as const }))
    : (audio.knownSegments ?? []).map((s) => ({ ...s, source: "segments" as const }));
  const utterances: CallUtterance[] = spoken
    .filter((s) => s.startMs < callerAudioMs)
    .map((s) => ({
      startMs: audio.callTime(s.startMs),
      endMs: audio.callTime(Math.min(s.endMs, callerAudioMs)),
      source: s.source,
      responseStartMs: null,
      latencyMs: null,
      ...(cutShort !== null && s.startMs === cutShort.startMs ? { cutShortBy: cutShort.by } : {}),
    }));
  for (const speech of audio.bargeIns) {
    utterances.push({
      startMs: speech.startMs,
      endMs: Math.min(speech.endMs, endMs),
      source: "barge-in",
      responseStartMs: null,
      latencyMs: null,
      // Still being spoken when the caller's own schedule ended the call: cut mid-sentence too;
      // one ending at that very instant left the caller no time to hear an answer, as for the
      // audio's utterances (_unsaid_utterances.ts `utteranceCutShort`).
      ...(cutShort !== null && speech.endMs >= endMs ? { cutShortBy: cutShort.by } : {}),
    });
  }
  return utterances.sort((a, b) => a.startMs - b.startMs);
}

/** When the bot was first heard: its first spurt, never before its first audio arrived. */
function firstAudible(spurtMs: number | undefined, firstAudioMs: number | null): number | null {
  if (spurtMs === undefined) return null;
  return firstAudioMs === null ? spurtMs : Math.max(spurtMs, firstAudioMs);
}
