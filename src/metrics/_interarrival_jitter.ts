/**
 * Inbound jitter as RFC 3550 defines it, for `SessionMetrics`: measured from each packet's
 * arrival and media times in the order packets arrived, so that a reorder stage's wait and the
 * silence it fills are not taken for the network's.
 *
 * @module
 */

/** Transit times further apart than this are a new media timeline, not jitter. */
const RESYNC_MS = 10_000;
/**
 * A packet whose media time is this far behind the packet that arrived before it starts a new
 * timeline (a provider's clock went back), not a late packet: a reordered one is tens of ms late.
 */
const MAX_REORDER_MS = 1000;

/**
 * Interarrival jitter as RFC 3550 §6.4.1 defines it, computed as its appendix A.8 does: for each
 * packet in the order packets arrived, D is the change in transit time (arrival − media time) from
 * the packet that arrived before it, and J moves 1/16 of the way to |D|. A new stream has no
 * difference from the old one's last packet: J goes on from where it stood, as after an arrival
 * before the one before it (the clock stepped back). Times that are no finite numbers are not
 * measured (one NaN would make J NaN for good). A packet costs a few number writes, no allocation.
 */
export class InterarrivalJitter {
  #arrivedAt = NaN;
  #mediaMs = NaN;
  #jitter = 0;
  #max = 0;
  /** Whether a difference was ever measured: one packet alone has no jitter. */
  #measured = false;

  /** J after the latest packet; `null` before two packets of a timeline arrived. */
  get jitterMs(): number | null {
    return this.#measured ? this.#jitter : null;
  }

  /** The largest J has been, after any packet. */
  get maxJitterMs(): number | null {
    return this.#measured ? this.#max : null;
  }

  /**
   * One packet, in the order packets arrived: when it arrived and its media time, both in ms.
   * `streamStart`: the first of a new stream, whose media time counts anew.
   */
  arrived(arrivedAt: number, mediaMs: number, streamStart: boolean): void {
    if (!Number.isFinite(arrivedAt) || !Number.isFinite(mediaMs)) return;
    const step = mediaMs - this.#mediaMs;
    const waited = arrivedAt - this.#arrivedAt;
    const d = Math.abs(waited - step); // |D(i−1, i)|; NaN for the first
    this.#arrivedAt = arrivedAt;
    this.#mediaMs = mediaMs;
    // A new stream, or a new media timeline (the provider's clock leapt): no jitter, J goes on.
    // Packets come in the order they arrived: one that arrived before the packet before it is our
    // clock stepping back (a custom one), a new arrival timeline too, not seconds of jitter.
    if (streamStart || !(d <= RESYNC_MS) || step < -MAX_REORDER_MS || waited < 0) return;
    this.#measured = true;
    this.#jitter += (d - this.#jitter) / 16;
    if (this.#jitter > this.#max) this.#max = this.#jitter;
  }
}
