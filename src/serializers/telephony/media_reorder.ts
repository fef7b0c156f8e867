/**
 * A reorder (jitter) stage for numbered inbound media: packets in, packets out in order, and
 * notices of the gaps a serializer fills with silence so the caller's timeline stays continuous.
 *
 * @module
 */

import { TransportError } from "../../errors.ts";

/** One inbound media packet, as a serializer read it off the wire. */
export interface MediaPacket<T> {
  /**
   * The packet's number, one more than the media packet before it. Required when ordering by
   * sequence. Use the protocol's per-media counter (`media.chunk` on Twilio, Telnyx, Plivo and
   * Exotel), not a counter of all messages (Twilio's `sequenceNumber` also counts `mark`, `dtmf`
   * and the rest, so its gaps are not lost audio).
   */
  sequence?: number;
  /** The media time of the packet's first sample, in ms. Required when ordering by timestamp. */
  timestampMs?: number;
  /** How much media the packet carries, in ms; more than 0. */
  durationMs: number;
  /** The media itself, opaque to the stage (a base64 string, bytes, a decoded frame…). */
  payload: T;
}

/** Media that never arrived: the serializer feeds this much silence before the next packet. */
export interface MediaGap {
  /** How long the missing media lasts, in ms. */
  durationMs: number;
  /** How many packets were missing (estimated from the typical packet's duration by timestamp). */
  packets: number;
}

/** Where the stage delivers: packets in order, and the gaps between them. */
export interface MediaReorderOutput<T> {
  /** The next packet in order (the object that was pushed, not a copy). */
  packet(packet: MediaPacket<T>): void;
  /** Media went missing right here; fill `gap.durationMs` of silence before the next packet. */
  gap(gap: MediaGap): void;
}

/**
 * The transport counters the stage adds to (see `TransportStats`); every one is a
 * `SerializerCounter`, so `SerializerContext.count` takes them as they are.
 */
export type MediaReorderCounter =
  | "inboundMediaReordered"
  | "inboundMediaDuplicates"
  | "inboundMediaLate"
  | "inboundMediaGapsFilled"
  | "inboundMediaGapMs"
  | "inboundMediaResyncs";

/** What the stage has done so far, under the transport's counter names. */
export type MediaReorderCounts = Record<MediaReorderCounter, number>;

/** Options for {@linkcode MediaReorder}. */
export interface MediaReorderOptions {
  /**
   * What puts packets in order: their `sequence` numbers or their `timestampMs`. By timestamp,
   * a packet within half its duration of where the one before it ends counts as on time, so stamps
   * a few ms off the packets' step (Plivo's are wall-clock epoch ms) make no false gap. The
   * timeline follows each stamp, though: jitter that swings by half a packet or more from one
   * packet to the next (6 ms early, then 6 ms late, with 20 ms packets) leaves a hole of the swing,
   * filled. `OrderedMedia` places a packet whose number says it is the newest where the
   * one before it ends, which only the numbers can tell from a duplicate.
   *
   * @default {"sequence"} every provider we speak numbers its media messages one by one.
   */
  orderBy?: "sequence" | "timestamp";
  /**
   * How late a packet may be, in ms of media, and still be put in its place; also how far past the
   * newest packet's successor one may land before a second packet must confirm the jump. Latency
   * is added only while a hole is open, never to packets that arrive in order.
   *
   * Never less than one packet in force: where packets are longer than `windowMs` (Exotel's are
   * 100 ms, "every ~100 ms" in its AgentStream WebSocket protocol page), the window is the typical
   * packet's duration (the median of the latest eight; capped at `maxGapMs`), since reordering
   * moves whole packets and a shorter window could put none back in its place. One packet, not
   * more: the hole's wait, the latency a loss costs, stays one packet long.
   *
   * @default {60} three 20 ms packets: reordering on a media fork is a packet or two.
   */
  windowMs?: number;
  /**
   * The longest loss filled with silence, in ms. A confirmed jump farther ahead (or a run of
   * numbers farther behind) starts a new timeline instead (a resync); a packet behind the
   * timeline by less than this is a duplicate or late, never a restart, except while the timeline
   * holds only its first packet: a packet farther behind it than the window, and the next, which
   * agrees with it wherever it lands behind the first, say the first number was bogus, and the
   * timeline begins anew at them (see {@linkcode MediaReorder}).
   *
   * @default {5000} a longer hole is an outage or a restarted counter, not packet loss.
   */
  maxGapMs?: number;
  /**
   * The counter's range for protocols whose numbers wrap, e.g. 65536 for RTP's 16-bit sequence
   * number (RFC 3550 §5.1); keys must then lie in `[0, modulus)`. Twilio, Telnyx, Plivo and
   * Exotel document no bound on `chunk` or `timestamp`.
   *
   * @default {undefined} numbers never wrap.
   */
  modulus?: number;
  /**
   * Called at every count with the transport's counter name, so a serializer forwards all of them
   * in one line: `count: (counter, amount) => context.count(counter, amount)`.
   *
   * @default {undefined} counts are only kept in {@linkcode MediaReorder.counts}.
   */
  count?: (counter: MediaReorderCounter, amount: number) => void;
}

