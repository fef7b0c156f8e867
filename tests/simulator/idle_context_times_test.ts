// The idle context (src/simulator/_idle_context.ts), the base of the contexts far-end tests drive
// a far end on (tests/simulator/far_ends/_context.ts), took any `times` in `play` and ignored it,
// where the call's own context refuses one that is not a whole number, 1 or more (far_end.ts
// `play`): a far end passing a loop count of 0 passed its tests and threw in a real call. It
// plays nothing still, but refuses what the call's playout buffer refuses, and takes the rest.
// A test context given a `play` of its own (`farEndContext({ play })`, as _relay_context.ts and
// most far-end tests give one) replaced the idle one and its check with it: it now runs the
// check before the test's `play`, which sees only a `times` the call would take.
import assert from "node:assert/strict";
import { IDLE_CONTEXT } from "../../src/simulator/_idle_context.ts";
import { PlayoutBuffer } from "../../src/simulator/playout_buffer.ts";
import { farEndContext } from "./far_ends/_context.ts";

const CLIP = new Int16Array(800);

/** Whether `play` refused `times` with a RangeError (anything else thrown fails the test). */
function refuses(play: () => void): boolean {
  try {
    play();
    return false;
  } catch (error) {
    assert.ok(error instanceof RangeError, String(error));
    return true;
  }
}

Deno.test("the idle context refuses the `times` the call's playout buffer refuses, and only those", () => {
  const cases: unknown[] = [0, -1, 2.5, NaN, Infinity, "2", 2 ** 53, undefined, 1, 3, 1000];
  for (const times of cases) {
    const buffer = new PlayoutBuffer({ sampleRate: 8000 });
    const byCall = refuses(() => buffer.enqueue(CLIP, 0, times as number));
    const byIdle = refuses(() => IDLE_CONTEXT.play(CLIP, times as number));
    const byTestContext = refuses(() => farEndContext().play(CLIP, times as number));
    const seen: unknown[] = [];
    const watched = farEndContext({ play: (_samples, given) => void seen.push(given) });
    const byWatchedContext = refuses(() => watched.play(CLIP, times as number));
    assert.deepEqual(
      [byIdle, byTestContext, byWatchedContext],
      [byCall, byCall, byCall],
      `times ${String(times)}`,
    );
    // The test's own `play` is reached with what it was given, and only when the call takes it.
    assert.deepEqual(seen, byCall ? [] : [times], `times ${String(times)} reached the test`);
  }
  // What the call refuses is refused: the list above holds both kinds.
  assert.ok(refuses(() => IDLE_CONTEXT.play(CLIP, 0)));
  assert.ok(!refuses(() => IDLE_CONTEXT.play(CLIP, 3)));
});
