/**
 * The messages the demo server sends the page about a parrot session: the server's view of it,
 * live. Each is one JSON object on one `data:` line of the `/view?session=ID` event stream
 * (`text/event-stream`, read with `EventSource`). Every message has a `type` and `t`, the
 * milliseconds since the session began on the server's clock; `responseId` is `null` for audio
 * without one. Durations and timeline positions are milliseconds.
 *
 * @module
 */

import type { SessionMetricsSnapshot, SpeakingStopReason } from "@x/ws-transport";

/** What every view message carries. */
export interface ViewEventBase {
  /** What happened. */
  type: string;
  /** When, in ms since the session began (server clock). */
  t: number;
}

/** The first message: the line and the settings the figures depend on. */
export interface HelloViewEvent extends ViewEventBase {
  type: "hello";
  /** Which line: `wideband` (raw PCM 16 kHz) or `phone` (Twilio Media Streams, μ-law 8 kHz). */
  line: "wideband" | "phone";
  /** Outbound chunk length. */
  chunkMs: number;
  /** How far ahead of its playing time audio leaves. */
  sendAheadMs: number;
  /** The far end's delay behind the pacing estimate, as configured (the page's figure). */
  playoutDelayMs: number;
  /** Whether the line acknowledges playout (marks): `true` on the phone line. */
  acknowledged: boolean;
  /** The transport's mark cadence on an acknowledging line; 0 on a line without acks. */
  markIntervalMs: number;
}

/** The socket is open and the transport ready ("connected"). */
export interface ConnectedViewEvent extends ViewEventBase {
  type: "connected";
}

/** The phone line's Twilio `start` message arrived. */
export interface StartViewEvent extends ViewEventBase {
  type: "start";
  streamSid: string | null;
  callSid: string | null;
}

/** The server's speech detector heard the caller start (`speaking: true`) or stop. */
export interface CallerViewEvent extends ViewEventBase {
  type: "caller";
  speaking: boolean;
  /** When the speech started or stopped (earlier than `t`: detection takes time). */
  at: number;
  /** For a stop: how long the caller spoke. */
  durationMs: number | null;
}

/** The parrot began a reply: a new response. */
export interface ResponseViewEvent extends ViewEventBase {
  type: "response";
  responseId: string;
  /** The reply's full length. */
  durationMs: number;
}

/**
 * Outbound audio that left, as a run of consecutive chunks of one response: its span on the
 * session's outbound timeline (`fromMs`–`toMs`: ms of audio sent before it, which is also where
 * it sits in what the page receives) and when its first and last chunk left. A run grows: it is
 * sent again, same `fromMs`, as it does.
 */
export interface SentViewEvent extends ViewEventBase {
  type: "sent";
  responseId: string | null;
  fromMs: number;
  toMs: number;
  firstSentAt: number;
  lastSentAt: number;
}

/** The transport's "speakingstart": a response began playing at the far end. */
export interface SpeakingStartViewEvent extends ViewEventBase {
  type: "speakingstart";
  responseId: string | null;
  heardMs: number;
  sentMs: number;
  /** Whether the moment rests on the far end's acknowledgement (marks). */
  acknowledged: boolean;
}

/** The transport's "speakingstop": a response played out, was interrupted, or the session ended. */
export interface SpeakingStopViewEvent extends ViewEventBase {
  type: "speakingstop";
  responseId: string | null;
  heardMs: number;
  sentMs: number;
  acknowledged: boolean;
  reason: SpeakingStopReason | null;
}

/** The caller talked over a reply: what `interrupt()` answered. */
export interface InterruptedViewEvent extends ViewEventBase {
  type: "interrupted";
  responseId: string | null;
  /** What the caller heard of it. */
  heardMs: number;
  /** Audio dropped: queued, or sent and not yet played. */
  droppedMs: number;
  /** Whether `heardMs` rests on acknowledgements (the phone line) or the estimate. */
  acknowledged: boolean;
  /** The reply's full length, for "heard 1.32 s of 2.80 s". */
  responseMs: number | null;
}

/** Audio of an interrupted response arrived after the interruption and was dropped (once each). */
export interface StaleAudioViewEvent extends ViewEventBase {
  type: "staleaudio";
  responseId: string | null;
}

/** The transport's playback state and counters, sent every 100 ms while they change. */
export interface ProgressViewEvent extends ViewEventBase {
  type: "progress";
  /** `transport.playback`. */
  playback: {
    speaking: boolean;
    responseId: string | null;
    heardMs: number;
    sentMs: number;
    queuedMs: number;
    acknowledged: boolean;
  };
  /** From `transport.stats`, audio in ms. */
  stats: {
    audioMsSent: number;
    audioMsInterrupted: number;
    audioMsStale: number;
    interruptions: number;
    marksSent: number;
    marksAcknowledged: number;
    decodeErrors: number;
  };
  /**
   * Messages of this view dropped so far, never sent: kept too long for a page that had not
   * opened the view yet (past 500, the oldest), or sent while the page had stopped reading.
   */
  dropped: number;
}

/** One measurement of `SessionMetrics` ("metric"): a turn's latency, a barge-in's, a late chunk. */
export interface MetricViewEvent extends ViewEventBase {
  type: "metric";
  /** The instrument, e.g. `voice.turn.latency`. */
  name: string;
  value: number;
  unit: string;
}

/** `SessionMetrics.snapshot()`, every 500 ms while it changes. */
export interface MetricsViewEvent extends ViewEventBase {
  type: "metrics";
  snapshot: SessionMetricsSnapshot;
}

/** A `TransportError` the session went on after (a message the server could not read, …). */
export interface ErrorViewEvent extends ViewEventBase {
  type: "error";
  code: string;
  message: string;
}

/** The last message: the session is over; the event stream closes after it. */
export interface EndedViewEvent extends ViewEventBase {
  type: "ended";
  code: number;
  reason: string;
  initiator: "local" | "remote";
  /** The metrics' one-line summary (logfmt). */
  summary: string;
  /** The final metrics. */
  snapshot: SessionMetricsSnapshot;
  /** Messages of this view dropped in all (see `ProgressViewEvent.dropped`). */
  dropped: number;
}

/** No session joined the view in time (the stream closes after it). */
export interface ExpiredViewEvent extends ViewEventBase {
  type: "expired";
}

/** Any message of the `/view` stream. */
export type ViewEvent =
  | HelloViewEvent
  | ConnectedViewEvent
  | StartViewEvent
  | CallerViewEvent
  | ResponseViewEvent
  | SentViewEvent
  | SpeakingStartViewEvent
  | SpeakingStopViewEvent
  | InterruptedViewEvent
  | StaleAudioViewEvent
  | ProgressViewEvent
  | MetricViewEvent
  | MetricsViewEvent
  | ErrorViewEvent
  | EndedViewEvent
  | ExpiredViewEvent;
