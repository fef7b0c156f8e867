/**
 * A far end's context for driving one far end by hand: the call's side of `FarEndContext` doing
 * nothing, at time 0, but failing the test at a violation; a test gives what it watches. A test
 * that keeps a playout queue of its own (`queuedMs`) must also say how part of it is dropped
 * (`dropQueued`), or a far end's drop fails it: the idle context's would leave its queue as it
 * was, and the test would go on against a queue the far end did not leave.
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
  };
}
