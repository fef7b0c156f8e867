/**
 * The outbound sender's account of the partial frame of the bot's speech a whole-frames
 * serializer holds back (Vonage, Asterisk: `HeldFrameEnds`): the share of each chunk it keeps,
 * which made no wire bytes, and where that share goes: out with a later chunk's frames, a mark's
 * or a stretch end's padded frame, or dropped by the serializer (an interruption, a cancel, the
 * close, a change of the wire's format). Each of the bot's bytes counts once, and no counted byte
 * is uncounted. Made only for such a serializer: other sessions hold none of it.
 *
 * @module
 */

import { durationMs, type PcmFormat } from "./audio/pcm.ts";
import type { AudioFrame } from "./frames.ts";
import type { SerializerCounter, TransportStats } from "./transport_stats.ts";
import { countAudio } from "./_audio_counts.ts";
import { audioBytesOf, ENDED, type Serialized } from "./_serializer_answer.ts";
import type { HeldFrameEnds } from "./serializers/_held_frame_ends.ts";

/** Options for {@linkcode HeldFrameShare}. */
export interface HeldFrameShareOptions {
  /** The session's counters. */
  stats: TransportStats;
  /** Binary audio goes in fixed-size packets (`fixedAudioPacketSize`). */
  packetizes: boolean;
  /**
   * Told `ms` of audio placed on the timeline with its chunks never leave: the partial frame a
   * change of the wire's format dropped, where no packetizer is set (with one, the sender tells
   * it with the partial packet dropped in front of it).
   */
  onWireChangeDrop: (ms: number) => void;
}

/**
 * The share of the bot's audio the serializer's partial frame holds, as it valued it when it took
 * it. Without a packetizer it is counted in `audioBytesSent` then, with its chunk, as any audio
 * the serializer takes and sends later. With one it waits uncounted, as the packetizer's partial
 * packet does, which it joins as the frame goes out in packets: counted as those leave. Where the
 * serializer drops the frame, exactly these bytes are counted in the counter it names (see
 * {@linkcode countDrop}), whatever it values the frame at by then.
 */
export class HeldFrameShare {
  /** What the serializer tells of its partial frame. */
  readonly ends: HeldFrameEnds;
  /**
   * The bot's PCM bytes taken for the partial frame (read on the chunk's path: a field, not a
   * getter, so that reading it is no call).
   */
  bytes = 0;
  /**
   * The format of the bot's audio the frame was taken from: what its milliseconds are read in
   * where no packetizer is set (with one, the packetizer's format).
   */
  format: PcmFormat | undefined;
  /**
   * Milliseconds of the frame the serializer dropped at an interruption's clear, a cancel or the
   * session's end, not yet told to the observers (see `OutboundSender.neverLeftMs`): it drops it
   * as it serializes the clear, before the transport reads what was held.
   */
  droppedMs = 0;
  readonly #stats: TransportStats;
  readonly #packetizes: boolean;
  readonly #onWireChangeDrop: (ms: number) => void;

  /** Keeps the account of `ends`' partial frame for one session. */
  constructor(ends: HeldFrameEnds, options: HeldFrameShareOptions) {
    this.ends = ends;
    this.#stats = options.stats;
    this.#packetizes = options.packetizes;
    this.#onWireChangeDrop = options.onWireChangeDrop;
  }

  /**
   * The serializer took `chunk`, answering at once or later: takes what its partial frame now
   * comes to, by at most `pcm` (the chunk's bytes); returns the share of the chunk it keeps,
   * counted sent now where no packetizer is set. The chunk's path makes this one call, and only
   * for such a serializer. Its share cannot exceed its own bytes but by rounding (the rest
   * waits for the next chunk), so no count goes below none.
   */
  take(chunk: AudioFrame, pcm: number): number {
    const format = this.format; // a new object only where the format changes
    if (format?.sampleRate !== chunk.sampleRate || format.channels !== chunk.channels) {
      this.format = { sampleRate: chunk.sampleRate, channels: chunk.channels };
    }
    const share = Math.min(this.ends.heldPcm() - this.bytes, pcm);
    this.bytes += share;
    if (!this.#packetizes) this.#stats.audioBytesSent += share;
    return share;
  }

  /**
   * A frame's messages, or a stretch end's, may carry what the serializer held (a mark's, an
   * `end`'s or the stretch's padded partial frame): returns the bot's bytes they carry, for
   * {@linkcode countReleased} once the messages are handed over (not before: the socket may
   * refuse them). What is taken for the frame follows it down, never up (only audio adds to it).
   */
  released(): number {
    if (this.bytes === 0) return 0;
    const held = Math.min(this.bytes, this.ends.heldPcm());
    const released = this.bytes - held;
    this.bytes = held;
    return released;
  }

  /**
   * Counts the `released` bytes of the frame by what became of the messages that carried it:
   * the share of their binary (audio) bytes the socket refused, or was found closed for (`lost`
   * of them), never left: dropped at the close, not sent. Without a packetizer they were counted
   * sent with their chunk, so that share moves; with one they are counted now.
   */
  countReleased(released: number, messages: Serialized | symbol, lost: number): void {
    const stats = this.#stats;
    const audio = messages === ENDED ? released : audioBytesOf(messages);
    const lostBytes = messages === ENDED ? released : lost;
    if (this.#packetizes) return countAudio(stats, released, audio - lostBytes, lostBytes);
    if (lostBytes === 0) return;
    const dropped = Math.round((released * lostBytes) / audio);
    stats.audioBytesSent -= dropped;
    stats.audioBytesDroppedOnClose += dropped;
  }

  /**
   * The serializer drops its partial frame (`SerializerContext.count` with `held`): exactly the
   * bytes taken for it are counted in `counter`, and taken off `audioBytesSent` only where that
   * counted them (no packetizer): with one they never waited in the packetizer, so they are not
   * counted again as that drops what it holds. Its milliseconds are told to the observers later,
   * by whoever cuts (`droppedMs`), or now, for a change of the wire's format (`audioBytesRefused`)
   * with no packetizer, whose partial packet would tell it.
   */
  countDrop(counter: SerializerCounter): void {
    const stats = this.#stats;
    const dropped = this.bytes;
    this.bytes = 0;
    stats[counter] += dropped;
    if (!this.#packetizes) stats.audioBytesSent -= dropped;
    const format = this.format;
    if (format === undefined) return;
    if (counter !== "audioBytesRefused") this.droppedMs += durationMs(dropped, format);
    else if (!this.#packetizes) this.#onWireChangeDrop(durationMs(dropped, format));
  }

  /**
   * Milliseconds of the bot's audio placed on the timeline that the frame keeps from leaving,
   * beyond what the packetizer's account holds: the frame itself where no packetizer is set, and
   * what the serializer dropped of it not yet told (`droppedMs`).
   */
  get unsentMs(): number {
    const format = this.format;
    const frame = !this.#packetizes && format !== undefined ? durationMs(this.bytes, format) : 0;
    return frame + this.droppedMs;
  }
}
