/**
 * What a simulated call found: the shape of {@linkcode CallReport}. Times are milliseconds of
 * the call, from the moment its socket opened.
 *
 * @module
 */

import type { Distribution } from "./_distribution.ts";
import type { PlayoutStats } from "./playout_buffer.ts";
import type { CallVerdict } from "./call_verdict.ts";
import type { SpeechSegment } from "./caller_audio.ts";

export type { Distribution } from "./_distribution.ts";
export type { PlayoutStats } from "./playout_buffer.ts";

/** One thing the caller said, and how the bot answered. */
export interface CallUtterance {
  /** When the caller started speaking. */
  startMs: number;
  /** When the caller stopped. */
  endMs: number;
  /** Where the times come from: the audio's known segments, the energy detector, or a barge-in. */
  source: "segments" | "detector" | "barge-in";
  /**
   * When the bot's answer started playing to the caller: its next turn, not its talk going on
   * through the caller's (see {@linkcode BargeIn.stoppedAtMs}); `null` when it never did, or when
   * it is not measured (at speed `Infinity`: see {@linkcode CallReport.responseLatencyMs}).
   */
  responseStartMs: number | null;
  /**
   * `responseStartMs - endMs`: negative when the bot started before the caller finished (but a
   * bot spurt that starts while the caller speaks, with the utterance before still unanswered,
   * counts as that one's late answer).
   */
  latencyMs: number | null;
  /**
   * The caller's own schedule ended the call in the middle of this utterance: its hang-up
   * (`"hang-up"`: `hangUpAtMs`, `--hang-up-at`) or the call's bound (`"max-duration"`), as the
   * report's `leftUnsaid` says. The caller left mid-sentence, so unanswered it is not held against
   * the bot (`judgeCall`'s `requireAnswer` does not count it, nor the text report's answered
   * count). A barge-in still being spoken then is cut the same way. So is one that ended at the
   * very instant the call did: said in full, but with no time at all left to hear an answer, none
   * is owed (one that ended a frame earlier is owed its answer). For a stream without speech
   * segments, whose rest is not known, only an utterance still sounding at the cut is (one in a
   * pause is taken as said in full). Absent otherwise: an utterance the bot's ending cut short
   * is unanswered.
   */
  cutShortBy?: LeftUnsaid["by"];
}

/**
 * What the caller's audio still held when the bot ended the call: utterances the caller never got
 * to say, so never answered. A bot that closes the socket at once, or hangs up in the middle of
 * the caller's turn, has not answered what it never let the caller ask.
 */
export interface NotReached {
  /**
   * How much of the caller's audio was said when the bot ended the call, in ms of the audio: what
   * is after it never was.
   */
  audioMs: number;
  /**
   * The utterances after `audioMs`, in ms of the caller's audio (never said, they have no call
   * time), found as the report's `utterances` are: from the speech segments when known, else by
   * the energy detector over the rest of the audio. An utterance the caller had begun when the bot
   * ended the call is not here: it is in `utterances`, cut short and unanswered. `null` when not
   * known: the audio is a stream without speech segments, whose rest is never read (give its
   * `speechSegments` to have it counted).
   */
  utterances: SpeechSegment[] | null;
}

/**
 * What the caller's audio still held when the caller's own schedule ended the call: utterances it
 * was set never to say. Not the bot's doing, so no answer is owed for them (`judgeCall`'s
 * `requireAnswer` does not count them), but a run that meant to test them did not.
 */
export interface LeftUnsaid {
  /**
   * Which of the caller's settings ended the call: its hang-up (`"hang-up"`: `hangUpAtMs`,
   * `--hang-up-at`) or the call's bound on its length (`"max-duration"`: `maxDurationMs`,
   * `--max-duration`).
   */
  by: "hang-up" | "max-duration";
  /**
   * How much of the caller's audio was said when the call ended, in ms of the audio: what is
   * after it never was.
   */
  audioMs: number;
  /**
   * The utterances after `audioMs`, in ms of the caller's audio, found as {@linkcode
   * NotReached.utterances} are (an utterance the caller had begun is in `utterances`); `null`
   * when not known: a stream without speech segments, whose rest is never read.
   */
  utterances: SpeechSegment[] | null;
}

/** One time the caller spoke over the bot, and what the bot did about it. */
export interface BargeIn {
  /**
   * What the caller said over the bot: speech the simulator mixed in to barge in (`"injected"`,
   * the `bargeIn` option), or an utterance of the caller's own audio that began while the bot was
   * audible (`"utterance"`; not measured at speed `Infinity`, where utterances have no call time).
   */
  source: "injected" | "utterance";
  /** When the caller started speaking over the bot's audio. */
  atMs: number;
  /** When the caller stopped. */
  endMs: number;
  /** When the bot's clear (Twilio `clear`, …) arrived, if it sent one. */
  clearAtMs: number | null;
  /**
   * When the caller stopped hearing the bot: when its talk under way at `atMs` ended for good
   * (pauses under 500 ms, or any it broke while the caller still spoke, are part of it), or at a
   * clear that silenced it; `null` if it never stopped.
   */
  stoppedAtMs: number | null;
  /** `stoppedAtMs - atMs`. */
  stopLatencyMs: number | null;
  /** Bot audio the caller heard while speaking over it, in ms. */
  talkedOverMs: number;
  /**
   * Bot audio that played after the clear while the caller still spoke (stale audio the bot
   * should have dropped), in ms; `null` when no clear came.
   */
  staleAudioMs: number | null;
}

