/**
 * The switch of order mid-stream, for a provider that learns only from the media how its stream
 * numbers it (Telnyx's `start` names no tracks: a media message of another track is the first word
 * that both tracks share one counter; see `_inbound_order.ts`): the old stage's packets let go
 * without its gaps, the media clock moved onto the new order's key, the new order going on from
 * the packet delivered last, and a packet from before the switch that comes after it judged
 * against where delivery then stood. A unit of its own apart from `OrderedMedia` (what faces the
 * wire, which asks it of each packet by timestamp) and the output (`_frame_output.ts`, which it
 * delivers through): it holds the one record that outlives a switch, and nothing else reads it.
 *
 * @module
 */

import type { DeliveredChunks } from "./_delivered_chunks.ts";
import { wentOut } from "./_delivered_chunks.ts";
import { type FrameClock, nearest, sinceFirst } from "./_frame_clock.ts";
import type { FrameOutput } from "./_frame_output.ts";
import { MAX_AHEAD_MS, type StampPlacement } from "./_stamp_placement.ts";
import type {
  MediaPacket,
  MediaReorder,
  MediaReorderCounter,
  MediaReorderOutput,
} from "./media_reorder.ts";

/**
 * Where the packet delivered last before a switch of order is retold to the new stage, which
 * goes on from it (see `switched`): it went out already.
 */
const ALREADY_DELIVERED: MediaReorderOutput<Uint8Array> = { packet: () => {}, gap: () => {} };

/**
 * The switch of order of one stream: since a switch to timestamp order, the newest chunk delivered
 * before it (`undefined` if none, or no switch), where delivery then stood (ms from the first, the
 * new order's key), and the delivered-chunks bits as they then were. A packet at or before both
 * is the old order's, its place passed (see `fromBefore`). Forgotten at a resync or a start: the
 * numbering began again.
 */
export class OrderSwitch {
  readonly #clock: FrameClock;
  readonly #output: FrameOutput;
  readonly #delivered: DeliveredChunks;
  readonly #placement: StampPlacement;
  /** The stage's counting (`OrderedMedia`): drops and filled gaps reach `transport.stats`. */
  readonly #count: (counter: MediaReorderCounter, amount: number) => void;
  #chunk: number | undefined;
  #endMs = 0;
  #deliveredBits = 0;
  /** The old stage's jump still unconfirmed at a switch (see `unconfirmed`), until `switched`. */
  #waiting: MediaPacket<Uint8Array> | undefined;
  /**
   * Whether that jump, handed to the new stage, still waits there unjudged: placed but never
   * taken (see `switched`), so the packet whose push drops it is no packet of its own dropped
   * (see `OrderedMedia.push`). Until a packet goes out, the new stage holds nothing, or a start.
   */
  handedWaiting = false;

  /** The switch of the stream whose frames `output` makes, timed by `clock`. */
  constructor(
    clock: FrameClock,
    output: FrameOutput,
    delivered: DeliveredChunks,
    placement: StampPlacement,
    count: (counter: MediaReorderCounter, amount: number) => void,
  ) {
    this.#clock = clock;
    this.#output = output;
    this.#delivered = delivered;
    this.#placement = placement;
    this.#count = count;
  }

  /**
   * Packets let go without their stage's gaps, as the old stage drains at a switch: silence goes
   * before one only where its media time is ahead of where delivery stands, by half a packet or
   * more, counted as the stage counts a gap it fills. Its gaps go through as they are.
   */
  readonly drain: MediaReorderOutput<Uint8Array> = {
    packet: (packet) => {
      const output = this.#output;
      const atMs = this.#clock.frameMs(packet.timestampMs, packet.durationMs, output.nextMs);
      const missingMs = atMs === undefined ? 0 : atMs - output.nextMs;
      if (missingMs >= packet.durationMs / 2) {
        this.#count("inboundMediaGapsFilled", 1);
        this.#count("inboundMediaGapMs", missingMs);
        const packets = Math.max(1, Math.round(missingMs / packet.durationMs));
        output.gap({ durationMs: missingMs, packets });
      }
      this.#delivered.note(packet.sequence, packet.durationMs);
      output.decode(packet.payload, atMs, packet.durationMs);
    },
    gap: (gap) => this.#output.gap(gap),
  };

