/**
 * The frames' clock: where on the media timeline a delivered packet's frame goes, read off its
 * media time (anchored at the first packet after a start or a resync, re-anchored when the
 * provider's clock moves, refused where it cannot be right), and the range media times wrap in.
 * A unit of its own apart from `OrderedMedia` (what faces the wire) and the output
 * (`_frame_output.ts`, which asks it of every packet it delivers): it is arithmetic over numbers
 * alone, told where delivery stands, and the switch of order (`_order_switch.ts`) reads where
 * delivery stands on the wire's timeline through its origin.
 *
 * @module
 */

import { MAX_AHEAD_MS } from "./_stamp_placement.ts";

/** The media clock of one stream: its origin, and the last refused media time's offset. */
export class FrameClock {
  /**
   * What a message's media time less this gives its frame's `timestampMs`: set by the first packet
   * delivered after a start or a resync, so that it lands where delivery stands.
   */
  originMs: number | undefined;
  /** The range media times wrap in (ordered by timestamp with a modulus), else `undefined`. */
  modulus: number | undefined;
  /** By how much the last refused media time was off where delivery stood (see `frameMs`). */
  #refusedOffsetMs: number | undefined;
  /** Counts and reports a media time that cannot be right, saying why (the stage's provider). */
  readonly #refuse: (mediaMs: number, why: string) => void;

  /** A clock that tells `refuse` of each media time it refuses. */
  constructor(refuse: (mediaMs: number, why: string) => void) {
    this.#refuse = refuse;
  }

  /**
   * A delivered message's frame time, from its media time (`timestamp`: "ms from the start of the
   * stream" on Twilio, Telnyx, Plivo and Exotel), or `undefined` to place it where delivery stands
   * (`nextMs`: the sequence's timeline, the media before it plus filled gaps). The first packet
   * after a start or a resync anchors the media clock there, so `timestampMs` never goes negative
   * and keeps moving forward across a resync. A media time that cannot be right (before the
   * stream began; more than MAX_AHEAD_MS ahead of where delivery stands; or not a safe number) is
   * ignored: the frame still goes out, timed by its place in the sequence, and the message is
   * counted in `decodeErrors` and reported (the audio is good, its clock is not). Two refused in
   * a row that are off by the same amount mean the provider's clock moved (as a resync does for
   * numbering): the clock is re-anchored on the second.
   */
  frameMs(mediaMs: number | undefined, durationMs: number, nextMs: number): number | undefined {
    if (mediaMs === undefined) return undefined;
    if (!Number.isFinite(mediaMs) || Math.abs(mediaMs) > Number.MAX_SAFE_INTEGER) {
      this.#refuse(mediaMs, "is not a safe number");
      return undefined;
    }
    if (this.originMs === undefined) this.originMs = mediaMs - nextMs;
    let atMs = mediaMs - this.originMs;
    // Media times that wrap (by timestamp, a modulus): the time nearest where delivery stands.
    const modulus = this.modulus;
    if (modulus !== undefined) atMs = nearest(atMs, nextMs, modulus);
    const offsetMs = atMs - nextMs;
    // Earlier than where delivery stands is taken as it is (a provider whose clock is its receipt
    // time jitters so); only before the stream's start is impossible.
    if (atMs >= 0 && offsetMs <= MAX_AHEAD_MS) {
      this.#refusedOffsetMs = undefined;
      return atMs;
    }
    const previous = this.#refusedOffsetMs;
    if (previous !== undefined && Math.abs(offsetMs - previous) < durationMs / 2) {
      this.#refusedOffsetMs = undefined;
      this.originMs = mediaMs - nextMs;
      return undefined;
    }
    this.#refusedOffsetMs = offsetMs;
    this.#refuse(
      mediaMs,
      atMs < 0 ? "is before the stream began" : "is too far ahead of the stream",
    );
    return undefined;
  }

  /** A new timeline (a start, or a resync): the next packet delivered anchors the clock anew. */
  reset(): void {
    this.originMs = undefined;
    this.#refusedOffsetMs = undefined;
  }
}

/** The number `value` stands for modulo `modulus` that lies nearest `near`. */
export function nearest(value: number, near: number, modulus: number): number {
  let offset = (value - near) % modulus;
  if (offset < 0) offset += modulus;
  if (offset >= modulus / 2) offset -= modulus;
  return near + offset;
}

/**
 * A media time counted from the stream's first (`firstMs`): with a `modulus` (media times that
 * wrap), within it, so that a time after the wrap comes after the first, not before it; or
 * `undefined` for a time outside `[0, modulus)`, which the reorder stage cannot order.
 */
export function sinceFirst(
  mediaMs: number,
  firstMs: number,
  modulus: number | undefined,
): number | undefined {
  if (modulus === undefined) return mediaMs - firstMs;
  if (!(mediaMs >= 0 && mediaMs < modulus)) return undefined;
  const since = (mediaMs - firstMs) % modulus;
  return since < 0 ? since + modulus : since;
}
