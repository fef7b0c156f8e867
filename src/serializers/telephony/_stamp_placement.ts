/**
 * Where each packet of a stream ordered by media timestamp goes on the packets' grid, before the
 * reorder stage orders it: Twilio's `both_tracks`, Plivo's `audioTrack=both` and Telnyx's stream
 * after its switch of order (see `_inbound_order.ts`) number both tracks on one counter, so the
 * stamp orders the caller's track, and the stamp jitters. {@linkcode StampPlacement} owns the
 * reading of those stamps: the step (the newest chunk taken and where its packet ends), the
 * first stamp's shift and its second opinion, the stamps' bias (`_stamp_residuals.ts`), the
 * snapping of a loss to the grid and the grid's moves, the undoing of a step that jumped, and the
 * place of a packet that is not the newest (delayed past a later one, or sent again).
 *
 * Apart from `OrderedMedia`, which keeps what faces the wire (the reorder stage, the wall-time
 * bound on a hole; decoding is `_frame_output.ts`'s, the frames' clock `_frame_clock.ts`'s): the
 * placement is a state machine of its own over numbers alone (a stamp, a chunk, a length in; a
 * place out), told only whether the stage took the packet it placed, and a sequence-ordered
 * stream never reaches it.
 *
 * @module
 */

import { StampResiduals } from "./_stamp_residuals.ts";
import { TakenPlaces } from "./_taken_places.ts";

/**
 * A media time further ahead than this of where delivery stands cannot be right: the reorder stage
 * fills no gap longer (its `maxGapMs`), it resyncs instead.
 */
export const MAX_AHEAD_MS = 5000;

/**
 * By timestamp: a packet stamped a whole number of packets past where the newest ends, less the
 * stamps' bias, within this many packets of it, is set exactly that many packets on (the loss
 * snapped to the grid, its jitter left out); one farther from a whole number is set at its stamp
 * less the bias: a loss cannot be told from jitter there, and half a packet of silence is the
 * smaller mistake either way.
 */
const SNAP_PACKETS = 0.3;

/**
 * By timestamp: how far, in packets, a packet after a single loss may be off the grid and still
 * snap, when the bias is read from residuals close together (see `#singleLossSnapMs`). The bias
 * is the middle of their range: with stamps jittered up to `SNAP_PACKETS` either way, it is off by
 * up to `SNAP_PACKETS` less half their spread, and the packet's stamp by `SNAP_PACKETS` more. A
 * stream whose residuals all rested on the first stamp and a shift (both 0 by definition) set the
 * packet after a loss 8 ms off the grid, 28 ms of silence for 20 lost. Under half a packet: there
 * a loss cannot be told from jitter (see `SNAP_PACKETS`). Only after a single loss, the commonest:
 * widened after two, a loss misread a few packets before (filled late, with its silence) was
 * filled again a packet too long. A trade, measured (2026-12-07, 2,000 seeded streams a model):
 * with stamps jittered up to 6 ms on 20 ms packets, as `SNAP_PACKETS` assumes, fewer streams are
 * heard wrong; jittered 8–9 ms, a few more (163 for 150, 575 for 549), a packet 7 ms off read as
 * one after a loss. A measure of the stamps' own jitter would tell the two apart.
 */
const SNAP_WIDEST_PACKETS = 0.4;

/**
 * By timestamp: what each packet missing before a newer chunk counts against reading it so, in
 * packets, times how many are missing (see `misfit`), when the first stamp's shift is confirmed
 * or undone (see `place`): a second stamped four packets early, the third on time, read either
 * way with equal fit, is read as jitter, not a loss of four packets.
 */
const MISSING_WEIGHT = 0.25;

/**
 * By timestamp: how many residuals the bias must rest on before a packet set off the grid (see
 * `SNAP_PACKETS`) is read as jittered, the residuals before it moved with the grid (see
 * `taken`). On fewer, the bias's own error (the middle of two or three stamps' range, one of
 * them maybe the first's or the second's, off) is as large as the packet's distance off the grid:
 * its stamp is taken as right and the residuals are left as they are (moved, a loss right after
 * was read as jitter, or jitter as a loss).
 */
const GRID_MOVE_RESIDUALS = 4;

/**
 * How far, in packets, a packet's stamp may be off that of a packet taken on its chunk and still
 * be its copy (see `#placeOlder`): the reorder stage's own tolerance, under which two packets are
 * one.
 */
const COPY_PACKETS = 0.5;

