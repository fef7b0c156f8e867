/**
 * The output of a numbered protocol's inbound media: where the reorder stage delivers packets and
 * gaps, decoded into frames timed on the media timeline (`_frame_clock.ts`), gaps cut into frames
 * of silence, and, by timestamp, every packet kept clear of what was heard already. A unit of its
 * own apart from `OrderedMedia`, which faces the wire (the payloads, the keys, the reorder stage,
 * the wall-time bound on a hole): what it makes of a packet once in order is the same whatever
 * put it in order, the switch of order (`_order_switch.ts`) delivers through it as the stage does,
 * and it is the one writer of where delivery stands and of what went out (`_delivered_chunks.ts`).
 *
 * @module
 */

import type { AudioFrame } from "../../frames.ts";
import type { DeliveredChunks } from "./_delivered_chunks.ts";
import { wentOut } from "./_delivered_chunks.ts";
import type { FrameClock } from "./_frame_clock.ts";
import type {
  MediaGap,
  MediaPacket,
  MediaReorderCounter,
  MediaReorderOutput,
} from "./media_reorder.ts";
import type { TelephonyAudio } from "./telephony_audio.ts";
import { bytesPerSample, SILENCE_BYTE } from "./telephony_encoding.ts";

/**
 * A filled gap is cut into no more frames than one per this many ms (see `gap`): frames of
 * 50–100 ms, or of the missing packets' length where that is longer.
 */
const GAP_FRAME_MS = 100;

/** Frame times are sums of sample counts over the rate: closer than this is no overlap. */
const OVERLAP_EPSILON_MS = 1e-6;

/**
 * Decodes what the reorder stage delivers into frames, timed, and collects them for the stage to
 * hand over at the end of each call. One object for the stream's life: the stage passes it to its
 * reorder stage as is (its methods are the stage's output), so a packet costs no allocation here
 * beyond its frame.
 */
export class FrameOutput implements MediaReorderOutput<Uint8Array> {
  readonly #audio: TelephonyAudio;
  readonly #clock: FrameClock;
  readonly #delivered: DeliveredChunks;
  /** The stage's counting: a drop here is counted, and kept out of the stamps' bias, as its are. */
  readonly #count: (counter: MediaReorderCounter, amount: number) => void;
  /**
   * Frames made during one push, flush or reset, handed over at its end (see `handOver`);
   * emptied as each begins (see `begin`), of what one that threw midway left.
   */
  #frames: AudioFrame[] = [];
  /** Media time of the next frame out: where delivery stands. */
  nextMs = 0;
  /**
   * Packets and gaps delivered so far: a push that moved the stage on while it still holds media
   * re-arms the wall-time bound (see `OrderedMedia.push`).
   */
  deliveries = 0;
  /** Whether packets are ordered by timestamp, so set clear of what was heard (`#clearOfHeard`). */
  byTimestamp = false;
  /**
   * The packet that went out last during this call, let go at `handOver`: a push's own packet that
   * went out was not dropped, whatever its push dropped besides (see `OrderedMedia.push`).
   */
  lastPacket: MediaPacket<Uint8Array> | undefined;

  /** The output of one stage, timing frames by `clock`, noting what went out in `delivered`. */
  constructor(
    audio: TelephonyAudio,
    clock: FrameClock,
    delivered: DeliveredChunks,
    count: (counter: MediaReorderCounter, amount: number) => void,
  ) {
    this.#audio = audio;
    this.#clock = clock;
    this.#delivered = delivered;
    this.#count = count;
  }

  /** A packet in order: decoded at its media time, or dropped where that was heard already. */
  packet(packet: MediaPacket<Uint8Array>): void {
    let atMs = this.#clock.frameMs(packet.timestampMs, packet.durationMs, this.nextMs);
    if (this.byTimestamp && atMs !== undefined) {
      atMs = this.#clearOfHeard(atMs, packet.sequence, packet.durationMs);
      if (atMs === undefined) return;
    }
    this.#delivered.note(packet.sequence, packet.durationMs);
    this.lastPacket = packet;
    this.decode(packet.payload, atMs, packet.durationMs);
  }

