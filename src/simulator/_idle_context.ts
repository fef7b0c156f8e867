/**
 * A far end's context that goes nowhere: it sends nothing, hears nothing, and its waits never
 * end (they hold no timer). For opening a far end only to see what it reads of its options
 * (the CLI's checks), and as the base of a context a test fills in with what it watches.
 *
 * @module
 */

import type { FarEndContext } from "./far_end.ts";

/** The context that goes nowhere. */
export const IDLE_CONTEXT: Readonly<FarEndContext> = Object.freeze({
  now: () => 0,
  sleep: () => new Promise<void>(() => {}),
  send: () => {},
  violation: () => {},
  play: () => {},
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
