/**
 * Summaries of many measurements (latencies, buffer leads) as the report prints them.
 *
 * @module
 */

/** A summary of measurements in milliseconds. */
export interface Distribution {
  /** How many measurements. */
  count: number;
  /** The smallest. */
  min: number;
  /** The median. */
  p50: number;
  /** The 90th percentile. */
  p90: number;
  /** The 99th percentile. */
  p99: number;
  /** The largest. */
  max: number;
  /** The mean. */
  mean: number;
}

/** The summary of `values` (nearest-rank percentiles), or `null` when there are none. */
export function summarize(values: readonly number[]): Distribution | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    count: sorted.length,
    min: sorted[0]!,
    p50: rank(0.5),
    p90: rank(0.9),
    p99: rank(0.99),
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
  };
}

/**
 * Measurements kept as a histogram of 1 ms bins (to 10 s; beyond counts as 10 s for percentiles,
 * the true maximum kept apart), so a long call's per-chunk figures cost a fixed 40 KB.
 */
export class Histogram {
  readonly #bins = new Uint32Array(10_001);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;

  /** Adds one measurement (negative values count as 0 in the bins, as they are in min/mean). */
  add(ms: number): void {
    this.#bins[Math.max(0, Math.min(10_000, Math.round(ms)))]!++;
    this.#count++;
    this.#sum += ms;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  /** The summary, or `null` when empty. */
  summary(): Distribution | null {
    if (this.#count === 0) return null;
    const rank = (q: number) => {
      const want = Math.max(1, Math.ceil(q * this.#count));
      let seen = 0;
      for (let ms = 0; ms < this.#bins.length; ms++) {
        seen += this.#bins[ms]!;
        if (seen >= want) return Math.min(this.#max, Math.max(this.#min, ms));
      }
      return this.#max;
    };
    return {
      count: this.#count,
      min: this.#min,
      p50: rank(0.5),
      p90: rank(0.9),
      p99: rank(0.99),
      max: this.#max,
      mean: this.#sum / this.#count,
    };
  }
}