/** Options for {@linkcode StampPlacement}. */
export interface StampPlacementOptions {
  /**
   * The reorder stage's `windowMs`, as resolved: a step that jumped farther than it is held by the
   * stage until a second packet confirms it (see {@linkcode StampPlacement.place}).
   */
  windowMs: number;
  /**
   * Whether media times wrap (ordered by timestamp with a `modulus`): a newer chunk's stamp is then
   * left to the reorder stage, as it comes.
   */
  timesWrap: boolean;
}

/**
 * Places the packets of one stage ordered by timestamp (see the module's doc): `OrderedMedia`
 * asks {@linkcode place} where a packet goes before the reorder stage takes it, tells
 * {@linkcode taken} once the stage took it (only then does its reading stand), and
 * {@linkcode forget} at a new stream or a new key to order by.
 */
export class StampPlacement {
  readonly #windowMs: number;
  readonly #timesWrap: boolean;
  /**
   * By timestamp: the newest chunk number taken, and where (ms from the first) its packet ends —
   * see `place`.
   */
  #stepChunk: number | undefined;
  #stepEndMs: number | undefined;
  /** By timestamp: whether the step is the stream's first packet (none vouched for its stamp). */
  #stepIsFirst = false;
  /**
   * Whether the step was forgotten mid-stream (`OrderedMedia.reorderBy` after a packet was taken):
   * the first step after it is no stream's first, the packets before vouch for its stamp. Until
   * the stream's next start (`OrderedMedia.reset`).
   */
  #switchedMidStream = false;
  /**
   * By timestamp: what is added to every media time after the stream's first packet once a newer
   * chunk was stamped before that first one began (see `place`); 0 until then.
   */
  #stampShiftMs = 0;
  /** Whether `#stampShiftMs` rests on one packet: the next newer chunk confirms or undoes it. */
  #shiftUnconfirmed = false;
  /**
   * While the shift is unconfirmed: the shift it moved from (0 for the first's), and whether it
   * was read mid-stream (a sender's clock stepped back, see `#steppedBack`) rather than off the
   * first's stamp: undone, only its own packet's residual rests on it.
   */
  #shiftBeforeMs = 0;
  #shiftMidStream = false;
  /**
   * The shift as `place` read the packet it placed, and whether unconfirmed: in force once the
   * stage has taken that packet (`taken`), so that a packet it refuses changes nothing.
   */
  #placedShiftMs = 0;
  #placedShiftUnconfirmed = false;
  #placedShiftBeforeMs = 0;
  #placedShiftMidStream = false;
  /**
   * Whether the packet `place` placed confirmed a move read mid-stream (see `#steppedBack`): the
   * residuals before the move were read off the clock before its step, and go once it is taken.
   */
  #placedConfirmsStepBack = false;
  /**
   * By timestamp: the latest residuals, each a newer chunk's (shifted) stamp less where it was
   * placed; the stream's first counts 0 (its stamp is its place), twice when the packets before a
   * switch of order vouch for it. They say how far the stamps run off the packets' grid.
   */
  readonly #residuals = new StampResiduals();
  /**
   * The residual of the packet `place` placed (NaN: none to keep), and whether that reading
   * undid the shift (the residuals before then rest on the stamp that was off): kept once the
   * stage has taken it (`taken`).
   */
  #placedResidualMs = Number.NaN;
  #placedUndidShift = false;
  /**
   * How far off the packets' grid `place` set the packet it placed (one too far from a whole
   * number of packets past the newest to snap): the grid moves with it once the stage has taken
   * it, and so must the residuals read against the grid before (see `taken`).
   */
  #placedOffGridMs = 0;
  /**
   * What the step's packet did to the bias as the stage took it: how far it moved the residuals
   * with the grid (0: not), and whether it added its own; and where the step before it ended. A
   * newer chunk that goes on from that step before, a packet or more behind the step, says the
   * step's stamp was the one off (a bogus jump the stage holds, then drops): what it did is undone
   * (`#placedUndoesStep`, once the stage has taken that newer chunk).
   */
  #stepMovedGridMs = 0;
  #stepKeptResidual = false;
  #stepBeforeEndMs: number | undefined;
  #placedUndoesStep = false;
  /**
   * The length of the newest packet (see `taken`), and whether packets of more than one length
   * have been taken since the step began: the grid is whole packets of one length, and a stream
   * whose lengths vary says nothing of how long those lost were.
   */
  #stepDurationMs: number | undefined;
  #lengthsVary = false;
  /**
   * Where the latest packets taken went, by chunk: a packet that is not the newest is placed among
   * them.
   */
  readonly #takenPlaces = new TakenPlaces();
  /**
   * The stamp `place` read of the packet it placed (ms from the first, before any shift), kept with
   * its place once the stage has taken it: a copy carries its first's stamp (see `#placeOlder`).
   */
  #placedStampMs = Number.NaN;
  /**
   * How far apart the residuals lay that the bias of the packet `place` placed was read from (see
   * `#singleLossSnapMs`).
   */
  #biasSpreadMs = 0;

