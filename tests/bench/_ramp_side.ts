/**
 * One side of a paired capacity ramp (`load.ts --ramp --paired`): its capacity is the last step
 * it passed before the first it failed. A step passed above a failed one is the luck of a try,
 * not capacity: a paced session that falls behind at a cold start stays behind, so a server can
 * fail 375 and 400 sessions and then pass 450 in a try that started warm (seen with the demo).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RampSide } from "./_ramp_side.ts";
 *
 * const side = new RampSide();
 * side.record(100, true);
 * side.record(200, false);
 * side.record(300, true); // too late: it failed 200
 * assert.equal(side.capacity, 100);
 * assert.equal(side.failed, true);
 * ```
 *
 * @module
 */

/** A side's steps so far. */
export class RampSide {
  /** The last step passed before the first failure (0: none passed). */
  capacity = 0;
  /** It failed a step: its later steps decide nothing. */
  failed = false;

  /** The outcome of the step at `sessions`, all its tries taken together. */
  record(sessions: number, passed: boolean): void {
    if (this.failed) return;
    if (passed) this.capacity = sessions;
    else this.failed = true;
  }
}
