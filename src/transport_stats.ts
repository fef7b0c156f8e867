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
  /** Frames delivered on `readable`. */
  framesIn: number;
  /** Frames taken from `writable`. */
  framesOut: number;
  /** Outbound audio chunks sent. */
  audioChunksSent: number;
  /** Outbound PCM bytes sent (before WAV header, serializer and packetizer). */
  audioBytesSent: number;
  /** Outbound PCM and packet bytes dropped by interruptions. */
  audioBytesInterrupted: number;
  /** Outbound bytes dropped because the session was closing or closed. */
  audioBytesDroppedOnClose: number;
  /** Outbound non-audio frames dropped because the session was closing or closed. */
  framesDroppedOnClose: number;
  /** Inbound audio frames dropped because `readable`'s reader fell behind. */
  inboundAudioFramesDropped: number;
  /** Inbound messages the serializer could not read. */
  decodeErrors: number;
  /** Outbound frames the serializer could not write (dropped). */
  encodeErrors: number;
  /** Interruptions handled. */
  interruptions: number;
}

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
  };
}
