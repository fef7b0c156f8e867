/**
 * A histogram of positive durations in constant memory, for percentiles over a whole session.
 *
 * @module
 */

import type { DurationSummary } from "./session_metrics_snapshot.ts";

/** The smallest duration told apart from zero, in ms. */
const MIN = 0.1;
/** Each bucket is this much wider than the one before: quantiles are exact to 1 %. */
const RATIO = 1.02;
/**
 * The longest duration measured to 1 %, in ms: a day and more (a session's durations are within
 * it, and a call that long is past any provider's limit); longer ones share the last bucket, their
 * percentiles clamped to the largest seen. Each 10× more range is 116 buckets, 465 bytes.
 */
const MAX = 1e8;
/** Buckets from 0.1 ms to `MAX`: 1047, 4.2 KB, made when the first duration is recorded. */
const BUCKETS = Math.ceil(Math.log(MAX / MIN) / Math.log(RATIO));
const LOG_RATIO = Math.log(RATIO);

/**
 * Counts durations in logarithmic buckets (2 % wide, 0.1 ms to 27 h): a percentile is the
 * bucket's middle, within 1 % of the truth, clamped to the exact smallest and largest seen, so a
 * histogram of one value gives that value back.
 */
export class DurationHistogram {
  /** Counts per bucket, made on the first record (most sessions have few histograms in use). */
  #counts: Uint32Array | undefined;
  #zeros = 0;
  #count = 0;
  #min = Infinity;
  #max = -Infinity;
  #last = NaN;

  /** Records a duration in ms (negative, or NaN, counts as 0). */
  record(ms: number): void {
    const value = ms > 0 ? ms : 0;
    this.#count++;
    this.#last = value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    if (value < MIN) {
      this.#zeros++;
      return;
    }
    const counts = this.#counts ??= new Uint32Array(BUCKETS);
    counts[Math.min(BUCKETS - 1, Math.floor(Math.log(value / MIN) / LOG_RATIO))]!++;
  }

  /** How many durations were recorded. */
  get count(): number {
    return this.#count;
  }

  /** The duration below which a share `q` (0 to 1) of those recorded lie (nearest rank). */
  quantile(q: number): number | null {
    if (this.#count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = this.#zeros;
    let value = 0;
    if (seen < rank) {
      const counts = this.#counts!;
      for (let i = 0; i < BUCKETS; i++) {
        seen += counts[i]!;
        if (seen >= rank) {
          value = MIN * Math.pow(RATIO, i + 0.5); // the bucket's geometric middle
          break;
        }
      }
    }
    return Math.min(this.#max, Math.max(this.#min, value));
  }

  /** The count, last, median, 95th percentile and maximum. */
  summary(): DurationSummary {
    const empty = this.#count === 0;
    return {
      count: this.#count,
      last: empty ? null : this.#last,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      max: empty ? null : this.#max,
    };
  }
}
