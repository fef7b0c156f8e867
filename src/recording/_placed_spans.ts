/**
 * Where one party's audio was written in a recording not yet written out, so audio written over
 * can be counted.
 *
 * @module
 */

/**
 * The spans of sample indices written so far from the committed point on, as disjoint sorted
 * intervals: few, since audio is mostly laid end to end (a stretch is one span).
 */
export class PlacedSpans {
  /** Flattened `[start, end)` pairs, sorted and disjoint (touching spans are merged). */
  #spans: number[] = [];

  /**
   * Marks `[from, to)` written, ignoring what lies before `base` (committed: no longer held), and
   * returns how many of those samples had been written already (written over now).
   */
  add(from: number, to: number, base: number): number {
    const spans = this.#spans;
    let drop = 0;
    while (drop < spans.length && spans[drop + 1]! <= base) drop += 2;
    if (drop > 0) spans.splice(0, drop);
    if (spans.length > 0 && spans[0]! < base) spans[0] = base;
    from = Math.max(from, base);
    if (to <= from) return 0;
    // The usual case: right after the last span.
    const last = spans.length - 2;
    if (last >= 0 && spans[last + 1] === from) {
      spans[last + 1] = to;
      return 0;
    }
    let i = 0;
    while (i < spans.length && spans[i + 1]! < from) i += 2;
    let j = i;
    let overlap = 0;
    let start = from;
    let end = to;
    while (j < spans.length && spans[j]! <= to) {
      overlap += Math.max(0, Math.min(to, spans[j + 1]!) - Math.max(from, spans[j]!));
      start = Math.min(start, spans[j]!);
      end = Math.max(end, spans[j + 1]!);
      j += 2;
    }
    spans.splice(i, j - i, start, end);
    return overlap;
  }

  /**
   * Moves what is written from index `from` on by `samples` (earlier, or later), onto indices
   * nothing is written at: no span holds `from` but as its start, and none lies where they go.
   */
  shift(from: number, samples: number): void {
    const spans = this.#spans;
    for (let i = 0; i < spans.length; i++) if (spans[i]! >= from) spans[i] = spans[i]! + samples;
  }

  /** How many samples are written from index `at` on. */
  from(at: number): number {
    const spans = this.#spans;
    let count = 0;
    for (let i = 0; i < spans.length; i += 2) {
      count += Math.max(0, spans[i + 1]! - Math.max(at, spans[i]!));
    }
    return count;
  }
}
