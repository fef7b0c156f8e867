/**
 * How much the far end's lag, as successive acknowledgements read it, varies by jitter alone, and
 * the dead band that follows from it: a new reading that close to the lag in use tells nothing.
 *
 * @module
 */

/**
 * Readings further apart than this are not jitter: a buffer that grew or shrank, or a read made
 * late by a stall. The tracker's own line between answers that agree and answers that disagree
 * (its `STEADY_LAG_MS`), and the least change of the far end's buffer it must learn.
 */
const CHANGE_MS = 20;

/**
 * The band is at most this: half the least change to learn. The lag in use and the confirmed
 * reading after a change of `CHANGE_MS` each sit somewhere in the jitter, so they differ by the
 * change less the readings' spread at worst: while that spread is under half the change, so is
 * the band, and the change clears it wherever the jitter put the two. (A spread wider than that
 * is no few ms of jitter: there a change of `CHANGE_MS` may wait for a reading that clears it.)
 */
const MAX_BAND_MS = CHANGE_MS / 2;

/**
 * How far apart readings spread for a given mean difference between successive ones. A reading is
 * the far end's lag plus two network delays (the audio's way out, the answer's way back), each
 * spread evenly over its jitter: the sum of two even spreads of width `w` spans `2w`, and two such
 * sums differ by `0.46w` on average, so the whole span is 4.3 mean differences (an even spread's
 * is 3; a normal one's ±2σ is 3.5). The band is that span: a reading anywhere within the jitter
 * around the lag in use tells no change (at 3, the lag told swung between the two ends of 5 ms of
 * jitter each way 6 times in 100 long replies; at 4, once in the same).
 */
const SPREAD_PER_MEAN_DIFFERENCE = 4;

/**
 * The smoothing of the jitter estimate: RFC 3550's (§6.4.1, "interarrival jitter",
 * J += (|D| - J) / 16), which damps one odd difference and follows a network whose jitter changed
 * within a few dozen readings. Until that many differences were taken, each weighs as much as the
 * others (their plain mean): from 0 at that gain the estimate reaches half the jitter only after
 * 11 readings, and the lag told swung with the reads through a call's first replies, most calls'
 * only ones (up to 8 changes, 3.75 on average, in the first 23 answers across 5 ms of jitter,
 * where the first alone is true).
 */
const GAIN = 1 / 16;

/**
 * The jitter of the far end's lag as read from successive acknowledgements (a mark's answer time
 * less when its place plays by the estimate: the network's jitter both ways, and the far end's),
 * as RFC 3550 measures a stream's interarrival jitter: the smoothed mean of the differences
 * between successive readings. Differences of `CHANGE_MS` or more are not jitter (a change, a
 * stall) and leave it as it was.
 */
export class LagJitter {
  #meanDifferenceMs = 0;
  #last = NaN;
  /** Differences taken so far (see `GAIN`). */
  #samples = 0;
  /** The estimate as it stood before the last reading (see {@linkcode lower}). */
  #meanBefore = 0;
  #lastBefore = NaN;
  #samplesBefore = 0;

  /** A reading of the lag (ms): its difference from the one before, if any, is a sample. */
  sample(lagMs: number): void {
    this.#meanBefore = this.#meanDifferenceMs;
    this.#lastBefore = this.#last;
    this.#samplesBefore = this.#samples;
    const difference = Math.abs(lagMs - this.#last); // NaN for the first: compares false
    this.#last = lagMs;
    if (!(difference < CHANGE_MS)) return;
    const gain = Math.max(GAIN, 1 / ++this.#samples);
    this.#meanDifferenceMs += (difference - this.#meanDifferenceMs) * gain;
  }

  /**
   * The last reading was `lagMs` (ms), if that is smaller: answers read together (one socket read
   * after a stall) are one read, whose measure is their smallest, and the first of them, which
   * {@linkcode sample} was given, waited unread longest. Its sample is taken again, from the
   * smaller one: a stall of under `CHANGE_MS` over two answers otherwise counted twice as jitter
   * (that reading, then the next one back from it), and widened the band on a network with none.
   */
  lower(lagMs: number): void {
    if (!(lagMs < this.#last)) return;
    this.#meanDifferenceMs = this.#meanBefore;
    this.#last = this.#lastBefore;
    this.#samples = this.#samplesBefore;
    this.sample(lagMs);
  }

  /**
   * How far a new reading may be from the lag in use and tell no change (ms): the spread of the
   * readings jitter alone makes, at most `MAX_BAND_MS`. 0 until two readings were taken.
   */
  get bandMs(): number {
    return Math.min(this.#meanDifferenceMs * SPREAD_PER_MEAN_DIFFERENCE, MAX_BAND_MS);
  }
}
