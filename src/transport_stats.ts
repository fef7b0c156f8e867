/**
 * The counters a transport keeps, so that nothing it drops goes unreported.
 *
 * @module
 */

/** A snapshot of a transport's counters since it started. */
export interface TransportStats {
  /** WebSocket messages received. */
  messagesIn: number;
  /** Bytes received (text counted as UTF-16 code units). */
  bytesIn: number;
  /** WebSocket messages sent. */
  messagesOut: number;
  /** Bytes sent (text counted as UTF-16 code units). */
  bytesOut: number;
  /**
   * Frames handed to the bot (on `readable`, or to a `receive` handler), counted as they are
   * queued: none that come while the session closes (`inboundFramesDroppedOnClose`) or after the
   * reader cancelled `readable`. Those queued and then dropped unread count here too, and again
   * where they were dropped: for a reader behind (`inboundAudioFramesDropped`), behind a handler
   * that threw (`inboundFramesDroppedOnClose`), at the reader's cancel (`inboundFramesDiscarded`).
   */
  framesIn: number;
  /**
   * Frames the bot sent (`send`) or wrote to `writable`, counted as taken: malformed ones too
   * (refused then, in `encodeErrors`), and those dropped because the session was closing (in
   * `…DroppedOnClose`); not a value that is no frame at all (`null`, an unknown `type`), counted
   * only in `encodeErrors`.
   */
  framesOut: number;
  /**
   * Outbound audio chunks (background alone included) that began to leave, with nothing of them
   * lost: each counts once, as the first of its audio leaves. One the packetizer holds whole
   * (`fixedAudioPacketSize`, its packet not yet whole) counts once that packet leaves, and never
   * if it is dropped (`lastPacket` "drop", an interruption, the close); one the serializer holds
   * whole (Vonage's and Asterisk's partial frame, a resampler's start) counts as it is handed
   * over, as its bytes do in `audioBytesSent`; one the socket lost any of (it was closing) does
   * not count. `SessionMetrics`' `voice.outbound.chunks` agrees once the session is over.
   */
  audioChunksSent: number;
  /**
   * Outbound PCM bytes sent (before WAV header, serializer and packetizer), the chunks of
   * background audio alone included: what left, not what the bot wrote. Bytes whose packet the
   * packetizer still holds count once it leaves. The exception, without `fixedAudioPacketSize`:
   * the part of a frame Vonage's and Asterisk's serializers hold for the next audio (under
   * 20 ms) counts when handed to them, and comes off again (into `audioBytesInterrupted` or
   * `audioBytesDroppedOnClose`) if an interruption or the close drops it, so this one counter can
   * step back by that much. With `fixedAudioPacketSize` it waits uncounted, as the packetizer's
   * partial packet does, and counts once its packet leaves (or where it is dropped).
   */
  audioBytesSent: number;
  /** Outbound PCM bytes dropped by interruptions (queued, held in a packet, held by a serializer). */
  audioBytesInterrupted: number;
  /**
   * Outbound PCM bytes dropped because the session was closing or closed, or the socket refused
   * their message; with `lastPacket: "drop"`, also the partial packets that policy drops at the
   * end of each utterance.
   */
  audioBytesDroppedOnClose: number;
  /**
   * Outbound non-audio frames dropped because the session was closing or closed, or the socket
   * refused their message.
   */
  framesDroppedOnClose: number;
  /** Inbound audio frames dropped because `readable`'s reader fell behind. */
  inboundAudioFramesDropped: number;
  /**
   * Inbound messages the serializer could not read, or could read only in part (each reported as
   * a "decode" error; what could be read goes on: a media message whose timestamp cannot be right
   * still delivers its audio, timed by its sequence), or that were refused unread (one over
   * `maxMessageBytes`, which ends the session with 1009: by the transport, or from its frame header
   * by the runtime, `ws`, Bun or workerd, whose refused message is in `messagesIn` but not in
   * `bytesIn`, its size never read).
   */
  decodeErrors: number;
  /**
   * Outbound frames the serializer could not write, or the protocol has no message for (a `mark`
   * on raw PCM): dropped. Also a bot's `mark` the serializer gave up waiting for (Vonage's and
   * Asterisk's, past the last 64 unanswered, or in one of more than 16 unconfirmed Asterisk
   * flushes): it never comes back.
   */
  encodeErrors: number;
  /** Interruptions handled. */
  interruptions: number;
  /** Outbound audio bytes dropped because their response had been interrupted (stale). */
  audioBytesStale: number;
  /**
   * Outbound text frames dropped because their response had been interrupted (stale), where the
   * far end speaks text (`FrameSerializer.speaksText`).
   */
  textFramesStale: number;
  /**
   * Interrupted responses the stale-response gate forgot to keep its bound: it remembers the
   * 1,024 responses heard last, and one silent while 1,024 others began is forgotten. Should it
   * send again, its audio (or text) is taken for a new response's and sent, not counted in
   * `audioBytesStale`. The first is reported (an "encode" error; the session goes on).
   */
  staleResponsesForgotten: number;
  /**
   * Marks the transport inserted to learn the far end's playout, handed to the serializer: those
   * it gave up unsent too (see `marksUnanswered`).
   */
  marksSent: number;
  /** Of those, the ones the far end acknowledged. */
  marksAcknowledged: number;
  /**
   * Of those, the ones the transport stopped waiting for: dropped from the far end's buffer by an
   * interruption's clear (an answer to one later is ignored), passed by the answer to a later mark,
   * or still pending when the session ended; and, counted at once, those the serializer gave up
   * unsent for want of room at the far end (mod_audio_fork's 30 slots, its media stalled). After
   * one so given up, the regular marks wait for the far end's next answer to any mark (or a
   * bot's `clearMarks`, which frees every slot): a stall counts one, not one per
   * `markIntervalMs`. Marks a bot's `clearMarks` made mod_audio_fork forget count as it leaves
   * (but the end-of-speech mark the serializer sends again). Marks sent = acknowledged +
   * unanswered + pending; once the session is over, nothing is pending.
   */
  marksUnanswered: number;
  /** Inbound media packets that arrived out of order and were put back in order. */
  inboundMediaReordered: number;
  /** Inbound media packets dropped as exact duplicates of one already delivered. */
  inboundMediaDuplicates: number;
  /**
   * Inbound media packets dropped because they came too late to be put in place, or because they
   * jumped off the timeline and no later packet confirmed the jump (a bogus number: the timeline
   * went on without them, or the next packet off it landed elsewhere; or a flush or restart came
   * first and the jump was no loss to fill).
   */
  inboundMediaLate: number;
  /** Gaps in inbound media (lost packets) filled with silence. */
  inboundMediaGapsFilled: number;
  /** Milliseconds of silence filled into inbound gaps. */
  inboundMediaGapMs: number;
  /** Times the inbound media numbering jumped absurdly and the reorder stage started afresh. */
  inboundMediaResyncs: number;
  /**
   * Outbound audio bytes the protocol could not carry (a monitor-only session) or the serializer
   * refused (Twilio's before its start message), dropped.
   */
  audioBytesRefused: number;
  /**
   * Milliseconds of outbound audio sent that the far end still held unplayed when the session
   * ended: its playout held (`SerializerContext.farEndHeld`; on Asterisk, the bot's `PAUSE_MEDIA`
   * with no `CONTINUE_MEDIA` since) as an `end` hung up (giving up waiting for it at
   * `playoutTimeoutMs`; the "timeout" error the hang-up reports says how much too), a `cancel`
   * hung up, `close()` closed, or the far end closed or the socket dropped (Asterisk hangs the
   * channel up with its socket, its queue unplayed). Counted once a session, by whichever came
   * first (an `end` then the close it asks for: once). That audio left (it is in `audioBytesSent`,
   * in no other byte counter) and was never heard; what never left (a partial frame or packet)
   * is `audioBytesDroppedOnClose`'s, not this. By the playout estimate, to the ms.
   */
  audioMsUnplayedAtEnd: number;
  /**
   * Times sending paused at the far end's request (Asterisk's `MEDIA_XOFF`) or for its serializer
   * (jambonz and FreeSWITCH: until `mod_audio_fork` has applied a `killAudio`); nothing is dropped.
   */
  sendPauses: number;
  /**
   * Milliseconds sending stayed paused (see `sendPauses`), in all: one still held counts to the
   * moment these counters are read, one held at the end, to it.
   */
  sendPausedMs: number;
  /**
   * Errors no "error" listener heard (none was registered), beyond the 16 held for the next one
   * (the oldest go first).
   */
  errorsUnheard: number;
  /**
   * Inbound messages dropped because they came after the far end's end of stream, or out of step
   * only because the serializer refused the one before, once its `disconnect` has gone
   * (Genesys's, until its close); one still being read when the session ended counts in
   * `inboundMessagesDroppedOnClose` instead.
   */
  inboundAfterEnd: number;
  /**
   * Inbound messages the session ended before the serializer had read them, dropped: the one
   * whose asynchronous `deserialize` (or `Blob` read) was still under way, and those waiting
   * behind it (or for the serializer's set-up); once more than four times `maxInboundFrames`
   * waited (the session ended with a "backpressure" error), those that came after it too. Each is
   * in `messagesIn` too; reported once a session (a "closed" error). Messages read while the
   * session closes are not counted here: their frames are, in `inboundFramesDroppedOnClose`.
   */
  inboundMessagesDroppedOnClose: number;
  /**
   * Inbound frames read while the session closed, after the bot's frames had ended, dropped: a
   * local close reads on until the peer answers, and the serializer hands on what it held at the
   * end. Frames the transport takes itself (the far end's answers to its own marks) are not
   * counted, nor those after the reader cancelled `readable`. Counted only, no error: a far end
   * streams until it hears the close, so nearly every hang-up of the bot's own has some.
   */
  inboundFramesDroppedOnClose: number;
  /**
   * Inbound frames queued for `readable`'s reader, dropped unread when it cancelled `readable`
   * (`readable.cancel()`, a `for await` loop that breaks or throws, a pipe that cancels its
   * source: its destination failed or closed, its signal aborted). Each is in `framesIn` too.
   * Counted only, no error: the reader chose to stop. Frames that come after the cancel are in
   * neither (their messages are in `messagesIn`): the bot asked for no more, and nothing holds
   * them. With `preventCancel` (on `values()` or `pipeTo`) the frames stay for the next reader.
   */
  inboundFramesDiscarded: number;
}