/** A platform rule the bot broke, with how often. */
export interface ProtocolViolation {
  /** A short stable id, `platform.rule` (`exotel.chunk-too-small`). */
  rule: string;
  /** How many times. */
  count: number;
  /** When it first happened. */
  firstAtMs: number;
  /** What happened the first time. */
  detail: string;
}

/** Marks (Twilio, Telnyx, Exotel marks, Plivo checkpoints, Vonage notify). */
export interface MarkStats {
  /** Marks the bot asked for. */
  requested: number;
  /** Acknowledged after the audio before them played. */
  acked: number;
  /** Acknowledged at once because a clear dropped the audio before them (Twilio). */
  ackedOnClear: number;
  /**
   * Never acknowledged: a clear dropped the audio before them, or the platform dropped them
   * (mod_audio_fork's `clearMarks`, or a mark past its limit of 30 waiting).
   */
  dropped: number;
  /** Still waiting when the call ended. */
  pending: number;
  /** From request to acknowledgement, for the marks acknowledged after playing. */
  ackDelayMs: Distribution | null;
}

/**
 * The bot's own count of the gaps the far end heard: its transport's underruns, by the playout
 * estimate (`SessionMetrics`' `outbound.underruns` and `outbound.underrunMs`).
 */
export interface TransportUnderruns {
  /** Times the bot's speech ran dry at the far end within a response, by the estimate. */
  underruns: number;
  /** How long the far end had nothing to play in those, in all, in ms. */
  underrunMs: number;
}

/** Who ended the call. */
export type CallEndedBy = "caller" | "bot" | "network" | "timeout" | "error" | "aborted";

/** How the call ended. */
export interface CallEnding {
  /** Who ended it. */
  by: CallEndedBy;
  /**
   * When. For a call whose socket never opened (`connectMs` `null`), when the caller gave up,
   * from its attempt to connect (a connect timeout's end, a refusal's moment), as the report has
   * no opening to count from; 0 for a call aborted before it began to connect.
   */
  atMs: number;
  /** What happened, in words. */
  detail: string;
  /** The WebSocket close code, when the socket closed. */
  code?: number;
  /** The WebSocket close reason, when one was given. */
  reason?: string;
  /**
   * `true` when the call failed by how it ended though no socket failed: the bot ended it within
   * the protocol saying it failed (Genesys AudioHook's `disconnect` with reason `error` or
   * `unauthorized`). Absent otherwise.
   */
  failed?: true;
  /**
   * Why, in the bot's own words, where the protocol carries them (a Genesys `disconnect`'s
   * `info`, a ConversationRelay `end`'s `handoffData`), at most 200 characters; `detail` ends with them, quoted. Absent otherwise.
   */
  info?: string;
  /**
   * `true` when the call's signal (Ctrl-C) came after the call ended and cut short the wait for
   * the platform's closing handshake (Genesys waits 10 s for `closed`): whether the bot completed
   * it in time (`genesys.close-timeout`) was never checked, so the call is no pass (its verdict
   * `interrupted`, its gates still judged: the call ran its course). Absent otherwise.
   */
  closingCutShort?: true;
  /**
   * The platform's rule the bot broke for which the platform itself ended the call (`by`
   * `"caller"`: the platform's side hung up, not the caller by its schedule), as the `rule` of
   * one of the report's `violations`: `asterisk.message-too-large` (Asterisk hangs up on a
   * message over 65,500 bytes), `conversationrelay.invalid-message` (Telnyx closes after ten
   * invalid messages in a row: the rule of the tenth), `genesys.open-timeout` (Genesys hangs up
   * when no `opened` came within 5 s), `<protocol>.no-handshake` (a far end whose handshake never
   * completed in 15 s). What the caller had not said yet is the bot's doing: the report's
   * `notReached`; but before the handshake completed (`handshakeMs` `null`) the caller never
   * began, and that is what the report says (`notReached` is `null`). Absent otherwise.
   */
  brokenRule?: string;
}

