/**
 * The shape of `SessionMetrics`' figures: plain data, ready for `JSON.stringify`, a log
 * line or a metrics library.
 *
 * @module
 */

/** Durations of one kind over a session, in ms; the figures are `null` while there are none. */
export interface DurationSummary {
  /** How many were measured. */
  count: number;
  /** The last one. */
  last: number | null;
  /** The median, to 1 %. */
  p50: number | null;
  /** The 95th percentile, to 1 %. */
  p95: number | null;
  /** The largest, exactly. */
  max: number | null;
}

/**
 * A latency of the conversation's, in ms, and how many of its kind were found but could not be
 * measured (`count` is those measured).
 */
export interface LatencySummary extends DurationSummary {
  /**
   * Found but not measured: told too late, what it measures to no longer kept (the 16 latest
   * are). Counted, never dropped silently.
   */
  unmeasured: number;
}

/** The caller's side of a session. */
export interface InboundMetrics {
  /** Audio frames received. */
  frames: number;
  /** Milliseconds of audio received. */
  audioMs: number;
  /**
   * Interarrival jitter as RFC 3550 §6.4.1 defines it (the smoothed change in transit time from
   * one packet to the next to arrive), from each packet's arrival time and media time: every
   * packet received, as the serializer tells it (`SessionObserver.inboundPacket`: the telephony
   * ones, duplicates and packets too late for the reorder window among them), else its frames'
   * `timestampMs` as they come; `null` without media times (raw PCM and JSON give none). Lost
   * packets add nothing, the reorder stage's wait and filled silence neither.
   */
  jitterMs: number | null;
  /** The largest the jitter figure has been after any packet (in the order they arrived). */
  maxJitterMs: number | null;
  /** Media packets put back in order (`transport.stats.inboundMediaReordered`). */
  reordered: number;
  /** Media packets dropped as duplicates. */
  duplicates: number;
  /**
   * Media packets dropped as too late to be put in place, or as a lone jump off the timeline that
   * no packet confirmed: a bogus number, or one still unconfirmed at a flush or restart
   * (`transport.stats.inboundMediaLate`).
   */
  late: number;
  /** Gaps (lost packets) filled with silence. */
  gapsFilled: number;
  /** Milliseconds of silence filled into those gaps. */
  gapMs: number;
  /** Times the media numbering jumped and the reorder stage started afresh. */
  resyncs: number;
  /** Audio frames dropped because the bot did not read them in time. */
  framesDropped: number;
}