/**
 * The counters a serializer adds to through {@linkcode SerializerContext.count}. Audio it drops
 * (the partial frame Vonage and Asterisk hold for the next audio, at an interruption or a cancel;
 * Genesys's once its session is closing, in `audioBytesDroppedOnClose`) is counted as the bot's
 * PCM16 bytes it was made from, as the transport counts what it sends; a
 * frame whose message it drops as too late (an `end` a `cancel` overtook while its `serialize`
 * waited) in `framesDroppedOnClose`, as the transport counts frames after a cancel.
 */
export type SerializerCounter =
  | "audioBytesInterrupted"
  | "audioBytesDroppedOnClose"
  | "framesDroppedOnClose"
  | "inboundMediaReordered"
  | "inboundMediaDuplicates"
  | "inboundMediaLate"
  | "inboundMediaGapsFilled"
  | "inboundMediaGapMs"
  | "inboundMediaResyncs"
  | "audioBytesRefused"
  | "inboundAfterEnd"
  | "decodeErrors"
  | "encodeErrors";

/** A fresh set of counters, all zero. */
export function emptyStats(): TransportStats {
  return {
    messagesIn: 0,
    bytesIn: 0,
    messagesOut: 0,
    bytesOut: 0,
    framesIn: 0,
    framesOut: 0,
    audioChunksSent: 0,
    audioBytesSent: 0,
    audioBytesInterrupted: 0,
    audioBytesDroppedOnClose: 0,
    framesDroppedOnClose: 0,
    inboundAudioFramesDropped: 0,
    decodeErrors: 0,
    encodeErrors: 0,
    interruptions: 0,
    audioBytesStale: 0,
    textFramesStale: 0,
    staleResponsesForgotten: 0,
    marksSent: 0,
    marksAcknowledged: 0,
    marksUnanswered: 0,
    inboundMediaReordered: 0,
    inboundMediaDuplicates: 0,
    inboundMediaLate: 0,
    inboundMediaGapsFilled: 0,
    inboundMediaGapMs: 0,
    inboundMediaResyncs: 0,
    audioBytesRefused: 0,
    audioMsUnplayedAtEnd: 0,
    sendPauses: 0,
    sendPausedMs: 0,
    errorsUnheard: 0,
    inboundAfterEnd: 0,
    inboundMessagesDroppedOnClose: 0,
    inboundFramesDroppedOnClose: 0,
    inboundFramesDiscarded: 0,
  };
}
