/**
 * {@linkcode HELD_FRAME_ENDS}: what the transport asks of a serializer that holds back a partial
 * frame of the bot's speech (Vonage, Asterisk, through `WholeFrames`) where a stretch of it ends.
 * Internal to the module.
 *
 * @module
 */

import type { WholeFrames } from "./_whole_frames.ts";
import type { WireFormat, WrittenBytes } from "./_written_bytes.ts";

/**
 * What the transport's sender asks of a serializer that holds back a partial frame of the bot's
 * speech (Vonage, Asterisk) where a stretch of it ends, beyond `FrameSerializer.audioEnds`. The
 * frame it holds is the bot's speech (counted sent with its chunk where no packetizer is set),
 * not filter state: dropped, it must be counted; padded and sent, its silence plays at the far end
 * and must be placed where it plays. A protocol between the module's own parts, kept off the
 * public serializer contract: a serializer registers it in {@linkcode HELD_FRAME_ENDS}.
 *
 * A limitation: the sender looks up the serializer the transport was given, and does not see
 * through one that wraps ours (an object of the user's that forwards to it, answering at once or
 * later). Such a serializer's held frame is counted as any serializer's audio, with its chunk:
 * - without `fixedAudioPacketSize`, in `audioBytesSent` as the chunk leaves; dropped by an
 *   interruption or a cancel, moved off it (counted once); dropped at the close, or at a stretch's
 *   end where the socket is no longer open, it stays counted sent though it never left;
 * - with it, in the chunk's packets (their PCM spread over the wire bytes of its whole frames):
 *   the packetizer's partial packet counts part of it too, so an interruption or a cancel, which
 *   drops both, counts up to one frame's bytes twice (the bot's 360 bytes of a 20 ms μ-law frame
 *   at 16 kHz: written + 360 accounted);
 * - a mark's or a stretch end's padded frame refused by the socket is not moved off
 *   `audioBytesSent`, and its padding is not placed on the playout timeline.
 * Registering through the `SerializerContext` at `bind` would reach a wrapper that forwards
 * `bind`, but not one that changes what `serialize` answers (adds, drops or reorders audio): the
 * sender's accounting takes the held frame's share apart from the wire bytes it is given, so it
 * is kept to the module's own serializers, as given.
 */
export interface HeldFrameEnds {
  /**
   * Milliseconds the messages of the last `audioEnds` play beyond the audio placed with their
   * chunks: the silence padding the last frame, and the resampler's held-back end (the filter's
   * delay, which began the stretch as silence); 0 when it sent nothing.
   */
  endExtraMs(): number;
  /**
   * Wire bytes of silence the last `audioEnds` (or a bot's mark) padded its frame with: the end
   * of its messages, which carry none of the bot's PCM (a packet left of them alone holds none).
   */
  endPaddedBytes(): number;
  /**
   * Wire bytes of the last `audioEnds` beyond the held audio (see `endExtraMs`): they end its
   * messages, so those of them a packetizer holds are the last it holds.
   */
  endExtraBytes(): number;
  /** Milliseconds `bytes` of the wire's audio play for, in its format now. */
  wireMs(bytes: number): number;
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
  /**
   * Set by the transport's sender where it cuts packets (`fixedAudioPacketSize`), called by the
   * serializer alone as the wire's format changes mid-call (Vonage's `websocket:connected` naming
   * another rate, Asterisk's `MEDIA_START` another format), never per chunk: the packetizer's
   * partial packet is in the old format and would play in the new one. `carried`: the serializer
   * carries it over, in front of its own partial frame (the bytes returned, in the old format);
   * otherwise it drops its own frame, and the sender drops the packet, counted in
   * `audioBytesRefused`, both off the playout timeline (nothing returned).
   */
  partialPacketAtChange?: (carried: boolean) => Uint8Array;
}

/**
 * The {@linkcode HeldFrameEnds} of each serializer that has them, registered as it is made, read
 * once by the transport's sender as it is made (never per chunk).
 */
export const HELD_FRAME_ENDS: WeakMap<object, HeldFrameEnds> = new WeakMap();

/** What a serializer that cuts its audio into whole frames gives {@linkcode registerHeldFrames}. */
export interface HeldFramesOf {
  /** Its frames, the partial one held among them; `end` sends a stretch's last. */
  frames: WholeFrames;
  /** Values wire bytes as the bot's PCM16 bytes. */
  written: WrittenBytes;
  /** The wire's format now. */
  wire(): WireFormat;
  /** Drops the partial frame, counted in `audioBytesDroppedOnClose`, and the resampler's end. */
  dropEnd(): void;
}

/** No bytes: no packetizer, or nothing held in it. */
const NO_BYTES = new Uint8Array(0);

/**
 * Registers `serializer`'s {@linkcode HeldFrameEnds}, read off its `WholeFrames`: what the last
 * stretch end padded and sent beyond the held audio, and what the held frame was made from.
 * Returns what the serializer calls as its wire's format changes: the transport's partial packet,
 * carried over (its bytes, in the old format) or dropped (see `partialPacketAtChange`).
 */
export function registerHeldFrames(
  serializer: object,
  held: HeldFramesOf,
): (carried: boolean) => Uint8Array {
  const { frames, written, wire, dropEnd } = held;
  const wireMs = (bytes: number): number => {
    const { bytesPerSample, sampleRate } = wire();
    return (bytes / (bytesPerSample * sampleRate)) * 1000;
  };
  const ends: HeldFrameEnds = {
    endExtraMs: () => wireMs(frames.endExtraBytes),
    endPaddedBytes: () => frames.paddedBytes,
    endExtraBytes: () => frames.endExtraBytes,
    wireMs,
    heldPcm: () => written.of(frames.heldBytes, wire()),
    dropEnd,
  };
  HELD_FRAME_ENDS.set(serializer, ends);
  return (carried) => ends.partialPacketAtChange?.(carried) ?? NO_BYTES;
}
