// `holdMs` sizes the recorder's rings when it is made: a value far past any far end's buffer (a slip
// of units, seconds given as ms) claimed gigabytes at construction, or failed with the runtime's
// "Array buffer allocation failed", naming nothing. `maxBufferedMs` allocates nothing up front.
import assert from "node:assert/strict";
import { CallRecorder } from "../../mod.ts";

Deno.test("`CallRecorder` refuses a holdMs over a minute with a RangeError naming the option and its cap", () => {
  // An hour at 16 kHz was two rings of 128 MB each, made before the call began.
  for (const holdMs of [60_001, 3_600_000, 1e9]) {
    assert.throws(
      () => new CallRecorder({ holdMs }),
      (error: unknown) =>
        error instanceof RangeError &&
        error.message === `holdMs must be at most 60000, got ${holdMs}`,
    );
  }
  new CallRecorder({ holdMs: 60_000, sampleRate: 48000 }).stop();
});

Deno.test("`CallRecorder` takes any finite maxBufferedMs: the reader's backlog is not allocated up front", () => {
  for (const maxBufferedMs of [0, 0.5, 1e12, Number.MAX_VALUE]) {
    const recorder = new CallRecorder({ maxBufferedMs });
    recorder.stop();
    assert.equal(recorder.stats.droppedMs, 0);
  }
  assert.throws(
    () => new CallRecorder({ maxBufferedMs: Infinity }),
    /maxBufferedMs must be a finite/,
  );
});
