/**
 * Items a meter let go from its bounded list, kept as a bounded list of time ranges, for an event
 * told later still that would have claimed one of them (see `TurnMeter`, `BargeInMeter`).
 *
 * @module
 */

/**
 * Items let go from a meter's list, from the first's time to the last's (or the widest window any
 * of them covered), `count` of them still to be claimed by an event told later.
 */
export interface LetGoRange {
  /** The earliest time the items cover (clock ms). */
  readonly from: number;
  /** The latest (clock ms): the range's end, at or after `from`. */
  readonly to: number;
  /** The items still to be claimed (0 or more). */
  readonly count: number;
}

/** A range as kept: its count is taken from in place. */
interface KeptRange {
  from: number;
  to: number;
  count: number;
}

/**
 * Ranges kept apart: past them the two oldest merge into one spanning both, so that memory stays
 * bounded and no item let go is forgotten (an event told far too late to measure anything may then
 * be counted against an item of the merged range it would not have claimed: see each meter).
 */
const MAX_LET_GO_RANGES = 16;

/** Options of {@linkcode LetGoRanges}. */
export interface LetGoRangesOptions {
  /**
   * What a range whose count is all taken becomes: `"kept"`, it is still found by a search (an
   * event there claims nothing, and looks no further: `TurnMeter`, where such an event is a turn
   * already counted going on); `"dropped"`, it is forgotten (an event there is found in no range:
   * `BargeInMeter`, where it is speech that talked over nothing let go).
   *
   * @default {"kept"}
   */
  readonly emptied?: "kept" | "dropped";
}

/**
 * A bounded list of ranges of items let go, oldest first: each added on its own, the two oldest
 * merged into one spanning both (from the earlier `from` to the later `to`, their counts summed)
 * once there are more than 16. A meter searches it for the range a time told late falls in, takes
 * one item from that range's count, and forgets the ranges that end after `now` when its clock
 * steps back.
 *
 * @example Items let go, claimed once each
 * ```ts
 * import assert from "node:assert/strict";
 * import { LetGoRanges } from "./_let_go_ranges.ts";
 *
 * const ranges = new LetGoRanges({ emptied: "dropped" });
 * ranges.add({ from: 100, to: 200, count: 1 });
 * const range = ranges.newestHolding(150)!;
 * assert.equal(ranges.takeOne(range), true);
 * assert.equal(ranges.newestHolding(150), undefined); // emptied, dropped
 * ```
 */
export class LetGoRanges {
  readonly #dropEmptied: boolean;
  /** Oldest first. */
  readonly #ranges: KeptRange[] = [];

  /** `options.emptied`: whether a range whose count is all taken is kept (default) or dropped. */
  constructor(options: LetGoRangesOptions = {}) {
    this.#dropEmptied = options.emptied === "dropped";
  }

  /** The ranges kept, oldest first (copies). */
  get ranges(): readonly LetGoRange[] {
    return this.#ranges.map(({ from, to, count }) => ({ from, to, count }));
  }

  /**
   * Keeps a range of items just let go, as the newest; past 16 ranges, the two oldest become one
   * spanning both. A meter lets its items go in time order, so merged ranges stay in it (from the
   * older's `from` to the newer's `to`, where they do not overlap); the earlier `from` and the
   * later `to` are taken all the same, for windows that do (`BargeInMeter`'s).
   */
  add(range: LetGoRange): void {
    const ranges = this.#ranges;
    ranges.push({ from: range.from, to: range.to, count: range.count });
    if (ranges.length <= MAX_LET_GO_RANGES) return;
    const [older, newer] = ranges.splice(0, 2) as [KeptRange, KeptRange];
    ranges.unshift({
      from: Math.min(older.from, newer.from),
      to: Math.max(older.to, newer.to),
      count: older.count + newer.count,
    });
  }

  /**
   * The oldest range that ends at or after `time` (`TurnMeter`: the spells let go are points in
   * time order, the one answering a turn that ended at `time` the first begun since it, and it is
   * in the first range reaching that far).
   */
  oldestEndingAtOrAfter(time: number): LetGoRange | undefined {
    return this.#ranges.find((range) => range.to >= time);
  }

  /**
   * The newest range that holds `time`, its ends included (`BargeInMeter`: windows of
   * interruptions, which touch at their ends and may overlap; the newest that fits first, as among
   * interruptions kept).
   */
  newestHolding(time: number): LetGoRange | undefined {
    const ranges = this.#ranges;
    for (let i = ranges.length - 1; i >= 0; i--) {
      const range = ranges[i]!;
      if (time >= range.from && time <= range.to) return range;
    }
    return undefined;
  }

  /**
   * Takes one item from the count of `range` (as found by a search), claimed by an event told
   * late: false if none is left (or the range is no longer kept), and nothing changes. A range so
   * emptied is dropped where the options say so.
   */
  takeOne(range: LetGoRange): boolean {
    const ranges = this.#ranges;
    const index = ranges.indexOf(range as KeptRange);
    const kept = ranges[index];
    if (kept === undefined || kept.count === 0) return false;
    if (--kept.count === 0 && this.#dropEmptied) ranges.splice(index, 1);
    return true;
  }

  /**
   * Forgets the ranges that end after `now`: the clock stepped back (they are from before the step,
   * though they read as later than anything told since), and no time told since falls in them.
   */
  forgetEndingAfter(now: number): void {
    const ranges = this.#ranges;
    for (let i = ranges.length - 1; i >= 0; i--) if (ranges[i]!.to > now) ranges.splice(i, 1);
  }
}
