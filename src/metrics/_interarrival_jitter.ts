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
 * stream (a provider's new `start` counts its media time from 0 again), not a late packet: what a
 * reorder stage puts back in place is a window late, tens of ms.
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
 * the packet that arrived before it, and J moves 1/16 of the way to |D|. Packets are told of in
 * media order: one held behind a hole comes after packets that arrived later, and is put in its
 * place among the last `ARRIVALS_KEPT` arrivals, the estimate after it worked out again (one that
 * arrived before all of those is taken as the latest: a hold 64 packets long). Preallocated: a
 * packet costs no allocation.
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

  /** One packet: when it arrived and its media time, both in ms. */
  add(arrivedAt: number, mediaMs: number): void {
    if (this.#kept === ARRIVALS_KEPT) this.#forget(ARRIVALS_KEPT / 2);
    const kept = this.#kept;
    let place = kept;
    while (place > 0 && this.#arrivedAt[place - 1]! > arrivedAt) place--;
    if (place === 0 && kept > 0) place = kept; // before all kept: its neighbours are forgotten
    if (place < kept) {
      // Held behind a hole: those that arrived after it move up, and J is worked out again.
      this.#arrivedAt.copyWithin(place + 1, place, kept);
      this.#mediaMs.copyWithin(place + 1, place, kept);
    }
    this.#arrivedAt[place] = arrivedAt;
    this.#mediaMs[place] = mediaMs;
    this.#kept = kept + 1;
    if (place === 0) return; // the first: J stays 0 until a difference is measured
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
