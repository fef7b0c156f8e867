/**
 * A response's audio on the playback tracker's timeline (an utterance), and the arithmetic of what
 * of it lies before a position: how much of it has left, and how much was heard. Apart from the
 * tracker because it is pure (no state but the utterance's own, no clock, no far end): the rules
 * of positions that round (`EPSILON`) and of other audio inside a response (its gaps) read whole
 * here, and the tracker's own file keeps to when things happen.
 *
 * @module
 */

/**
 * Positions closer than this are the same. Every position the tracker compares is the timeline's
 * own number: its running sum of the chunks' durations as it stood (where a response began and
 * where its last chunk ended, a mark's place, what was acknowledged), or that less the packet still
 * held. None is a sum of durations the tracker keeps: the same durations summed from 0 (a
 * response's `sentMs`) and onto the session's position (the timeline's) round differently at each
 * addition once the position is large, and drift apart with every chunk, past any fixed tolerance
 * (past this one after 18 minutes of 24 kHz audio in 10/3 ms chunks: a response whose end never
 * matched what had left never stopped). One number against itself, or itself less and plus a held
 * packet, differs by a rounding or two at most, whatever the call's length: under this while
 * positions are under 2^32 ms (seven weeks of audio). Durations of a response's own (its `sentMs`)
 * are kept for what is reported, and compared only with 0.
 */
export const EPSILON = 1e-6;

/** A response's audio on the timeline: one utterance, from its first chunk sent. */
export interface Utterance {
  id: string | undefined;
  /** Position of its first chunk, and when that plays by the estimate (without the lag). */
  start: number;
  startPlaysAt: number;
  /** Sent in this spell (from `start` on): its chunks' durations, summed. */
  sentMs: number;
  /**
   * Where its last chunk so far ended: the timeline's position then, not `start + sentMs` (see
   * `EPSILON`). Every comparison of its end with other positions reads this.
   */
  end: number;
  /**
   * When its last chunk so far plays, by the estimate (without the lag), taken as it leaves: the
   * timeline places positions only within its current spell, and a later response may begin a
   * new one before this one's end is settled (a far end that stopped acknowledging).
   */
  endPlaysAt: number;
  /**
   * Sent, and heard, of the same response in spells before this one: a response that paused
   * longer than the quiet time goes on in a new spell, and is still one response.
   */
  priorMs: number;
  /**
   * Stretches of the timeline inside it that are not its audio, in order (`NO_GAPS` until one):
   * background that filled a slot while its next chunk was not yet whole (a reply relayed in real
   * time), padding placed between its chunks. Counted from `start` alone, each read as the
   * response's own audio heard (see {@linkcode partOf}). Three numbers a stretch: its `from` and
   * `to` positions and the ms of the stretches before it, so that what lies before a position is
   * found by bisection however many there are (a long reply relayed in real time over background
   * has one every chunk or two).
   */
  gaps: number[];
  started: boolean;
  /**
   * The far end said it began to play it (`playback_started`, see {@linkcode #report}): it begins
   * then, on the far end's word, not by the estimate.
   */
  startReported?: boolean;
  /**
   * Counts the utterances of the session: a stop of all of them stops those there when it began.
   */
  serial: number;
  /**
   * Silence the far end played after `paddedAt` (the utterance's end when the packetizer padded
   * its last packet): a far end that reports its playback runs dry that much after the end.
   */
  paddedMs?: number;
  paddedAt?: number;
}

/** How much of utterance `u` has left when what has left ends at position `left`. */
export function sentOf(u: Utterance, left: number): number {
  return u.priorMs + partOf(u, left);
}

/** How much of utterance `u` has been heard when the far end is at position `heard`. */
export function heardOf(u: Utterance, heard: number): number {
  return u.priorMs + partOf(u, heard);
}

/**
 * How much of utterance `u` lies before position `position`: all of it (its own sum, as its
 * events report it) once `position` is at its end, else the positions' difference, which rounds
 * apart from that sum in a long call (see `EPSILON`): a response heard to its end was heard all.
 */
function partOf(u: Utterance, position: number): number {
  if (position >= u.end - EPSILON) return u.sentMs;
  return Math.min(u.sentMs, Math.max(0, position - u.start - gapMsBefore(u, position)));
}

/** No stretch of other audio inside an utterance (shared, never written: replaced at the first). */
export const NO_GAPS: number[] = [];

/** A stretch `[from, to)` of other audio after all of `u`'s others (see `Utterance.gaps`). */
export function addGap(u: Utterance, from: number, to: number): void {
  if (u.gaps === NO_GAPS) u.gaps = [];
  const gaps = u.gaps;
  const n = gaps.length;
  const before = n === 0 ? 0 : gaps[n - 1]! + gaps[n - 2]! - gaps[n - 3]!;
  gaps.push(from, to, before);
}

/** Milliseconds of `u`'s gaps (see `Utterance.gaps`) that lie before `position`. */
function gapMsBefore(u: Utterance, position: number): number {
  const gaps = u.gaps;
  // The last stretch that begins before `position`, by bisection over the stretches.
  let low = 0;
  let high = gaps.length / 3;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (gaps[3 * mid]! < position) low = mid + 1;
    else high = mid;
  }
  if (low === 0) return 0;
  const at = 3 * (low - 1);
  return gaps[at + 2]! + Math.min(gaps[at + 1]!, position) - gaps[at]!;
}

/**
 * `u` cut to end at `end` (what left of it ends there): gaps past it dropped, and its own audio
 * before it, the positions' difference less its gaps there.
 */
export function ownMsTo(u: Utterance, end: number): number {
  const gaps = u.gaps;
  while (gaps.length > 0 && gaps[gaps.length - 3]! >= end - EPSILON) gaps.length -= 3;
  if (gaps.length > 0 && gaps[gaps.length - 2]! > end) gaps[gaps.length - 2] = end;
  return Math.max(0, end - u.start - gapMsBefore(u, end));
}