/** Everything a simulated call measured. */
export interface CallReport {
  /**
   * Whether the call passed and every reason it failed, as `judgeCall` judged it with
   * the run's gates: set by the CLI (first in its JSON), absent from `simulateCall`'s report,
   * where `formatReport` and `aggregateReports` judge it with none.
   */
  verdict?: CallVerdict;
  /** The platform simulated. */
  protocol: string;
  /** The bot's URL. */
  url: string;
  /** The wall-clock time the call started, ISO 8601. */
  startedAt: string;
  /** How fast the caller's audio was sent (1: real time). */
  speed: number;
  /** How long the WebSocket took to open; `null` when it never did. */
  connectMs: number | null;
  /**
   * When the platform's opening handshake completed, from the socket's opening, and the caller's
   * audio could flow (Genesys: the bot's `opened`; 0 where the platform waits for no answer,
   * Twilio's streams); `null` when it never did (the bot never answered it, or the socket never
   * opened): the caller never spoke.
   */
  handshakeMs: number | null;
  /** How long the call lasted: `ended.atMs` (for a socket that never opened, the attempt). */
  durationMs: number;
  /** Milliseconds of caller audio sent. */
  callerAudioMs: number;
  /** When the bot's first audio reached the far end. */
  firstAudioMs: number | null;
  /** When the caller first heard the bot (audible audio played): the time to first bot audio. */
  firstAudibleMs: number | null;
  /** What the caller said and how fast the bot answered each. */
  utterances: CallUtterance[];
  /**
   * What the caller never got to say because the bot ended the call first (`ended.by` `"bot"`:
   * it closed the socket with any code, or ended the call within the protocol; `"network"`: its
   * connection dropped; or `"caller"` with `ended.brokenRule`: the platform hung up on a rule
   * the bot broke) before all of the caller's audio was said; `null` otherwise (the caller hung
   * up, the call reached `maxDurationMs`, the audio had all been said, or the platform's
   * handshake never completed: `handshakeMs` `null`, the caller never began). The text report
   * counts its utterances beside the answered ones (`responses 1/3 answered, 2 not reached: the
   * bot hung up at 4.10 s`; `… the platform hung up at 0.80 s on a rule the bot broke
   * (asterisk.message-too-large)`), and `judgeCall`'s `requireAnswer` fails each as one the bot
   * left unanswered.
   */
  notReached: NotReached | null;
  /**
   * What the caller never said because its own schedule ended the call (`ended.by` `"caller"` at
   * `hangUpAtMs`, or `"timeout"` at `maxDurationMs`) before all of its audio was said, after the
   * platform's handshake; `null` otherwise. The text report counts its utterances apart from the
   * answered ones (`responses 1/1 answered, 2 left unsaid: the caller hung up at 4.10 s, as
   * asked`); `judgeCall`'s `requireAnswer` does not hold them against the bot.
   */
  leftUnsaid: LeftUnsaid | null;
  /**
   * The response latencies of the answered utterances; `null` when none was answered, and always
   * at speed `Infinity`, where all of the audio's utterances end at the call's start and no
   * latency is measured.
   */
  responseLatencyMs: Distribution | null;
  /** The barge-ins and how the bot handled them. */
  bargeIns: BargeIn[];
  /**
   * The far end's playout buffer: audio received, played, cleared, late and early chunks, and the
   * underruns the caller heard (the buffer ran dry and the bot's audio came again within
   * `maxUnderrunMs`, no clear between: see {@linkcode PlayoutStats.underruns}), and the audible
   * audio still queued, unheard, when the call ended ({@linkcode PlayoutStats.unplayedAtEndMs}):
   * with `ended.by` `"bot"`, audio the bot hung up over (the text report's `the bot hung up with
   * 1.98 s of its audio unheard`; `judgeCall` fails it beyond 60 ms unless `allowUnheardGoodbye`).
   */
  audio: PlayoutStats;
  /**
   * The same gaps as the bot's transport counted them, by its playout estimate, read from
   * `simulateCall`'s `sessionMetrics` once the call was over; `null` when it was not given (a bot
   * in another process: the wire does not carry it) or gave none.
   */
  transportUnderruns: TransportUnderruns | null;
  /** Marks asked for and acknowledged. */
  marks: MarkStats;
  /**
   * Keypad presses sent, those the protocol could not carry, or not then (`unsupported`: Genesys
   * outside an open session, pipecat before its bot-ready), those the platform as set up did not
   * detect (`undetected`: ConversationRelay with `dtmfDetection` off), and those due after the
   * call had ended (never sent).
   */
  dtmf: { sent: number; unsupported: number; undetected: number; afterEnd: number };
  /** Platform rules the bot broke. */
  violations: ProtocolViolation[];
  /** Messages the platform accepted and the simulator noted, by kind. */
  notes: Record<string, number>;
  /** WebSocket traffic: messages, and their payload bytes (text as UTF-8). */
  messages: { sent: number; received: number; bytesSent: number; bytesReceived: number };
  /** How the call ended. */
  ended: CallEnding;
  /**
   * The stereo WAV recording (left: the caller, right: what the caller heard), when asked for and
   * the socket opened.
   */
  recording?: Uint8Array;
}
