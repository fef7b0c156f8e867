/**
 * How far behind the pacing estimate the far end plays, as the playback tracker learns it from
 * the far end's answers (a mark's acknowledgement, a playback report): each answer's measure, read
 * together with the others read at once, confirmed by the next before a rise is adopted, and kept
 * out of the jitter's dead band. Apart from the tracker because it is a rule of numbers alone: it
 * knows no marks, positions or timers, and is told each measure as an answer is taken (a few a
 * second at most, never a chunk).
 *
 * The tracker keeps the lag in use itself (it reads it as it places audio), and hands it here
 * with each measure to get it back, moved or not: what is read a chunk costs no call more.
 *
 * @module
 */

import { LagJitter } from "./_lag_jitter.ts";

/**
 * Answers read within this of the first of them were read together (one chunk): after a stall,
 * every answer that arrived during it is read at once, at its end (see
 * {@linkcode LagReadings.read}).
 */
const READ_TOGETHER_MS = 20;

/** The far end's answers' measures of its lag, and the lag they confirm. */
export class LagReadings {
  /**
   * The lag as the answers read together last measured it (see {@linkcode read}): the smallest
   * of them, the first one's read time, and the same of the read before (NaN: none yet).
   */
  #readLag = NaN;
  #readAt = -Infinity;
  #readLagBefore = NaN;
  /** The jitter of the reads, and the dead band of the lag in use that follows (see `#move`). */
  readonly #jitter = new LagJitter();
  /**
   * The last answer's measure where it only bounded the lag (see {@linkcode bound}), until a read
   * follows (NaN: none since). `heardMs` goes by it: it may be the lag itself.
   */
  #lastBound = NaN;

  /** The last read's measure (NaN: none yet): an answer that agrees with it is steady. */
  get last(): number {
    return this.#readLag;
  }

  /**
   * An acknowledgement (or a report) read at `now` measured the lag as `measured`: when it was
   * READ less when its place plays by the estimate. Returns the lag in use after it, `lag` before.
   * A read is never earlier than the answer's arrival, and later by however long the event loop
   * was busy (a GC pause, a bot's synchronous work), when all that arrived meanwhile is read at
   * once: a measure may be too large, never too small. One taken at its word after a 300 ms stall
   * moved a reply already heard 150 ms later in the recording, and the next response's
   * `speakingstart` as late.
   *
   * So answers read together (within `READ_TOGETHER_MS` of the first) are one read, whose measure
   * is their smallest, and the lag is the smaller of the last two reads': one that falls is adopted
   * at once, one that rises once the next read confirms it (by the smaller of the two, the likelier
   * unstalled). A far end whose buffer really grew is learned one answer later: the answer that
   * rose brings the marks back to every `markIntervalMs`, the next is answered within that and the
   * far end's delay, and each still bounds `heardMs` meanwhile (see {@linkcode heard}). The
   * first read has nothing to confirm it and is adopted (`playoutDelayMs` is no measure). A report
   * (Genesys) is confirmed by the next reply's.
   */
  read(measured: number, now: number, lag: number): number {
    this.#lastBound = NaN;
    if (now - this.#readAt < READ_TOGETHER_MS) {
      if (measured < this.#readLag) this.#readLag = measured;
      // The read's jitter sample is its measure too, not its first answer's (see `LagJitter`).
      this.#jitter.lower(measured);
    } else {
      this.#readLagBefore = this.#readLag;
      this.#readLag = measured;
      this.#readAt = now;
      this.#jitter.sample(measured);
    }
    const before = this.#readLagBefore;
    const confirmed = before < this.#readLag ? before : this.#readLag; // NaN compares false
    // The first read is adopted whatever it says (`playoutDelayMs` is no measure); after it, one
    // within the jitter of the lag in use tells no change (see `#move`).
    if (Number.isNaN(before)) return confirmed;
    return this.#move(lag, confirmed);
  }

  /**
   * An answer said the far end played its mark's place no more than `bound` behind the estimate
   * (see the tracker's `PendingMark.boundsUntil`): the lag, and the reads it rests on, are no
   * larger. Returns the lag in use after it, `lag` before. It raises none of them; it lowers the
   * lag at once, and a read made late (a stall) that no later answer reads again, which `heardMs`
   * would otherwise go by for the rest of the call.
   *
   * `heardMs` goes by the bound itself until the next read, raised or lowered: the answer may
   * have been held until its place played (a buffer grown by no more than how late the mark was
   * sent, plus `STEADY_LAG_MS`), its measure the lag then, which timing cannot tell from one
   * answered as it came. A bound that only lowered left `heardMs` ahead of the far end by the
   * growth for as long as the replies stayed short (30 ms: 100 heard of 75 played); the bound
   * errs short instead, by how late the mark was sent at most (20 ms at the default pacing).
   * The confirmed lag (`speakingstart`, the observers) is only lowered: two bounds of a far end
   * playing at once would confirm that 20 ms for good (see `late_end_mark_lag_test.ts`).
   */
  bound(bound: number, lag: number): number {
    this.#lastBound = bound;
    if (bound < this.#readLag) this.#readLag = bound;
    if (bound < this.#readLagBefore) this.#readLagBefore = bound;
    // Lowered only past the jitter: at a long reply's end the answer to its end-of-speech mark,
    // held until its place played, is a read in all but timing, as noisy as the reads.
    return bound < lag ? this.#move(lag, bound) : lag;
  }

  /**
   * The lag for what has played by now (`heardMs`, whether all has, how long to wait for it),
   * `lag` the lag in use: the last read's own measure, a rise not yet confirmed too, or a bound's
   * that came after it (see {@linkcode bound}). A read made late overstates it, so that `heardMs`
   * errs short, the side it keeps to (the acknowledged mark floors it, the next answer puts it
   * right); a far end that really fell behind (a hole in its playout, a buffer that grew) is not
   * taken as having played what it has not, nor given up on, meanwhile. When audio plays
   * (`speakingstart`, the lag observers are told) goes by the confirmed lag in use.
   */
  heard(lag: number): number {
    if (!Number.isNaN(this.#lastBound)) return this.#lastBound;
    return Number.isNaN(this.#readLag) ? lag : this.#readLag;
  }

  /**
   * The lag in use `lag` becomes `to`, unless that is within the dead band of it: the spread that
   * the network's and the far end's jitter give successive readings of one lag, as measured from
   * them (see {@linkcode LagJitter}). Each change is told to the observers (a recording moves the
   * bot's audio by it) and moves `speakingstart`: within a few ms of jitter, the lag as each pair
   * of reads confirmed it changed at most answers, 1–4 ms each way, telling nothing true. A
   * change of the far end's buffer by `STEADY_LAG_MS` or more clears the band (at most half
   * that), and is learned as before: a fall at the answer that reads it, a rise at the next.
   * `heardMs` does not go by the band: it follows the reads themselves (see {@linkcode heard}).
   */
  #move(lag: number, to: number): number {
    return Math.abs(to - lag) > this.#jitter.bandMs ? to : lag;
  }
}