/** A packet the stage holds, with its place on the timeline. */
interface Slot<T> {
  position: number;
  span: number;
  tolerance: number;
  packet: MediaPacket<T>;
}

// Where a packet stands against the timeline.
const NEXT = 0;
const AHEAD = 1;
const LATE = 2;
const DUPLICATE = 3;
const SUSPECT_AHEAD = 4;
const SUSPECT_BEHIND = 5;
type Verdict = 0 | 1 | 2 | 3 | 4 | 5;

/** Packets held at most, whatever their durations: the oldest hole is given up beyond it. */
const MAX_HELD = 256;
/** Filled gaps remembered (to tell a late packet from a duplicate). */
const GAP_HISTORY = 16;
/** Recent packet durations kept; their median is the stage's idea of one packet. */
const RECENT_DURATIONS = 8;
/**
 * At the stream's end, a jump still waiting for a second opinion is taken behind at most this
 * many typical packets missing (see {@linkcode MediaReorder.flush}).
 */
const FINAL_REACH_PACKETS = 3;

/**
 * Puts numbered inbound media back in order. Push-driven (no timers): packets that arrive in
 * order are delivered at once; a packet after a hole is held until the hole is filled or until
 * the newest packet is more than `windowMs` (one packet, where packets are longer) past it, then
 * the hole is reported as a gap of its exact length and the held packets follow. Duplicates and
 * packets too late to place are dropped; a jump beyond the window waits for a second opinion: if
 * the next packet off the timeline lands nearer the jump than the timeline, and within `maxGapMs`
 * of it, the jump is real (a loss, filled; or beyond `maxGapMs`, a new timeline); if a packet
 * lands on the timeline first, the lone packet was a bogus number and is dropped (counted late),
 * so one bad packet never mutes the packets after it, and no silence filled is ever longer than
 * `maxGapMs`. The stream's first packet goes out at once, its number unconfirmed: while it stands
 * alone on the timeline, a packet behind it by more than the window waits for a second opinion
 * the same way, and if the next lands near it, the first number was the outlier (chunk "250"
 * where the numbering starts at 1) and the timeline begins anew there (a resync), so a bogus
 * first number never mutes the real packets after it either; only the numbers' disagreement
 * counts, never where they start. One still waiting when the stream ends
 * ({@linkcode MediaReorder.flush}), or its numbering is given up ({@linkcode MediaReorder.drain}),
 * is dropped too, unless at most three packets are missing before it (or a change of numbering
 * hands it to a caller that can judge it), while one waiting at a pause
 * ({@linkcode MediaReorder.giveUpHoles}) waits on for the packets after it. Every drop and fill
 * is counted under the transport's counter names. Memory is bounded (at most 256 packets held).
 *
 * Numbers must be well-formed: a sequence that is not a safe integer (the string
 * "9007199254740993" reads as 2^53, where `n + 1 === n`), a timestamp that is not finite or a
 * duration that is not positive throws a `TransportError` with code `"decode"` before anything
 * changes, which a serializer lets propagate: the transport reports it and counts it in
 * `decodeErrors`, and the packets after it are unaffected.
 *
 * @typeParam T The payload type (kept by reference while a packet is held: do not reuse it).
 *
 * @example Packets 1, 3, 2 come out 1, 2, 3; packet 5 never comes and becomes a 20 ms gap
 * ```ts
 * import { MediaReorder } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * const reorder = new MediaReorder<string>();
 * const out: string[] = [];
 * const output = {
 *   packet: (packet: { payload: string }) => out.push(packet.payload),
 *   gap: (gap: { durationMs: number }) => out.push(`silence ${gap.durationMs} ms`),
 * };
 * for (const sequence of [1, 3, 2, 4, 6, 7, 8, 9]) {
 *   reorder.push({ sequence, durationMs: 20, payload: `#${sequence}` }, output);
 * }
 * reorder.flush(output);
 * assert.deepEqual(out, ["#1", "#2", "#3", "#4", "silence 20 ms", "#6", "#7", "#8", "#9"]);
 * assert.equal(reorder.counts.inboundMediaReordered, 1);
 * assert.equal(reorder.counts.inboundMediaGapMs, 20);
 * ```
 */
