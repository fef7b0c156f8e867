/**
 * A far end's context for driving one far end by hand: the call's side of `FarEndContext` doing
 * nothing, at time 0, but failing the test at a violation; a test gives what it watches. A test
 * that keeps a playout queue of its own (`queuedMs`) must also say how part of it is dropped
 * (`dropQueued`), or a far end's drop fails it: the idle context's would leave its queue as it
 * was, and the test would go on against a queue the far end did not leave. A `play` the test
 * gives is handed only a loop count the call's own context takes (far_end.ts `play`): the idle
 * context's check runs first, so a far end passing `times` 0 fails here as it would in a call.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { FarEndContext } from "../../../src/simulator/far_end.ts";
import { IDLE_CONTEXT } from "../../../src/simulator/_idle_context.ts";

/** The do-nothing context, with `watched` in place of its defaults. */
export function farEndContext(watched: Partial<FarEndContext> = {}): FarEndContext {
  return {
    ...IDLE_CONTEXT,
    sleep: () => Promise.resolve(),
    violation: (rule, detail) => assert.fail(`${rule}: ${detail}`),
    ...(watched.queuedMs === undefined ? {} : {
      dropQueued: (fromMs: number, toMs: number) =>
        assert.fail(
          `dropQueued(${fromMs}, ${toMs}) on a queue the test keeps, given no dropQueued`,
        ),
    }),
    ...watched,
    ...(watched.play === undefined ? {} : { play: checkedPlay(watched.play) }),
  };
}

/**
 * `play` behind the idle context's own check of `times` (the call's rule, playout_buffer.ts
 * `enqueue`): the idle `play` plays nothing and throws only for what a real call refuses, so it
 * is the one check, reused rather than copied. A test's `play` that ignores `times` or takes any
 * number would otherwise pass a far end that throws in a real call.
 */
function checkedPlay(play: FarEndContext["play"]): FarEndContext["play"] {
  return (samples, times) => {
    IDLE_CONTEXT.play(samples, times);
    play(samples, times);
  };
}
