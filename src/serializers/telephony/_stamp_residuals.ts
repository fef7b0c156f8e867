/**
 * The latest stamp residuals of a stream ordered by media timestamp (each a packet's stamp less
 * the place it was given on the packets' grid), and the stamps' bias read from them: how far a
 * sender's stamps run off the grid (late, jittered, drifting). `OrderedMedia` places each packet
 * against that bias rather than the last packet's stamp. Fixed arrays: a packet costs no
 * allocation.
 *
 * @module
 */

/**
 * How many of the latest residuals the bias is read from. Ten: a stamp off (the first's, the
 * second's, one of a burst stamped alike) stays an outlier among them, and a sender's clock that
 * drifts is followed within ten packets.
 */
export const BIAS_RESIDUALS = 10;

/**
 * A ring of the latest {@linkcode BIAS_RESIDUALS} residuals, in ms: those kept are the `count`
 * slots before `next` (see `#slot`), not the first `count` slots, once the ring has wrapped and
 * one was let go of (`dropLast`).
 */
export class StampResiduals {
  readonly #ring = new Float64Array(BIAS_RESIDUALS);
  readonly #sorted = new Float64Array(BIAS_RESIDUALS);
  #count = 0;
  #next = 0;
  #spreadMs = 0;

  /** How many residuals are kept (at most {@linkcode BIAS_RESIDUALS}). */
  get count(): number {
    return this.#count;
  }

  /** Keeps `residualMs`, the oldest let go once the ring is full. */
  keep(residualMs: number): void {
    this.#ring[this.#next] = residualMs;
    this.#next = (this.#next + 1) % BIAS_RESIDUALS;
    if (this.#count < BIAS_RESIDUALS) this.#count++;
  }

  /** The `age`-th newest residual kept (0: the newest); NaN past those kept. */
  newest(age: number): number {
    return age < this.#count ? this.#ring[this.#slot(age)]! : Number.NaN;
  }

  /** Lets go of the residual kept last (none kept: nothing). */
  dropLast(): void {
    if (this.#count === 0) return;
    this.#next = (this.#next + BIAS_RESIDUALS - 1) % BIAS_RESIDUALS;
    this.#count--;
  }

  /** Adds `deltaMs` to every residual kept: the grid they were read against moved by as much. */
  move(deltaMs: number): void {
    for (let i = 0; i < this.#count; i++) this.#ring[this.#slot(i)]! += deltaMs;
  }

  /**
   * Where the `age`-th newest residual kept is. Read as the first `count` slots, a full ring that
   * wrapped and let go of its newest read the one let go of into the bias, and left the oldest
   * kept out of it and unmoved by the grid (see `dropLast`).
   */
  #slot(age: number): number {
    return (this.#next + BIAS_RESIDUALS - 1 - age) % BIAS_RESIDUALS;
  }

  /** Forgets every residual. */
  clear(): void {
    this.#count = this.#next = 0;
  }

  /**
   * The stamps' bias: the middle of the residuals' range, those more than half a packet
   * (`durationMs / 2`) from their median left out; 0 with none. Sorted by insertion into a fixed
   * array, {@linkcode BIAS_RESIDUALS} at most. With `newestLeftOut`, read as if the newest had
   * been let go of (`dropLast`), the ring as it is.
   */
  biasMs(durationMs: number, newestLeftOut = false): number {
    const skipped = newestLeftOut && this.#count > 0 ? 1 : 0;
    const count = this.#count - skipped;
    this.#spreadMs = 0;
    if (count === 0) return 0;
    const sorted = this.#sorted;
    for (let i = 0; i < count; i++) {
      const value = this.#ring[this.#slot(i + skipped)]!;
      let j = i;
      for (; j > 0 && sorted[j - 1]! > value; j--) sorted[j] = sorted[j - 1]!;
      sorted[j] = value;
    }
    const middle = count >> 1;
    const median = count % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    // The middle of the range, not the median: jitter spread evenly (Plivo's stamps within ±6 ms
    // of their time) pins the bias far closer so; the median of five stamps jittered that much
    // was off by 4 ms often enough to read a packet after a loss, stamped 6 ms early, as in step
    // (a third of 400 jittered streams heard wrong, against none). One stamp off (a first stamped
    // late, a second early, a burst stamped alike) is left out by the median's bound.
    let low = 0;
    while (sorted[low]! < median - durationMs / 2) low++;
    let high = count - 1;
    while (sorted[high]! > median + durationMs / 2) high--;
    this.#spreadMs = sorted[high]! - sorted[low]!;
    return (sorted[low]! + sorted[high]!) / 2;
  }

  /** How far apart the residuals `biasMs` read its bias from last lie (0 with none). */
  get spreadMs(): number {
    return this.#spreadMs;
  }
}