  /**
   * Where the old stage, drained at a switch, hands its lone jump still waiting for a second packet
   * to confirm the loss before it (see `MediaReorder.drain`): the new order judges it (`switched`).
   */
  readonly unconfirmed = (packet: MediaPacket<Uint8Array>): void => {
    this.#waiting = packet;
  };

  /** No switch stands: a new numbering (a resync, a start), or a switch of order begins. */
  forget(): void {
    this.#chunk = undefined;
    this.handedWaiting = false;
  }

  /**
   * The order switched (to timestamp order where `byTimestamp`), the old stage drained through
   * {@linkcode drain} and `reorder` the new one, `firstMs` the stream's first media time. It stays
   * the origin: by timestamp the new stage's keys, and the times told to observers, count from it
   * as before. A delivered packet's media time is the wire's by sequence but counted from the
   * first by timestamp (see `OrderedMedia.push`): the media clock is moved by as much, so that
   * frames keep the times they would have had.
   */
  switched(byTimestamp: boolean, firstMs: number | undefined, reorder: MediaReorder<Uint8Array>) {
    const clock = this.#clock;
    if (clock.originMs !== undefined && firstMs !== undefined) {
      clock.originMs += byTimestamp ? -firstMs : firstMs;
    }
    // Telnyx switches at the bot's first packet, a caller's packet or more into the stream: the
    // first packet of the new order, taken for the stream's first, made a burst stamped alike
    // after it read as its stamp a packet late (20 ms of silence, every later frame 20 ms late).
    this.#placement.forget(firstMs !== undefined);
    this.#chunk = undefined;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    const wentOn = byTimestamp && firstMs !== undefined && this.#goOnFromDelivered(reorder);
    if (waiting === undefined) return;
    // A real packet after a loss of several, or a bogus number (Telnyx's chunk 100 stamped 2000 ms,
    // the stream at chunk 3): by its media time the new order tells them apart as it does any
    // jump, filling the hole once a packet near it comes, dropping it once one comes in step.
    // Dropped here as the stream's end drops it, the real one was lost (20 ms of the caller's
    // audio, its place silence). Placed but not taken: unconfirmed, its chunk is no step to place
    // the packets after against (see `StampPlacement.taken`).
    // One stamped behind where delivery stands follows no loss: a real packet after one comes
    // after what went out. Placed, the new order read it as a sender's clock stepped back (see
    // `StampPlacement.place`) and set it in step: a bogus chunk stamped 100 ms to 4 s back was
    // heard as the next packet, and the real one there dropped as its duplicate.
    const sinceMs = wentOn ? this.#sinceFirst(waiting.timestampMs, firstMs!) : undefined;
    if (sinceMs === undefined || this.#behindDelivery(sinceMs, waiting.durationMs)) {
      this.#count("inboundMediaLate", 1);
    } else if (!this.fromBefore(waiting.sequence, sinceMs, waiting.durationMs)) {
      waiting.timestampMs = this.#placement.place(sinceMs, waiting.sequence, waiting.durationMs);
      reorder.push(waiting, this.#output);
      this.handedWaiting = reorder.pending !== 0;
    }
  }

  /** Whether a key (ms from the first) lies half a packet or more before where delivery stood. */
  #behindDelivery(sinceFirstMs: number, durationMs: number): boolean {
    const modulus = this.#clock.modulus;
    const behindMs = modulus === undefined
      ? this.#endMs - sinceFirstMs
      : -nearest(sinceFirstMs - this.#endMs, 0, modulus);
    return behindMs >= durationMs / 2;
  }

  /**
   * A wire media time (`undefined`: none) as the new order's key, counted from the stream's first
   * (`firstMs`), or `undefined` where the new order could not read it (by sequence media times are
   * not checked: one that is not a safe number, or outside the modulus).
   */
  #sinceFirst(wireMs: number | undefined, firstMs: number): number | undefined {
    if (wireMs === undefined || !(Math.abs(wireMs) <= Number.MAX_SAFE_INTEGER)) return undefined;
    return sinceFirst(wireMs, firstMs, this.#clock.modulus);
  }

  /**
   * At a switch to timestamp order: the packet delivered last is retold to the new order, its
   * placement and its reorder stage (its audio went out already), so that what was delivered
   * before bounds what the new order delivers. Begun afresh at its own first packet, the new
   * stage took a caller's packet from before the switch sent again after it for a first (heard
   * twice, time running back, 20 ms of silence before the next), and the first packet after a
   * loss right at the switch for one in step (no silence, the caller's audio 20 ms short).
   */
  #goOnFromDelivered(reorder: MediaReorder<Uint8Array>): boolean {
    const delivered = this.#delivered;
    const durationMs = delivered.lastDurationMs;
    const originMs = this.#clock.originMs;
    if (durationMs === undefined || originMs === undefined) return false;
    // Where delivery stands, as the new order's key: a frame's time is its key less the origin.
    const endMs = this.#output.nextMs + originMs;
    const modulus = this.#clock.modulus;
    const lastMs = modulus === undefined
      ? endMs - durationMs
      : (((endMs - durationMs) % modulus) + modulus) % modulus;
    const chunk = delivered.lastChunk;
    this.#placement.place(lastMs, chunk, durationMs);
    this.#placement.taken(lastMs, chunk, durationMs, false);
    const packet: MediaPacket<Uint8Array> = {
      timestampMs: lastMs,
      durationMs,
      payload: new Uint8Array(0),
    };
    if (chunk !== undefined) packet.sequence = chunk;
    reorder.push(packet, ALREADY_DELIVERED);
    this.#chunk = chunk;
    this.#endMs = endMs;
    this.#deliveredBits = delivered.bits;
    return true;
  }

