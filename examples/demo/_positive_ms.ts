/**
 * {@linkcode positiveMs}: the demo's check of a time option.
 *
 * @module
 */

/**
 * `ms`, the option `name`, if it is a positive, finite number of milliseconds; else a `RangeError`
 * naming it. A wait or interval of 0 or less, or NaN, would arm its timer at 0 ms (a view's
 * interval re-armed so on every tick keeps the event loop busy), and Infinity never fires: every
 * wait the demo makes is bounded.
 */
export function positiveMs(name: string, ms: number): number {
  if (!(Number.isFinite(ms) && ms > 0)) {
    throw new RangeError(`${name} must be a positive finite number of ms, got ${ms}`);
  }
  return ms;
}
