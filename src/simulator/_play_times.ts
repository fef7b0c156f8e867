/**
 * The one rule for a clip's loop count (`FarEndContext.play`'s `times`), shared by the call's
 * playout and the context that goes nowhere, so that a far end a test drives on the latter cannot
 * pass a count a real call would throw on.
 *
 * @module
 */

/**
 * Throws a `RangeError` unless `times` is a whole number, 1 or more, and the clip's length times
 * over is still a safe integer of samples.
 */
export function checkPlayTimes(samples: Int16Array, times: number): void {
  if (
    typeof times !== "number" || !Number.isSafeInteger(times) || times < 1 ||
    !Number.isSafeInteger(samples.length * times)
  ) {
    throw new RangeError(`times must be a whole number >= 1, got ${times}`);
  }
}
