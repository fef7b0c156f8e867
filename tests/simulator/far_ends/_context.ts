/**
 * A far end's context for driving one far end by hand: the call's side of `FarEndContext` doing
 * nothing, at time 0, but failing the test at a violation; a test gives what it watches.
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
    ...watched,
  };
}