export class MediaReorder<T> {
  readonly #bySequence: boolean;
  readonly #windowMs: number;
  readonly #maxGapMs: number;
  readonly #modulus: number;
  readonly #count: ((counter: MediaReorderCounter, amount: number) => void) | undefined;
  readonly #counts: MediaReorderCounts = {
    inboundMediaReordered: 0,
    inboundMediaDuplicates: 0,
    inboundMediaLate: 0,
    inboundMediaGapsFilled: 0,
    inboundMediaGapMs: 0,
    inboundMediaResyncs: 0,
  };
  #started = false;
  /** Where the next packet in order starts (a sequence number, or ms by timestamp). */
  #next = 0;
  /** The farthest position that has arrived on the timeline: "now", in media time. */
  #head = 0;
  /**
   * Where the timeline began (its first packet): while `#head` is still there, no packet after
   * the first has confirmed its number.
   */
  #began = 0;
  /**
   * The durations of the latest packets to arrive (a ring). A hole is measured and filled by their
   * median, not by the last packet's: one short packet (a 1-byte payload) before a loss would
   * otherwise stretch the window a hundredfold and shrink the loss's silence to nothing.
   */
  readonly #recentMs = new Float64Array(RECENT_DURATIONS);
  /** Scratch space for the median (kept to keep holes free of allocation). */
  readonly #sortedMs = new Float64Array(RECENT_DURATIONS);
  #recentCount = 0;
  /** Positions before this one are unknown (before the timeline began, or forgotten). */
  #historyStart = 0;
  /** Recent filled gaps as [start, end) pairs, oldest first. */
  #gaps: number[] = [];
  /** Packets after a hole, sorted by position. */
  #held: Slot<T>[] = [];
  /** A packet that jumped beyond the window, waiting for the next one to confirm it. */
  #candidate: Slot<T> | undefined;

  /** Makes a stage; see {@linkcode MediaReorderOptions}. */
  constructor(options: MediaReorderOptions = {}) {
    const { orderBy = "sequence", windowMs = 60, maxGapMs = 5000, modulus } = options;
    if (orderBy !== "sequence" && orderBy !== "timestamp") {
      throw new RangeError(`orderBy must be "sequence" or "timestamp", got ${String(orderBy)}`);
    }
    if (!Number.isFinite(windowMs) || windowMs < 0) {
      throw new RangeError(`windowMs must be a finite number of at least 0, got ${windowMs}`);
    }
    if (!Number.isFinite(maxGapMs) || maxGapMs < windowMs) {
      throw new RangeError(`maxGapMs must be finite and at least windowMs, got ${maxGapMs}`);
    }
    if (modulus !== undefined && (!Number.isSafeInteger(modulus) || modulus < 2)) {
      throw new RangeError(`modulus must be an integer of at least 2, got ${modulus}`);
    }
    if (options.count !== undefined && typeof options.count !== "function") {
      throw new TypeError(`count must be a function, got ${typeof options.count}`);
    }
    this.#bySequence = orderBy === "sequence";
    this.#windowMs = windowMs;
    this.#maxGapMs = maxGapMs;
    this.#modulus = modulus ?? Infinity;
    this.#count = options.count;
  }

  /** A snapshot of the counts so far. */
  get counts(): MediaReorderCounts {
    return { ...this.#counts };
  }

  /**
   * `windowMs`, as resolved: how long, in media time, a packet waits for a hole before it where
   * packets are no longer than that (else one packet: see
   * {@linkcode MediaReorderOptions.windowMs}).
   */
  get windowMs(): number {
    return this.#windowMs;
  }

  /** Packets held back (after a hole, or waiting to confirm a jump). */
  get pending(): number {
    return this.#held.length + (this.#candidate === undefined ? 0 : 1);
  }

  /**
   * Takes one packet; delivers to `output` whatever is now in order. Throws a `TransportError`
   * (`"decode"`) for a malformed number or duration, leaving the stage as it was.
   */
  push(packet: MediaPacket<T>, output: MediaReorderOutput<T>): void {
    const key = this.#key(packet);
    if (!this.#started) this.#begin(key);
    this.#recentMs[this.#recentCount++ % RECENT_DURATIONS] = packet.durationMs;
    const position = this.#modulus === Infinity ? key : this.#unwrap(key);
    const span = this.#bySequence ? 1 : packet.durationMs;
    const tolerance = this.#bySequence ? 0.5 : packet.durationMs / 2;
    const offset = position - this.#next;
    if (
      offset < tolerance && offset > -tolerance && this.#held.length === 0 &&
      this.#candidate === undefined
    ) {
      // The common case, kept free of allocation: in order, nothing held.
      this.#deliver(packet, position, span, output);
      return;
    }
    this.#place({ position, span, tolerance, packet }, output);
  }

  /**
   * Ends the stream: delivers everything held, in order, with the holes between as gaps. A jump
   * still waiting for confirmation is dropped, counted late: no packet came to confirm it, and none
   * will. Only one with at most three typical packets missing before it (and half a packet of
   * jitter) is taken, its hole filled, as a packet after three lost is held within the default
   * window where packets are of 20 ms. Packets longer than a third of the window wait after
   * fewer: 40 ms ones after two lost, Exotel's 100 ms after two; dropped, a loss of two or three
   * right before the stream's end cost the caller's last packet too (37 of 2,000 modelled
   * streams of 40 ms packets, 14 with this reach: `_final_jump_model.ts` in the tests). The trade:
   * a bogus last number within that reach is heard behind a hole of up to three packets, at the
   * stream's end (it cost no packet). None is taken behind more silence than `maxGapMs`. The
   * timeline goes on after it.
   */
  flush(output: MediaReorderOutput<T>): void {
    this.#giveUp(output, true);
  }

  /**
   * A pause in the stream, not its end (nothing came for a while, and more may): gives up the holes
   * media waits behind, delivering everything held, in order, with the holes between as gaps, as
   * {@linkcode flush} does, and takes a jump waiting after a single lost packet as `flush` does
   * (`flush` takes one after up to three: the stream is over, no packet will confirm it). A
   * farther jump still waiting for confirmation keeps waiting: the packets after the pause decide
   * it as they would have without one, filling its hole once one lands near it, dropping it
   * (counted late) once one lands on the timeline; the stream's end drops it. Dropped at the pause,
   * a real jump (a few packets lost, then a stall) lost the caller's packet after the loss; taken,
   * a bogus number within `maxGapMs` moved the timeline, and the real packets after it were
   * dropped as late.
   */
  giveUpHoles(output: MediaReorderOutput<T>): void {
    this.#giveUp(output, false);
  }

  /**
   * Delivers everything held, in order, with no gap between: for a stage whose numbers turned out
   * not to count the stream's media alone (two tracks on one counter), so that its holes say
   * nothing of loss. The caller fills what the media times say is missing. A jump still waiting
   * for confirmation is judged as {@linkcode flush} judges it (the numbering that would have
   * confirmed it ends here): taken in its place after a single lost packet, else dropped and
   * counted late, the only count made. Delivered as confirmed, a bogus number far ahead (Telnyx's
   * chunk 100 stamped 2000 ms, the stream at chunk 3) brought the silence up to it, and the new
   * order, going on from it as the packet delivered last, dropped every real packet before its
   * media time as one from before the switch (0.94 s of the caller's audio). Given `unconfirmed`,
   * a caller whose next numbering can judge such a jump gets it instead, after what is held,
   * counted nowhere: `OrderedMedia` does, at a switch to media-time order (dropped, a real packet
   * after a loss of several was lost though its media time said where it belonged).
   */
  drain(output: MediaReorderOutput<T>, unconfirmed?: (packet: MediaPacket<T>) => void): void {
    this.#judgeUnconfirmed(unconfirmed === undefined);
    const waiting = this.#candidate;
    this.#candidate = undefined;
    const held = this.#held;
    while (held.length > 0) {
      const first = held.shift()!;
      this.#deliver(first.packet, first.position, first.span, output);
    }
    if (waiting !== undefined) unconfirmed!(waiting.packet);
  }

  /**
   * Delivers what is held, in order, with the holes between as gaps; a pending jump is taken if it
   * follows a single lost packet (up to three `atEnd`), else dropped (`atEnd`, counted late) or
   * left waiting.
   */
  #giveUp(output: MediaReorderOutput<T>, atEnd: boolean): void {
    this.#judgeUnconfirmed(atEnd);
    const held = this.#held;
    while (held.length > 0) {
      const first = held.shift()!;
      const offset = first.position - this.#next;
      if (offset >= first.tolerance) this.#fill(offset, output);
      else if (offset <= -first.tolerance) {
        this.#bump("inboundMediaDuplicates", 1);
        continue;
      }
      this.#deliver(first.packet, first.position, first.span, output);
    }
  }

  /**
   * A jump still waiting for confirmation when no packet will confirm it under this numbering
   * (`final`: the stream's end, or a switch of order) or none has yet (a pause): taken, held in its
   * place, if it follows a single lost packet (up to `FINAL_REACH_PACKETS` if `final`); else
   * dropped, counted late, if `final`; else left waiting.
   */
  #judgeUnconfirmed(final: boolean): void {
    const candidate = this.#candidate;
    if (candidate !== undefined) {
      // Mid-stream a farther jump is filled only once a packet near it confirms it, and dropped
      // once a packet on the timeline says its number was bogus. At the end neither will come:
      // taken, a far one came behind silence for a loss nothing confirmed (1.2 s for a 100 ms
      // Exotel chunk 20 after chunk 7), at the end of the caller's audio, to the bot and into a
      // recording; one after at most three lost is taken, as 20 ms packets hold it (see `flush`).
      // Past where the packet after the newest would start, as `#classify` measures it: beyond
      // the window, else it would not wait; a single loss only by timestamp (a stamp that
      // jitters past one packet's place, or one that waited while packets were shorter): by
      // sequence one after a single loss is within the window in force, at least a packet (unless
      // packets are longer than maxGapMs, below).
      const unitMs = this.#unitMs();
      const pastMs = (candidate.position - this.#head - this.#packetUnits()) * unitMs;
      // Never behind more silence than maxGapMs (packets longer than it): mid-stream that loss,
      // confirmed, is a new timeline, not silence.
      const reach = final ? FINAL_REACH_PACKETS : 1;
      const near = pastMs <= reach * this.#typicalMs() + candidate.tolerance * unitMs &&
        pastMs <= this.#maxGapMs;
      if (candidate.position > this.#next && near) {
        this.#candidate = undefined;
        this.#hold(candidate);
      } else if (final) {
        this.#candidate = undefined;
        this.#bump("inboundMediaLate", 1);
      }
    }
  }

  /**
   * Delivers what is held (as {@linkcode flush}) and forgets the timeline: the next packet starts
   * a new one, whatever its number (a serializer calls this when the provider starts a new stream).
   * Counts are kept.
   */
  reset(output: MediaReorderOutput<T>): void {
    this.flush(output);
    this.#started = false;
    this.#gaps.length = 0;
    this.#recentCount = 0;
  }

  #key(packet: MediaPacket<T>): number {
    const { durationMs } = packet;
    if (typeof durationMs !== "number" || !Number.isFinite(durationMs) || durationMs <= 0) {
      throw new TransportError("decode", `media durationMs must be above 0, got ${durationMs}`);
    }
    const key = this.#bySequence ? packet.sequence : packet.timestampMs;
    const name = this.#bySequence ? "sequence" : "timestampMs";
    if (
      typeof key !== "number" || !Number.isFinite(key) || Math.abs(key) > Number.MAX_SAFE_INTEGER
    ) {
      throw new TransportError("decode", `media ${name} must be a safe number, got ${key}`);
    }
    if (this.#bySequence && !Number.isInteger(key)) {
      throw new TransportError("decode", `media sequence must be an integer, got ${key}`);
    }
    if (key < 0 ? this.#modulus !== Infinity : key >= this.#modulus) {
      throw new TransportError("decode", `media ${name} ${key} is outside [0, ${this.#modulus})`);
    }
    return key;
  }

  /** The position nearest the timeline that `key` stands for, counting wraps. */
  #unwrap(key: number): number {
    const modulus = this.#modulus;
    let offset = (key - this.#next) % modulus;
    if (offset < 0) offset += modulus;
    if (offset >= modulus / 2) offset -= modulus;
    return this.#next + offset;
  }

  #begin(position: number): void {
    this.#started = true;
    this.#next = this.#head = this.#historyStart = position;
    this.#began = position;
    this.#gaps.length = 0;
  }

  /**
   * One packet's duration as the stream goes, in ms: the (upper) median of the recent ones, so a
   * single short or long packet does not change it.
   */
  #typicalMs(): number {
    const count = Math.min(this.#recentCount, RECENT_DURATIONS);
    const sorted = this.#sortedMs;
    for (let i = 0; i < count; i++) {
      const value = this.#recentMs[i]!;
      let j = i;
      for (; j > 0 && sorted[j - 1]! > value; j--) sorted[j] = sorted[j - 1]!;
      sorted[j] = value;
    }
    return sorted[count >> 1]!;
  }

  /**
   * The window in force, in ms of media: `windowMs`, or one typical packet where packets are
   * longer. Reordering moves whole packets: with Exotel's 100 ms packets against the default
   * 60 ms, a packet two places early (1, 2, 5, 3, 4) waited for a second opinion, and once 3 came
   * it was still 100 ms past the window and was dropped as late (a hole was never waited for
   * behind a packet at all: one packet's age is past 60 ms). One packet, not two or three: that is
   * the latency a hole adds (100 ms behind an Exotel loss, not 300), and a number two packets
   * ahead (two lost) still waits for a second packet to confirm it, as a jump. Capped at
   * `maxGapMs`, the longest silence filled (a hole given up by the window is never longer than
   * the window).
   */
  #windowInForceMs(): number {
    return Math.max(this.#windowMs, Math.min(this.#typicalMs(), this.#maxGapMs));
  }

  /** Ms per position unit: a typical packet's duration by sequence, 1 by timestamp. */
  #unitMs(): number {
    return this.#bySequence ? this.#typicalMs() : 1;
  }

  #classify(slot: Slot<T>): Verdict {
    const offset = slot.position - this.#next;
    if (offset < slot.tolerance && offset > -slot.tolerance) return NEXT;
    if (offset > 0) {
      // Measured past where the packet after the newest would start: one after a single loss is a
      // packet past it, within the window in force (never less than a packet).
      const pastMs = (slot.position - this.#head - this.#packetUnits()) * this.#unitMs();
      return pastMs <= this.#windowInForceMs() ? AHEAD : SUSPECT_AHEAD;
    }
    if (-offset * this.#unitMs() > this.#maxGapMs) return SUSPECT_BEHIND;
    if (
      this.#head === this.#began &&
      (this.#began - slot.position) * this.#unitMs() > this.#windowInForceMs()
    ) {
      // Only the packet the timeline began with stands on it: its number had no second opinion.
      // One landing behind it farther than reordering reaches waits for the next, as a jump
      // beyond the window does mid-stream: if that one lands near it, the first number was the
      // outlier (chunk "250" where the numbering starts at 1) and the timeline begins anew there,
      // a resync (the next agrees even within the window: see `#secondOpinion`); if it lands on
      // the timeline, this one was. Taken as late, every real packet after a bogus first number
      // was dropped, up to maxGapMs of the caller's audio.
      return SUSPECT_BEHIND;
    }
    if (slot.position <= this.#historyStart - slot.tolerance || this.#inGap(slot)) return LATE;
    return DUPLICATE;
  }

  /** How far `position` lies from the span the timeline covers (next to head). */
  #distanceFromTimeline(position: number): number {
    if (position > this.#head) return position - this.#head;
    return position < this.#next ? this.#next - position : 0;
  }

  /** One packet, in position units. */
  #packetUnits(): number {
    return this.#bySequence ? 1 : this.#typicalMs();
  }

  #inGap(slot: Slot<T>): boolean {
    const gaps = this.#gaps;
    for (let i = 0; i < gaps.length; i += 2) {
      if (
        slot.position > gaps[i]! - slot.tolerance && slot.position < gaps[i + 1]! - slot.tolerance
      ) {
        return true;
      }
    }
    return false;
  }

  #place(slot: Slot<T>, output: MediaReorderOutput<T>): void {
    const verdict = this.#classify(slot);
    const candidate = this.#candidate;
    if (verdict === SUSPECT_AHEAD || verdict === SUSPECT_BEHIND) {
      if (candidate === undefined) {
        this.#candidate = slot;
        return;
      }
      const distance = Math.abs(slot.position - candidate.position);
      if (distance < slot.tolerance) {
        this.#bump("inboundMediaDuplicates", 1);
      } else if (
        distance < this.#distanceFromTimeline(slot.position) &&
        (distance * this.#unitMs() <= this.#maxGapMs ||
          (verdict === SUSPECT_AHEAD && candidate.position > this.#next &&
            distance < this.#packetUnits() + slot.tolerance))
      ) {
        // Two packets off the timeline and nearer each other than it: the numbering moved. Near
        // in absolute terms too, as the longest loss filled is maxGapMs: two unrelated outliers
        // (300 ahead, then 100000) are each nearer the other than the timeline, and taken for one
        // jump they filled what lies between them with silence (33 minutes; after 2^32, the
        // hundreds of gigabytes of 2.7 years). A packet and the one right after it are one jump
        // whatever their length: where packets are longer than maxGapMs (the window in force is
        // capped there), a single loss is a jump to confirm, and taken for two outliers every
        // packet after it was dropped, each when the next came.
        this.#candidate = undefined;
        this.#confirm(candidate, slot, output);
      } else {
        // Two unrelated outliers: the older one had no follower.
        this.#bump("inboundMediaLate", 1);
        this.#candidate = slot;
      }
      return;
    }
    if (verdict === LATE && candidate !== undefined && this.#secondOpinion(slot, candidate)) {
      this.#candidate = undefined;
      this.#confirm(candidate, slot, output);
      return;
    }
    const counted = slot.position < this.#head;
    this.#settle(slot, verdict, output);
    if (candidate !== undefined && (verdict === NEXT || verdict === AHEAD)) {
      // A packet on the timeline decides the outlier: it fits now (it was only early), or it was
      // a bogus number. Late packets and duplicates say nothing about it, so it waits on.
      this.#candidate = undefined;
      const again = this.#classify(candidate);
      if (again === NEXT || again === AHEAD) {
        if (!counted && slot.position < candidate.position) {
          this.#bump("inboundMediaReordered", 1); // it arrived after the early one
        }
        this.#settle(candidate, again, output);
      } else {
        this.#bump("inboundMediaLate", 1);
      }
    }
  }

  /**
   * Whether `slot`, late on a timeline that holds only its first packet, agrees with the packet
   * waiting behind that first one (see `#classify`): it is the waiting packet's second opinion
   * wherever it lands behind the first, not only beyond the window. Judged late on its own and
   * so saying nothing, the packets after a first number a few packets too high (chunk "5" where
   * the numbering starts at 1; Exotel's chunk "3" of 100 ms packets) were all dropped: the one
   * waiting once the stream reached the first's number, those within the window as they came,
   * up to the window plus a packet of the caller's audio (200 ms at Exotel's), where a first
   * number farther off lost none. Nearer the waiting packet than the timeline, and not its
   * duplicate, as two packets off the timeline must be to confirm a jump.
   */
  #secondOpinion(slot: Slot<T>, candidate: Slot<T>): boolean {
    if (this.#head !== this.#began || candidate.position >= this.#next) return false;
    const distance = Math.abs(slot.position - candidate.position);
    return distance >= slot.tolerance &&
      distance < this.#distanceFromTimeline(slot.position) &&
      distance * this.#unitMs() <= this.#maxGapMs;
  }

  #settle(slot: Slot<T>, verdict: Verdict, output: MediaReorderOutput<T>): void {
    if (verdict === LATE) {
      this.#bump("inboundMediaLate", 1);
    } else if (verdict === DUPLICATE) {
      this.#bump("inboundMediaDuplicates", 1);
    } else if (verdict === NEXT) {
      if (slot.position < this.#head) this.#bump("inboundMediaReordered", 1);
      this.#deliver(slot.packet, slot.position, slot.span, output);
      this.#release(output);
    } else if (this.#hold(slot)) {
      this.#release(output);
    }
  }

  /** Confirms a jump: `follower` arrived near `candidate`, both off the timeline. */
  #confirm(candidate: Slot<T>, follower: Slot<T>, output: MediaReorderOutput<T>): void {
    const first = follower.position < candidate.position ? follower : candidate;
    const jumpMs = (first.position - this.#next) * this.#unitMs();
    if (jumpMs > 0 && jumpMs <= this.#maxGapMs) {
      // A loss longer than the window: both join the timeline; the hole becomes a gap.
      this.#hold(candidate);
      this.#hold(follower);
      this.#release(output);
      return;
    }
    // The numbering moved (a restart, a wrap we were not told of, a counter hours away): what the
    // old timeline holds goes out first, then a new timeline begins at the earlier of the two.
    this.flush(output);
    this.#bump("inboundMediaResyncs", 1);
    if (first === follower) this.#bump("inboundMediaReordered", 1);
    const second = first === follower ? candidate : follower;
    this.#begin(first.position);
    this.#deliver(first.packet, first.position, first.span, output);
    this.#settle(second, this.#classify(second), output);
  }

  /** Inserts a packet after a hole; false (and counted) if its place is taken already. */
  #hold(slot: Slot<T>): boolean {
    const held = this.#held;
    let low = 0;
    let high = held.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (held[middle]!.position < slot.position) low = middle + 1;
      else high = middle;
    }
    const after = held[low];
    const before = held[low - 1];
    if (
      (after !== undefined && after.position - slot.position < slot.tolerance) ||
      (before !== undefined && slot.position - before.position < slot.tolerance)
    ) {
      this.#bump("inboundMediaDuplicates", 1);
      return false;
    }
    if (slot.position < this.#head) this.#bump("inboundMediaReordered", 1);
    else this.#head = slot.position;
    held.splice(low, 0, slot);
    return true;
  }

  /** Delivers held packets that are now in order, giving up holes older than the window. */
  #release(output: MediaReorderOutput<T>): void {
    const held = this.#held;
    while (held.length > 0) {
      const first = held[0]!;
      const offset = first.position - this.#next;
      if (offset >= first.tolerance) {
        const holeAgeMs = (this.#head - this.#next) * this.#unitMs();
        if (holeAgeMs <= this.#windowInForceMs() && held.length <= MAX_HELD) return;
        this.#fill(offset, output);
      } else if (offset <= -first.tolerance) {
        // Overlapped by what was just delivered (possible only by timestamp).
        held.shift();
        this.#bump("inboundMediaDuplicates", 1);
        continue;
      }
      held.shift();
      this.#deliver(first.packet, first.position, first.span, output);
    }
  }

  #fill(units: number, output: MediaReorderOutput<T>): void {
    const start = this.#next;
    const durationMs = units * this.#unitMs();
    this.#next = start + units;
    const gaps = this.#gaps;
    if (gaps.length === 2 * GAP_HISTORY) {
      // Forget the oldest gap, and with it what came before: a packet from there is just late.
      this.#historyStart = gaps[1]!;
      gaps.splice(0, 2);
    }
    gaps.push(start, start + units);
    this.#bump("inboundMediaGapsFilled", 1);
    this.#bump("inboundMediaGapMs", durationMs);
    const packets = this.#bySequence
      ? units
      : Math.max(1, Math.round(durationMs / this.#typicalMs()));
    output.gap({ durationMs, packets });
  }

  #deliver(
    packet: MediaPacket<T>,
    position: number,
    span: number,
    output: MediaReorderOutput<T>,
  ): void {
    this.#next = position + span;
    if (position > this.#head) this.#head = position;
    output.packet(packet);
  }

  #bump(counter: MediaReorderCounter, amount: number): void {
    this.#counts[counter] += amount;
    this.#count?.(counter, amount);
  }
}
