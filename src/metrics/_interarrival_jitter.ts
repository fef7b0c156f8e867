/**
 * Inbound jitter as RFC 3550 defines it, for `SessionMetrics`: measured from each
 * packet's arrival and media times, so that a reorder stage's wait and the silence it fills are
 * not taken for the network's.
 *
 * @module
 */

/** Transit times further apart than this are a new media timeline, not jitter. */
const RESYNC_MS = 10_000;
/**
 * A packet whose media time is this far behind the packet that arrived before it starts a new
 * timeline (a provider's clock went back), not a late packet: what a reorder stage puts back in
 * place is a window late, tens of ms. A new stream, whose media time counts from 0 again, is told
 * apart however short the old one was (see `add`).
 */
const MAX_REORDER_MS = 1000;
/**
 * Packets kept in the order they arrived, to put one that is handed on after packets that
 * arrived later (held behind a hole by a reorder window) in its place.
 */
const ARRIVALS_KEPT = 64;

/**
 * Interarrival jitter as RFC 3550 §6.4.1 defines it, computed as its appendix A.8 does: for each
 * packet in the order packets arrived, D is the change in transit time (arrival − media time) from
 * the packet that arrived before it, and J moves 1/16 of the way to |D|. Packets are told of as
 * they arrive ({@linkcode InterarrivalJitter.arrived}: what a reorder stage reports, in arrival
 * order, so none is ever moved) or, from a serializer that reports none, by their frames in media
 * order ({@linkcode InterarrivalJitter.add}): one held behind a hole comes after packets that
 * arrived later, and is put in its place among the last arrivals kept (32 to `ARRIVALS_KEPT`), the
 * estimate after it worked out again (one that arrived before all of those is taken as the latest:
 * a hold over 32 packets long). A new stream (told so, or a frame's media time 0 again) has no
 * difference from the old one's last packet: J goes on from where it stood. Times that are no
 * finite numbers are not measured. Preallocated: a packet costs no allocation.
 */
export class InterarrivalJitter {
  /** Arrival time, media time and J after each packet kept, in the order they arrived. */
  readonly #arrivedAt = new Float64Array(ARRIVALS_KEPT);
  readonly #mediaMs = new Float64Array(ARRIVALS_KEPT);
  readonly #after = new Float64Array(ARRIVALS_KEPT);
  #kept = 0;
  /** The largest J after packets no longer kept. */
  #maxForgotten = 0;
  /** Whether a difference was ever measured: one packet alone has no jitter. */
  #measured = false;
  /** The media time of the packet told of last (in the order told, not arrived); NaN before. */
  #toldMs = NaN;
  /** J carried into a new stream, for its first packet (which has none to differ from). */
  #carried = 0;

  /** J after the latest packet to arrive; `null` before two packets of a timeline arrived. */
  get jitterMs(): number | null {
    return this.#measured ? this.#after[this.#kept - 1]! : null;
  }

  /** The largest J has been, after any packet. */
  get maxJitterMs(): number | null {
    if (!this.#measured) return null;
    let max = this.#maxForgotten;
    for (let i = 0; i < this.#kept; i++) max = Math.max(max, this.#after[i]!);
    return max;
  }

  /**
   * One packet's frame, as a serializer hands frames on (in media order within a stream): when
   * its packet arrived and its media time, both in ms. A time that is no finite number (a
   * serializer's of its own) is not measured: one NaN would make J NaN for good.
   */
  add(arrivedAt: number, mediaMs: number): void {
    if (!Number.isFinite(arrivedAt) || !Number.isFinite(mediaMs)) return;
    // A stream's media time counts from 0 (`AudioFrame.timestampMs`), and packets are told of in
    // media order within one: 0 again after a later one is a new stream (a provider's `start`
    // again), whose packets have no transit difference from the old one's. Its time going back
    // by more than MAX_REORDER_MS alone would take a stream shorter than that for jitter.
    if (mediaMs === 0 && this.#toldMs > 0) this.#newStream();
    this.#toldMs = mediaMs;
    this.#measure(arrivedAt, mediaMs, false);
  }

  /**
   * One packet as it arrived (`SessionObserver.inboundPacket`): in arrival order, every packet
   * received, duplicates and those too late for a reorder window too, as RFC 3550 measures them.
   * `streamStart`: the first of a new stream, told so (media time 0 again is no sign here: a
   * duplicate of a stream's first packet has it too). Times that are no finite numbers are not
   * measured.
   */
  arrived(arrivedAt: number, mediaMs: number, streamStart: boolean): void {
    if (!Number.isFinite(arrivedAt) || !Number.isFinite(mediaMs)) return;
    if (streamStart) this.#newStream();
    this.#measure(arrivedAt, mediaMs, true);
  }

  /**
   * Keeps a packet and works J out after it. `inArrivalOrder`: it arrived after every packet kept
   * (told as it arrived), taken as the latest whatever the clock says; otherwise (a frame held
   * behind a hole, handed on after later arrivals) it is put in its place among them.
   */
  #measure(arrivedAt: number, mediaMs: number, inArrivalOrder: boolean): void {
    if (this.#kept === ARRIVALS_KEPT) this.#forget(ARRIVALS_KEPT / 2);
    const kept = this.#kept;
    let place = kept;
    while (!inArrivalOrder && place > 0 && this.#arrivedAt[place - 1]! > arrivedAt) place--;
    if (place === 0 && kept > 0) place = kept; // before all kept: its neighbours are forgotten
    if (place < kept) {
      // Held behind a hole: those that arrived after it move up, and J is worked out again.
      this.#arrivedAt.copyWithin(place + 1, place, kept);
      this.#mediaMs.copyWithin(place + 1, place, kept);
    }
    this.#arrivedAt[place] = arrivedAt;
    this.#mediaMs[place] = mediaMs;
    this.#kept = kept + 1;
    if (place === 0) {
      // The first of a stream: J stays as it was (0 at first) until a difference is measured.
      this.#after[0] = this.#carried;
      return;
    }
    for (let i = place; i <= kept; i++) this.#after[i] = this.#estimateAfter(i);
  }

  /** J after the packet kept at `i`, from the one that arrived before it. */
  #estimateAfter(i: number): number {
    const before = this.#after[i - 1]!;
    const step = this.#mediaMs[i]! - this.#mediaMs[i - 1]!;
    const d = Math.abs(this.#arrivedAt[i]! - this.#arrivedAt[i - 1]! - step); // |D(i−1, i)|
    // A new media timeline (a new stream, the provider's clock leapt): no jitter, J goes on.
    if (d > RESYNC_MS || step < -MAX_REORDER_MS) return before;
    this.#measured = true;
    return before + (d - before) / 16;
  }

  /** A new stream: the old one's packets are forgotten, J goes on from where it stands. */
  #newStream(): void {
    if (this.#kept === 0) return;
    this.#carried = this.#after[this.#kept - 1]!;
    this.#forget(this.#kept);
  }

  /** Forgets the `count` oldest packets kept (half of them: one copy per 32 packets). */
  #forget(count: number): void {
    for (let i = 0; i < count; i++) {
      this.#maxForgotten = Math.max(this.#maxForgotten, this.#after[i]!);
    }
    this.#arrivedAt.copyWithin(0, count, this.#kept);
    this.#mediaMs.copyWithin(0, count, this.#kept);
    this.#after.copyWithin(0, count, this.#kept);
    this.#kept -= count;
  }
}