/** The bot's side of a session. */
export interface OutboundMetrics {
  /**
   * Audio chunks sent (background alone included): those told to the observers, less those that
   * never left at all (dropped whole: a partial packet, a late refusal, an interruption's clear or
   * the close before an asynchronous answer). A chunk held whole for a packet counts while held.
   * At the session's end, `stats.audioChunksSent` but for chunks the socket lost part of.
   */
  chunks: number;
  /** Milliseconds of audio in them. */
  audioMs: number;
  /** Chunks sent more than `lateAfterMs` after they were due (pacing deadline, or when written). */
  lateChunks: number;
  /** How late those were, in ms. */
  lateness: DurationSummary;
  /**
   * Times the bot's speech ran dry at the far end in the middle of a response, by the playout
   * estimate: a chunk of the response played more than 0.5 ms after the audio before it ended.
   * A hold of the far end's playout the bot asked for (Asterisk's `PAUSE_MEDIA`) is none.
   */
  underruns: number;
  /** How long the far end had nothing to play in those, in all, in ms. */
  underrunMs: number;
  /**
   * Times sending paused at the far end's request (Asterisk's `MEDIA_XOFF`) or for its serializer
   * (jambonz and FreeSWITCH, until `mod_audio_fork` has applied a `killAudio`): nothing is dropped,
   * but chunks wait (`transport.stats.sendPauses`).
   */
  sendPauses: number;
  /**
   * How long sending stayed paused in those, in all, in ms (`transport.stats.sendPausedMs`): a
   * pause still held counts its time so far (a live snapshot's, or a `detach()`'s, to then; one
   * held as the session ends, until the end), as it counts in `sendPauses` from its start.
   */
  sendPausedMs: number;
  /** Audio bytes dropped by interruptions (`transport.stats.audioBytesInterrupted`). */
  bytesInterrupted: number;
  /** Audio bytes of interrupted responses dropped before sending (`audioBytesStale`). */
  bytesStale: number;
  /**
   * Text frames of interrupted responses dropped before sending (`textFramesStale`), where the
   * far end speaks the bot's text (`FrameSerializer.speaksText`: ConversationRelay): there they
   * are the stale reply, as `bytesStale` is where the bot sends audio.
   */
  textFramesStale: number;
  /**
   * Interrupted responses the stale-response gate forgot to keep its bound
   * (`transport.stats.staleResponsesForgotten`): should one send again, its audio is played.
   */
  staleResponsesForgotten: number;
  /**
   * Audio bytes dropped because the session was closing or closed, or the socket refused their
   * message, and with `lastPacket: "drop"` each reply's partial packet
   * (`transport.stats.audioBytesDroppedOnClose`).
   */
  bytesDroppedOnClose: number;
  /**
   * Milliseconds of audio sent that the far end still held unplayed as the session ended, its
   * playout held at the bot's request (Asterisk's `PAUSE_MEDIA` with no `CONTINUE_MEDIA` since):
   * sent, never heard (`transport.stats.audioMsUnplayedAtEnd`). Counted as the session ends: 0
   * before, and in the final figures.
   */
  audioMsUnplayedAtEnd: number;
}

/** A session's metrics at one moment: what `SessionMetrics.snapshot()` returns. */
export interface SessionMetricsSnapshot {
  /** Milliseconds from attaching to now, or to the end of the session. */
  durationMs: number;
  /** Whether the session is over (the figures are final). */
  ended: boolean;
  /** The caller's side. */
  inbound: InboundMetrics;
  /** The bot's side. */
  outbound: OutboundMetrics;
  /** Interruptions (`transport.stats.interruptions`). */
  interruptions: number;
  /**
   * From the end of the caller's turn to the bot's first audible audio after it. `unmeasured`:
   * turns answered whose end was told (`callerTurnEnded(at)`) only after the bot had begun 16
   * newer spells of speaking, the spell that answered it no longer kept (the 16 latest are;
   * measured against a later one, it would read too long).
   */
  turnLatency: LatencySummary;
  /**
   * From the caller starting to talk over the bot to the bot falling silent ("interrupted"; where
   * the interruption's clear waited, when it left or the far end ran dry before), or, for a
   * response the far end held at the bot's request before it was interrupted, to the hold.
   * `unmeasured`: barge-ins whose caller's speech was told (`callerSpeechStarted(at)`) only after
   * 16 newer interruptions no speech had claimed yet: the 16 latest unclaimed wait for their
   * speech, an older one is let go, and speech told later that began while it could have been
   * talked over (from the bot's silence before the response to the interruption) counts here.
   * Told after 32 such interruptions, it counts wherever it falls among the older ones, the gaps
   * between them too (it may then have talked over nothing).
   */
  bargeInStopLatency: LatencySummary;
}

/** How an instrument of `SessionMetrics.instruments` is read, in OpenTelemetry's terms. */
export type InstrumentKind = "counter" | "gauge" | "histogram";

/** One instrument: an OpenTelemetry-style metric a session's figures map onto. */
export interface MetricInstrument {
  /** The metric's name, e.g. `voice.turn.latency`. */
  name: string;
  /** Counter (add the session's total at its end), gauge (last value) or histogram (each value). */
  kind: InstrumentKind;
  /** UCUM unit: `ms`, or an annotation such as `{chunk}`. */
  unit: string;
  /** What it measures. */
  description: string;
  /** Where its value is in a {@linkcode SessionMetricsSnapshot} (a dotted path). */
  snapshot: string;
}