  /** Media missing here: silence of its length, fed through the decoder. */
  gap(gap: MediaGap): void {
    // Whole samples: a gap of a fraction of a sample must not make odd-length PCM16.
    const samples = Math.round((gap.durationMs * this.#audio.sampleRate) / 1000);
    // Cut into frames: one frame of the whole gap (up to `maxGapMs`, 5 s) would make a 20 ms
    // message hold 250 times its size in a reader's queue, which bounds frames, not bytes. One
    // per missing packet, but no more than one per GAP_FRAME_MS: a gap counted in the last
    // packet's duration (0.125 ms for one byte) would make tens of thousands, and a burst of
    // frames from one message must fit the queue of a reader that keeps up.
    const most = Math.ceil(gap.durationMs / GAP_FRAME_MS);
    const frames = Math.max(1, Math.min(gap.packets, most, samples));
    let filled = 0;
    for (let frame = 1; frame <= frames; frame++) {
      const upTo = Math.round((samples * frame) / frames);
      const bytes = (upTo - filled) * bytesPerSample(this.#audio.encoding);
      const silence = new Uint8Array(bytes).fill(SILENCE_BYTE[this.#audio.encoding]);
      // The frames' durations add up to the gap's exactly, so the next packet's time holds.
      const durationMs = samples === 0
        ? gap.durationMs
        : (gap.durationMs * (upTo - filled)) / samples;
      filled = upTo;
      this.decode(silence, undefined, durationMs);
    }
  }

  /**
   * By timestamp, where a packet the stage delivers at `atMs` is heard, or `undefined` to drop it:
   * never before where the frame heard last ends, so that time never runs back. The stage takes a
   * packet as in its place within half its length of where the one before ends, so one may
   * overlap it (stamped back by a sender's clock that stepped back past the window, or placed
   * against a reordered neighbour set late). Overlapping by less than half its length, it is set
   * where delivery stands, whole: its audio is its own, never heard (trimmed, the caller would
   * lose what the stamps mislaid; dropped, a packet for a few ms of jitter), and the frames after
   * it follow on, later than their media times by that overlap at most, until one stamped ahead
   * takes its own time again. By half its length or more (the overlaps adding up), its place is
   * mostly heard, as the stage judges a packet it holds: dropped and counted, a duplicate where
   * its chunk went out already, else late, and kept out of the stamps' bias as the stage's drops
   * are (counted through the stage's counting, which marks the push's packet dropped). So no
   * frame is heard more than half a packet after its media time.
   */
  #clearOfHeard(atMs: number, chunk: number | undefined, durationMs: number): number | undefined {
    const overlapMs = this.nextMs - atMs;
    // Times are sums of sample counts: a rounding error is no overlap.
    if (!(overlapMs > OVERLAP_EPSILON_MS)) return atMs;
    if (overlapMs < durationMs / 2) return this.nextMs;
    const delivered = this.#delivered;
    const heard = chunk !== undefined && delivered.lastChunk !== undefined &&
      wentOut(delivered.bits, delivered.lastChunk, chunk);
    this.#count(heard ? "inboundMediaDuplicates" : "inboundMediaLate", 1);
    return undefined;
  }

  /** Decodes `bytes` into a frame at `timestampMs` (`undefined`: where delivery stands). */
  decode(bytes: Uint8Array, timestampMs: number | undefined, durationMs: number): void {
    this.deliveries++;
    const at = timestampMs ?? this.nextMs;
    this.nextMs = at + durationMs;
    const frame = this.#audio.decode(bytes);
    if (frame === null) return;
    frame.timestampMs = at;
    this.#frames.push(frame);
  }

  /**
   * The inbound resampler's held-back samples (its filter's delay, 2.3 ms at most): the end
   * of the caller's audio, timed where the stream's media ends.
   */
  endDecoding(): void {
    const tail = this.#audio.flushInbound();
    if (tail === null) return;
    tail.timestampMs = this.nextMs;
    this.#frames.push(tail);
  }

  /** A push, flush or reset begins: what one that threw midway left is let go. */
  begin(): void {
    this.#frames.length = 0;
  }

  /**
   * The frames made during this call, handed over and not kept: the stage's last frames (at the
   * session's end, the caller's last samples that `finish` handed on) would otherwise hold the
   * call's last slab as long as a transport kept after the call lives.
   */
  handOver(): AudioFrame[] {
    this.lastPacket = undefined;
    const frames = this.#frames;
    this.#frames = [];
    return frames;
  }
}
