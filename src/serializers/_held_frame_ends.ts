/**
 * {@linkcode HELD_FRAME_ENDS}: what the transport asks of a serializer that holds back a partial
 * frame of the bot's speech (Vonage, Asterisk, through `WholeFrames`) where a stretch of it ends.
 * Internal to the module.
 *
 * @module
 */

/**
 * What the transport's sender asks of a serializer that holds back a partial frame of the bot's
 * speech (Vonage, Asterisk) where a stretch of it ends, beyond `FrameSerializer.audioEnds`. The
 * frame it holds is the bot's speech (counted sent with its chunk where no packetizer is set),
 * not filter state: dropped, it must be counted; padded and sent, its silence plays at the far end
 * and must be placed where it plays. A protocol between the module's own parts, kept off the
 * public serializer contract: a serializer registers it in {@linkcode HELD_FRAME_ENDS}, and a
 * serializer that wraps one goes without it (as before: its held frame dropped uncounted where
 * the socket is not open, its padding off the timeline).
 */
export interface HeldFrameEnds {
  /**
   * Milliseconds the messages of the last `audioEnds` play beyond the audio placed with their
   * chunks: the silence padding the last frame, and the resampler's held-back end (the filter's
   * delay, which began the stretch as silence); 0 when it sent nothing.
   */
  endExtraMs(): number;
  /**
   * The bot's PCM16 bytes the partial frame held now was made from, as the serializer counts it
   * where it drops it. The transport takes this share of each chunk apart from its wire bytes,
   * which it produced none of: never among the packetizer's partial packet, so that dropping
   * both counts it once. Where the serializer drops the frame the transport counts exactly the
   * share it took (see `OutboundSender.countHeldDrop`): every `SerializerContext.count` with
   * `held` from such a serializer drops the whole held frame.
   */
  heldPcm(): number;
  /**
   * The stretch ends where nothing can leave (the socket is not open): drops the partial frame
   * held, counted in `audioBytesDroppedOnClose` as the bot's bytes (moved off `audioBytesSent`
   * where that counted them), and the resampler's held-back end (filter state, as
   * `audioEnds(false)` drops it).
   */
  dropEnd(): void;
}

/**
 * The {@linkcode HeldFrameEnds} of each serializer that has them, registered as it is made, read
 * once by the transport's sender as it is made (never per chunk).
 */
export const HELD_FRAME_ENDS: WeakMap<object, HeldFrameEnds> = new WeakMap();
