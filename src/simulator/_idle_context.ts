/**
 * A far end's context that goes nowhere: it sends nothing, hears nothing, and its waits never
 * end (they hold no timer). For opening a far end only to see what it reads of its options
 * (the CLI's checks), and as the base of a context a test fills in with what it watches.
 * Its `play` plays nothing, but refuses a `times` the call's context refuses (far_end.ts `play`:
 * a whole number, 1 or more): a far end driven on it by a test must not pass a loop count a real
 * call would throw on.
 *
 * @module
 */

import type { FarEndContext } from "./far_end.ts";
import { checkPlayTimes } from "./_play_times.ts";

/** The context that goes nowhere. */
export const IDLE_CONTEXT: Readonly<FarEndContext> = Object.freeze({
  now: () => 0,
  sleep: () => new Promise<void>(() => {}),
  send: () => {},
  violation: () => {},
  play: (samples: Int16Array, times = 1) => checkPlayTimes(samples, times),
  queuedMs: () => 0,
  mark: () => {},
  whenPlayed: () => {},
  markRequested: () => {},
  markSettled: () => {},
  clear: () => {},
  dropQueued: () => {},
  ready: () => {},
  endCall: () => {},
  note: () => {},
});