  /** Places the packets of one stage (see {@linkcode StampPlacementOptions}). */
  constructor(options: StampPlacementOptions) {
    this.#windowMs = options.windowMs;
    this.#timesWrap = options.timesWrap;
  }

  /**
   * Where a packet ordered by timestamp goes: a newer chunk than any taken (never a duplicate:
   * Twilio, Telnyx, Plivo and Exotel number each media message anew) stamped from one packet
   * before to less than half a packet after where the newest taken ends is the next packet, its
   * stamp off by jitter (a sender stamping by its wall clock stamps a burst alike): set there,
   * exactly. Not dropped as overlapping the one before; and not left at its stamp either, since
   * the reorder stage would then carry the jitter on: one stamped 6 ms early moved the timeline
   * 6 ms back while its audio still followed on whole, and the next, 6 ms late, was then 12 ms
   * past its place, a hole filled with 12 ms of silence (Plivo's epoch-ms stamps, each within 6 ms
   * of its time, made a second of speech 1.19 s long, silence every third packet). A stamp half a
   * packet or more ahead is left as it is: it may follow a loss, or come early before a late one.
   * With both tracks on one chunk counter, the chunks of a track do not say which are missing, so
   * the stamp orders; they do say which packet is new.
   *
   * The stream's first packet has only its own stamp to go by, and it went out at once (the first
   * after a switch of order mid-stream has the packets before it to vouch for its). A newer
   * chunk stamped before that first one began says one of the two stamps is off: set where the
   * first ends (its place either way), and the stamps after it read moved by as much, as if the
   * first's was late. The next newer chunk is the second opinion: read either way, the nearer
   * where the step ends wins (but never a reading a packet or more before it, where the other is
   * not: a newer chunk comes after the step, or after a loss), and the move is kept or undone.
   * Left at its stamp, it and every packet after it up to the first's end were late or
   * overlapping on the first's timeline, dropped: a first packet stamped 80 ms late cost the 80 ms
   * of audio after it (farther, the reorder stage's own second opinion began the timeline anew);
   * one stamped a packet late was taken for jitter, every packet after it then set a packet on
   * from its stamp, and a single loss later left no hole, the call that much short. A stamp less
   * than a packet before the first's end is jitter, placed as above. The second opinion is the
   * reading that fits the packets' grid better (see `misfit`), not the one nearer the step: the
   * packet after a loss of one, read 24 ms past the step with the move and 16 ms before it without,
   * undid a first stamp's move of 35 ms.
   *
   * "Where the newest ends" is read less the stamps' bias against the grid the packets are placed
   * on (see `StampResiduals`), not against the last packet's stamp: a first stamped half a
   * packet to a packet late made every later stamp read that much early (a single loss read as
   * jitter and never filled, a packet stamped 6 ms early dropped as a duplicate); a packet after a
   * loss set at its own stamp carried its jitter on (a loss under jitter later read as in step, its
   * silence four packets late). Each packet placed tells the bias its residual.
   *
   * Mid-stream, a newer chunk stamped farther behind where the newest ends than the reorder
   * stage's window says the sender's clock stepped back (see `#steppedBack`): set in step, the
   * stamps after it read moved by as much, and the next newer chunk is the second opinion, as
   * for the first's stamp. Left at its stamp, every packet up to the old time was dropped as late.
   *
   * `atMs` is the packet's stamp in ms from the stream's first, `chunk` its number; the place
   * returned is its key for the reorder stage. What it reads stands only once {@linkcode taken} is
   * told: a packet the stage refuses changes nothing.
   */
  place(atMs: number, chunk: number | undefined, durationMs: number): number {
    this.#placedShiftMs = this.#stampShiftMs;
    this.#placedShiftUnconfirmed = this.#shiftUnconfirmed;
    this.#placedShiftBeforeMs = this.#shiftBeforeMs;
    this.#placedShiftMidStream = this.#shiftMidStream;
    this.#placedConfirmsStepBack = false;
    this.#placedResidualMs = Number.NaN;
    this.#placedUndidShift = false;
    this.#placedOffGridMs = 0;
    this.#placedUndoesStep = false;
    this.#placedStampMs = atMs;
    const shiftedMs = atMs + this.#stampShiftMs;
    const endMs = this.#stepEndMs;
    const last = this.#stepChunk;
    if (endMs === undefined || last === undefined || chunk === undefined) {
      // The first packet: its stamp is its place.
      if (endMs === undefined) this.#placedResidualMs = 0;
      return shiftedMs;
    }
    if (this.#timesWrap) return chunk > last ? atMs : shiftedMs; // wrapped: the stage's to judge
    if (!(chunk > last)) {
      const olderMs = this.#placeOlder(atMs, shiftedMs, chunk, last, endMs, durationMs);
      if (olderMs !== undefined) return olderMs;
    }
    let readMs = shiftedMs;
    if (this.#shiftUnconfirmed) {
      this.#placedShiftUnconfirmed = false;
      // A newer chunk may land after the step (a loss before it, or it overtook the one before),
      // never a packet or more before it: read so only without the shift, it is no second opinion
      // against it. Nearer wins was a tie for a first 40 ms late and the third packet lost (20 ms
      // after the step shifted, 20 ms before it not): undone, every packet after was read a
      // packet early, set in step as jitter, and no single loss of the call was filled again.
      const unshiftedMs = atMs + this.#shiftBeforeMs;
      const behindUnshifted = unshiftedMs - endMs <= -durationMs &&
        shiftedMs - endMs > -durationMs;
      if (
        !behindUnshifted &&
        misfit(unshiftedMs - endMs, durationMs) <= misfit(shiftedMs - endMs, durationMs)
      ) {
        // The stamp the shift rested on was the one off, not the first's (or not the clock).
        this.#placedShiftMs = this.#shiftBeforeMs;
        this.#placedUndidShift = true;
        readMs = unshiftedMs;
      } else this.#placedConfirmsStepBack = this.#shiftMidStream;
    }
    const offsetMs = readMs - endMs;
    // Never farther than the longest gap the reorder stage fills: a stamp that far off is its to
    // judge (a second packet agreeing with it begins the timeline anew).
    if (this.#stepIsFirst && offsetMs <= -durationMs && offsetMs >= -MAX_AHEAD_MS) {
      this.#placedShiftBeforeMs = this.#placedShiftMs;
      this.#placedShiftMidStream = false;
      this.#placedShiftMs -= offsetMs;
      this.#placedShiftUnconfirmed = true;
      this.#placedResidualMs = 0;
      return endMs;
    }
    if (this.#lengthsVary || durationMs !== this.#stepDurationMs) {
      // Packets of more than one length: no grid of whole packets runs through them, and a loss
      // is of packets of any length (a 20 ms loss and an 80 ms one before an 80 ms packet stamped
      // 100 ms on was snapped to one packet, the packet set 20 ms early, and every packet after:
      // a loss shorter than half a packet, read in step, was read as the stamps' bias from then
      // on). Placed against the newest's stamp, as the jitter alone allows.
      return offsetMs < durationMs / 2 && offsetMs >= -durationMs ? endMs : readMs;
    }
    // Judged against the stamps' bias, not the last packet's stamp: a first stamped half a packet
    // late made every later stamp read that much early (a loss read as jitter, a packet 6 ms early
    // as a duplicate), and a packet after a loss set at its stamp carried its jitter on.
    // A reading that undid the move has only the first's stamp to go by (the residuals so far
    // were read through the move).
    // A move read mid-stream, undone, leaves the residuals before it as they were: only its own
    // packet's is left out.
    const undidMidStream = this.#placedUndidShift && this.#shiftMidStream;
    const biasMs = undidMidStream
      ? this.#residuals.biasMs(durationMs, true)
      : this.#placedUndidShift
      ? 0
      : this.#biasFor(offsetMs, durationMs);
    // One stamp to go by once the shift is undone: no spread to narrow the bias's error.
    this.#biasSpreadMs = this.#placedUndidShift && !undidMidStream ? 0 : this.#residuals.spreadMs;
    const offBiasMs = offsetMs - biasMs;
    // Nor farther on than the longest gap the reorder stage fills: a stamp that far off (one bogus,
    // or the step's, a packet stamped ten minutes back) is its to judge, and snapped to the grid
    // through that stamp, the packet and every one after it were set off the stamps for the rest
    // of the call (by as far as the bogus stamp was off a whole number of packets).
    if (offBiasMs > MAX_AHEAD_MS) return readMs;
    if (offBiasMs < -durationMs) {
      // Behind a step that jumped farther than the reorder stage's window (a jump it holds until a
      // second packet confirms it), yet going on from the step before: the step's stamp was off.
      // Kept, a stamp jumping 3 s ahead every other packet moved the residuals by its distance
      // off the grid each time, and every packet after was set 11 ms late for the rest of the call.
      const beforeMs = this.#stepBeforeEndMs;
      this.#placedUndoesStep = beforeMs !== undefined &&
        endMs - durationMs - beforeMs > this.#windowMs &&
        endMs + offBiasMs >= beforeMs - durationMs;
      if (!this.#placedUndoesStep) {
        if (!this.#steppedBack(offBiasMs, durationMs)) return readMs;
        // Set in step, as the next packet (its chunk says so), and every stamp after it read
        // moved by as much; the next newer chunk confirms the move or undoes it (see above).
        this.#placedShiftBeforeMs = this.#placedShiftMs;
        this.#placedShiftMs -= offBiasMs;
        this.#placedShiftUnconfirmed = true;
        this.#placedShiftMidStream = true;
        this.#placedResidualMs = biasMs;
        return endMs;
      }
      // Placed on from the step before, against the bias as it stood before the step (its grid
      // move and residual left out): set at its own stamp, its jitter (Plivo's, up to 6 ms) was
      // carried on by every packet after it, placed in step behind it, for the rest of the call.
      const undoneBiasMs = this.#residuals.biasMs(durationMs, this.#stepKeptResidual) +
        this.#stepMovedGridMs;
      this.#biasSpreadMs = this.#residuals.spreadMs;
      return this.#onGrid(readMs, beforeMs!, readMs - beforeMs! - undoneBiasMs, durationMs);
    }
    return this.#onGrid(readMs, endMs, offBiasMs, durationMs);
  }

  /**
   * Whether a newer chunk read `offBiasMs` past where the newest ends, less the bias, says the
   * sender's clock stepped back (an NTP correction of a wall clock, Plivo's stamps being epoch
   * ms): farther back than the reorder stage's window, where it could only drop it as late, yet
   * within the longest gap it fills (farther is its to judge), and no move of the stamps already
   * waiting on a second opinion. Left at its stamp, every packet up to the old time was dropped
   * (600 ms of the caller's speech for a clock stepped 600 ms back). A single stamp that far off
   * (a bogus one) is set in step all the same, its chunk being newer: the packet after it undoes
   * the move.
   */
  #steppedBack(offBiasMs: number, durationMs: number): boolean {
    return !this.#shiftUnconfirmed && !this.#placedUndidShift &&
      offBiasMs < -Math.max(this.#windowMs, durationMs) - durationMs / 2 &&
      offBiasMs >= -MAX_AHEAD_MS;
  }

  /**
   * The stamps' bias a newer chunk `offsetMs` past where the newest ends is read against: the
   * residuals' (see `StampResiduals`), but where they are two, farther apart than two stamps'
   * jitter (`SNAP_PACKETS` each): one of the two stamps was off (the first stamped late, or the
   * second early, by less than a packet), their middle is no bias, and the residual that fits the
   * packet to the grid better (see `misfit`) is. Read against the middle, a second stamped 18 ms
   * early set the third 10 ms off the grid, 10 ms of silence before it, none lost.
   */
  #biasFor(offsetMs: number, durationMs: number): number {
    const residuals = this.#residuals;
    const newestMs = residuals.newest(0);
    const olderMs = residuals.newest(1);
    const middleMs = residuals.biasMs(durationMs);
    if (
      residuals.count !== 2 || !(Math.abs(newestMs - olderMs) > 2 * SNAP_PACKETS * durationMs)
    ) {
      return middleMs;
    }
    if (onTheGrid(offsetMs - middleMs, durationMs)) return middleMs;
    return misfit(offsetMs - newestMs, durationMs, 1) < misfit(offsetMs - olderMs, durationMs, 1)
      ? newestMs
      : olderMs;
  }

  /**
   * Where a packet whose chunk is not newer than the step's (`last`, its packet ending at `endMs`)
   * goes: one delayed past a later one, or sent again. A chunk taken before, its stamp (`atMs`,
   * unshifted) within half a packet of that one's, is a duplicate: set where that one went, so the
   * stage drops it as one. One stamped farther off is another packet on a number used before (a
   * sender's counter stuck, or started over while its stamps went on): set where the first went,
   * a counter stuck on one chunk lost every packet after the first, each dropped as a duplicate,
   * and one started over lost as many packets as the ring still held chunks of. Any other is read
   * as a newer chunk is, its stamp less the stamps' bias, snapped to the grid through the step,
   * and kept between the places of the chunks taken either side of it (the chunks order the
   * packets; on one counter across both tracks their gaps do not count the caller's). Set at its
   * raw stamp, it landed in another packet's place once the stamps ran off the grid (a first stamp
   * 12 ms late, a drifting clock): a packet delayed past the next dropped as a duplicate of the
   * one before it, 20 ms of silence in its place; a first packet sent again set over the fourth
   * (the shift the second's stamp gave), which was then lost. One whose stamp less the bias falls
   * on the step or after it is no older packet: the step's chunk was out of line (see `taken`), or
   * it is no copy of the step's packet though numbered alike. `undefined`: it is read as a newer
   * chunk is (see `place`), in step where it jittered. Left at its stamp, the packet after a chunk
   * of 10^12 landed on that one's place once the stamps ran off the grid (a first stamp 12 ms
   * late, a clock 2 % slow), dropped as its duplicate, silence in its place; and a counter stuck
   * on one chunk carried every stamp's jitter on, as silence. (A copy stamped half a packet or
   * more after its first is then heard twice: the stamps alone cannot tell it from the next packet
   * of a counter stuck.)
   */
  #placeOlder(
    atMs: number,
    shiftedMs: number,
    chunk: number,
    last: number,
    endMs: number,
    durationMs: number,
  ): number | undefined {
    const takenMs = this.#takenPlaces.placeOf(chunk, atMs, COPY_PACKETS * durationMs);
    if (takenMs !== undefined) return takenMs;
    const gridded = !this.#lengthsVary && durationMs === this.#stepDurationMs;
    const readMs = shiftedMs - (gridded ? this.#residuals.biasMs(durationMs) : 0);
    const offsetMs = readMs - endMs;
    // The step's own number on no copy of its packet says nothing of which comes first: in step
    // from a packet back, as a newer chunk is (a counter stuck on one chunk, each packet stamped
    // early by the bias, was set at its stamp behind the one before, dropped as its duplicate).
    if (offsetMs >= (chunk === last ? -durationMs : -durationMs / 2)) return undefined;
    if (offsetMs < -MAX_AHEAD_MS) return shiftedMs;
    const packets = Math.round(offsetMs / durationMs);
    let placedMs = gridded && Math.abs(offsetMs - packets * durationMs) <= SNAP_PACKETS * durationMs
      ? endMs + packets * durationMs
      : readMs;
    // Kept off its neighbours' places by a packet at most: one farther off says the neighbour's
    // place is what is off (a bogus jump the stage held, then dropped), not this stamp. NaN
    // compares false: no neighbour kept, no bound.
    const around = this.#takenPlaces;
    around.around(chunk, last);
    const latestAllowedMs = around.beforeMs - durationMs;
    if (placedMs > latestAllowedMs && placedMs - latestAllowedMs <= durationMs) {
      placedMs = latestAllowedMs;
    }
    if (placedMs < around.afterMs && around.afterMs - placedMs <= durationMs) {
      placedMs = around.afterMs;
    }
    return placedMs;
  }

  /**
   * Where a packet read `offBiasMs` past `endMs`, the end of the packet it follows, less the
   * stamps' bias, goes on the packets' grid (see `place`); its residual and its distance off the
   * grid are kept for `taken`.
   */
  #onGrid(readMs: number, endMs: number, offBiasMs: number, durationMs: number): number {
    if (offBiasMs < -durationMs) return readMs;
    // Whole packets missing before it (a loss snapped to the grid, its jitter left out).
    const missing = offBiasMs < durationMs / 2
      ? 0
      : Math.max(1, Math.round(offBiasMs / durationMs));
    const onGridMs = endMs + missing * durationMs;
    const placedMs = missing === 0 ||
        Math.abs(offBiasMs - missing * durationMs) <=
          (missing === 1 ? this.#singleLossSnapMs(durationMs) : SNAP_PACKETS * durationMs)
      ? onGridMs
      : endMs + offBiasMs;
    this.#placedOffGridMs = placedMs - onGridMs;
    this.#placedResidualMs = readMs - placedMs;
    return placedMs;
  }

  /**
   * How far from one whole packet past the newest a packet after a single loss may be, less the
   * bias, and still snap to it (see `SNAP_PACKETS`): a stamp's own jitter and the bias's own error
   * (see `SNAP_WIDEST_PACKETS`), up to that bound.
   */
  #singleLossSnapMs(durationMs: number): number {
    // One residual, the first's, is no spread: a 60 ms packet 40 ms past one of exact stamps
    // (40 ms of 20 ms packets lost, the lengths told only later) was snapped to a whole packet.
    if (this.#residuals.count < 2) return SNAP_PACKETS * durationMs;
    const biasErrorMs = SNAP_PACKETS * durationMs - this.#biasSpreadMs / 2;
    return Math.min(
      SNAP_PACKETS * durationMs + Math.max(0, biasErrorMs),
      SNAP_WIDEST_PACKETS * durationMs,
    );
  }

  /** What the step's packet did to the bias, undone (see `#stepMovedGridMs`). */
  #undoStep(): void {
    if (this.#stepMovedGridMs !== 0) this.#residuals.move(this.#stepMovedGridMs);
    if (this.#stepKeptResidual) this.#residuals.dropLast();
  }

  /**
   * A packet ordered by timestamp was taken at `atMs`: the newest chunk so far marks the step, and
   * so does one placed at or after where the step ends, whatever its chunk. Chunks and media times
   * both count up: a packet newer in time than the step with an older chunk says the step's chunk
   * was out of line (one bogus `chunk` of 10^12). Kept, that chunk was newer than every chunk after
   * it, so no packet was ever in step again: for the rest of the stream a burst stamped alike lost
   * its second packet, dropped as a duplicate, and jitter was filled with silence. The stamps'
   * shift as `place` read this packet is in force from here. `stageDropped`: the reorder stage
   * dropped it (a duplicate, a late one), and its residual is kept out of the bias.
   */
  taken(atMs: number, chunk: number | undefined, durationMs: number, stageDropped: boolean): void {
    if (chunk === undefined || !Number.isFinite(chunk)) return;
    // Any packet taken tells the lengths, the step's or one from before it (one late packet of
    // 40 ms among 60 ms ones says the 40 ms lost before a 60 ms packet were no whole packet).
    if (this.#stepDurationMs !== undefined && durationMs !== this.#stepDurationMs) {
      this.#lengthsVary = true;
    }
    this.#stepDurationMs = durationMs;
    if (!stageDropped) this.#takenPlaces.keep(chunk, this.#placedStampMs, atMs, durationMs);
    const endMs = this.#stepEndMs;
    if (
      this.#stepChunk !== undefined && endMs !== undefined && !(chunk > this.#stepChunk) &&
      !(atMs >= endMs)
    ) {
      return;
    }
    this.#stampShiftMs = this.#placedShiftMs;
    this.#shiftUnconfirmed = this.#placedShiftUnconfirmed;
    this.#shiftBeforeMs = this.#placedShiftBeforeMs;
    this.#shiftMidStream = this.#placedShiftMidStream;
    // A packet going on from the step before says the step's stamp was off (see `place`).
    if (this.#placedUndoesStep) this.#undoStep();
    // Undone, the shift leaves the residuals read through it (the off stamp's) behind: the first's
    // stamp, and this one, are what the bias rests on now. Undone mid-stream, only the residual of
    // the packet the move rested on goes (those before were read off the clock that held).
    if (this.#placedUndidShift && this.#placedShiftMidStream) this.#residuals.dropLast();
    else if (this.#placedUndidShift) {
      this.#residuals.clear();
      this.#residuals.keep(0);
    }
    // Set off the grid, the packet moved it: every packet after is read against where it ends.
    // The residuals before were read against the grid it left, and kept so they put the bias that
    // much off (a packet jittered 6.5 ms past a loss set there, the next loss under jitter read
    // as in step, or one loss filled twice): they are moved with the grid, once there are enough
    // of them to say the packet, not the bias, was off.
    this.#stepMovedGridMs = 0;
    if (this.#placedOffGridMs !== 0 && this.#residuals.count >= GRID_MOVE_RESIDUALS) {
      this.#residuals.move(-this.#placedOffGridMs);
      this.#stepMovedGridMs = this.#placedOffGridMs;
    }
    // A clock stepped back, confirmed: the bias is read off the stamps of the clock as it now runs,
    // from the residual of the packet the move rested on. The residuals before it, of the clock
    // before its step, mixed with those after put the bias off by that packet's own jitter (up to
    // 6 ms of Plivo's): a packet 6 ms late then read as one after a loss, 11 ms of silence filled.
    if (this.#placedConfirmsStepBack) {
      const movedOnMs = this.#residuals.newest(0);
      this.#residuals.clear();
      if (!Number.isNaN(movedOnMs)) this.#residuals.keep(movedOnMs);
    }
    this.#stepKeptResidual = false;
    // A packet the stage dropped says nothing of the stamps' bias: it was placed on audio already
    // taken. Kept, a sender's clock stuck on one stamp for a burst walked the bias back a packet
    // with every other packet (each placed in step behind one dropped at its stamp, a duplicate):
    // packets of the burst then came out at places none of them had, and every packet after it
    // was set that much late for the rest of the call.
    if (!Number.isNaN(this.#placedResidualMs) && !stageDropped) {
      this.#residuals.keep(this.#placedResidualMs);
      this.#stepKeptResidual = true;
    }
    if (this.#stepChunk === undefined && this.#switchedMidStream) this.#residuals.keep(0);
    this.#stepIsFirst = this.#stepChunk === undefined && !this.#switchedMidStream;
    this.#stepChunk = chunk;
    this.#stepBeforeEndMs = this.#stepEndMs;
    // One the stage dropped, set before where the step ends, was placed on audio already taken,
    // which still ends where it did: moved back to its end, a sender's clock stepped 45 ms back
    // had the next packet in step set 1 ms over the audio heard last, time running back. Not
    // behind a step farther on than the reorder stage's window (a jump it held, then dropped):
    // that step's stamp was the one off, and the packets go on from where the one before it ends.
    const keptEnd = stageDropped && endMs !== undefined && !this.#placedUndoesStep &&
      endMs - (atMs + durationMs) <= this.#windowMs;
    this.#stepEndMs = keptEnd ? Math.max(endMs!, atMs + durationMs) : atMs + durationMs;
  }

  /**
   * A new stream, or a new key to order by: no step, and the stamps read as they come.
   * `switchedMidStream`: forgotten at a switch of order after a packet was taken (see
   * `#switchedMidStream`), else at the stream's start.
   */
  forget(switchedMidStream: boolean): void {
    this.#stepChunk = this.#stepEndMs = this.#stepBeforeEndMs = undefined;
    this.#stepMovedGridMs = 0;
    this.#stepKeptResidual = false;
    this.#stepIsFirst = this.#shiftUnconfirmed = this.#placedShiftUnconfirmed = false;
    this.#stampShiftMs = this.#placedShiftMs = 0;
    this.#shiftBeforeMs = this.#placedShiftBeforeMs = 0;
    this.#shiftMidStream = this.#placedShiftMidStream = false;
    this.#residuals.clear();
    this.#stepDurationMs = undefined;
    this.#lengthsVary = false;
    this.#takenPlaces.clear();
    this.#switchedMidStream = switchedMidStream;
  }
}

/** Whether a packet `offBiasMs` past where the newest ends, less the bias, is in step or snaps. */
function onTheGrid(offBiasMs: number, durationMs: number): boolean {
  if (offBiasMs < durationMs / 2) return true;
  const missing = Math.round(offBiasMs / durationMs);
  return Math.abs(offBiasMs - missing * durationMs) <= SNAP_PACKETS * durationMs;
}

/**
 * How badly a newer chunk `offsetMs` past where the newest ends fits the packets' grid: its
 * distance from the nearest whole number of packets on (none before: a newer chunk comes after),
 * and `weight` packets (`MISSING_WEIGHT` unless said) times the square of how many that reading
 * says are missing: losses come single far more often than two in a row. Weighed alike, a second
 * stamped 27 ms early, the third 11 ms past the step, kept the first stamp's shift, two packets
 * read missing 2 ms off the grid against one 9 ms off: 40 ms of silence, none lost. A `weight` of
 * one packet puts fewer packets missing before any distance (under half a packet).
 */
function misfit(offsetMs: number, durationMs: number, weight = MISSING_WEIGHT): number {
  const missing = Math.max(0, Math.round(offsetMs / durationMs));
  return Math.abs(offsetMs - missing * durationMs) + missing * missing * weight * durationMs;
}