  /**
   * Whether a packet is one from before the switch to timestamp order (its chunk at or before the
   * newest delivered then, and its media time, `sinceFirstMs`, half a packet or more before where
   * delivery then stood): its place was passed, it is dropped and counted, a duplicate where its
   * chunk was delivered, else late. Both must say so: a newer chunk stamped early is jitter (a
   * burst stamped alike), and an older one stamped ahead is the new stage's to judge. The new
   * stage would judge these too, but against the packet it goes on from alone, taken for its
   * first: two sent again from farther back than its window would have begun its timeline anew.
   */
  fromBefore(chunk: number | undefined, sinceFirstMs: number, durationMs: number): boolean {
    const switchChunk = this.#chunk;
    if (switchChunk === undefined || chunk === undefined || !(chunk <= switchChunk)) return false;
    const modulus = this.#clock.modulus;
    const behindMs = modulus === undefined
      ? this.#endMs - sinceFirstMs
      : -nearest(sinceFirstMs - this.#endMs, 0, modulus);
    if (!(behindMs >= durationMs / 2)) return false;
    // Farther behind where delivery now stands than the longest gap the stage fills is no packet
    // from before the switch but a numbering begun again (chunks and media times both restarted),
    // the stage's to judge: a second packet agreeing with it begins a new timeline (a resync).
    // Dropped here, such a restart lost every packet up to the switch's chunk and media time
    // (1.5 s of the caller's speech for a switch 3 s into the call), and no resync ever came.
    // (The clock is anchored while a switch stands: a resync, or a start, forgets both.)
    const nowEndMs = this.#output.nextMs + (this.#clock.originMs ?? 0);
    const behindNowMs = modulus === undefined
      ? nowEndMs - sinceFirstMs
      : -nearest(sinceFirstMs - nowEndMs, 0, modulus);
    if (behindNowMs > MAX_AHEAD_MS) return false;
    const delivered = wentOut(this.#deliveredBits, switchChunk, chunk);
    this.#count(delivered ? "inboundMediaDuplicates" : "inboundMediaLate", 1);
    return true;
  }
}
