// PlayoutBuffer's options are refused at once when they cannot work: a NaN origin would leave no
// sample ever due (the speaker silently stops), a NaN or negative maxUnderrunMs or earlyMs would
// silently count no underrun or every chunk as early, and an onPlay that is no function would
// fail only when the speaker first plays.
import assert from "node:assert/strict";
import { PlayoutBuffer } from "../../src/simulator/playout_buffer.ts";

Deno.test("PlayoutBuffer refuses an origin that is no finite number, naming originMs", () => {
  for (const originMs of [NaN, Infinity, -Infinity, "5" as unknown as number]) {
    assert.throws(() => new PlayoutBuffer({ sampleRate: 8000, originMs }), {
      name: "RangeError",
      message: /^originMs must be a finite number/,
    });
  }
  // A negative origin is a time like any other on the caller's clock.
  assert.equal(new PlayoutBuffer({ sampleRate: 8000, originMs: -20 }).playedUntilMs, -20);
});

Deno.test("PlayoutBuffer refuses maxUnderrunMs and earlyMs below 0 or NaN, naming each", () => {
  for (const name of ["maxUnderrunMs", "earlyMs"] as const) {
    for (const value of [NaN, -1, "100" as unknown as number]) {
      assert.throws(() => new PlayoutBuffer({ sampleRate: 8000, [name]: value }), {
        name: "RangeError",
        message: new RegExp(`^${name} must be a number >= 0, got `),
      });
    }
    // 0 and Infinity are limits that mean something: none, and no limit.
    new PlayoutBuffer({ sampleRate: 8000, [name]: 0 });
    new PlayoutBuffer({ sampleRate: 8000, [name]: Infinity });
  }
});

Deno.test("PlayoutBuffer refuses an onPlay that is not a function", () => {
  const onPlay = "log" as unknown as () => void;
  assert.throws(() => new PlayoutBuffer({ sampleRate: 8000, onPlay }), {
    name: "TypeError",
    message: "onPlay must be a function, got string",
  });
});
