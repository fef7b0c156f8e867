// `PlayoutBufferOptions.audibleDbfs`: the level above which queued audio is sound to
// `PlayoutStats.unplayedAtEndMs`, a 10 ms block's RMS about its own mean as the talk spurts judge
// speech (a call gives its speech threshold); a level that is no dBFS figure is refused, not read
// as another (NaN would take every block for silence).
import assert from "node:assert/strict";
import { PlayoutBuffer } from "../../src/simulator/mod.ts";

/** `n` samples alternating ±`level`: an RMS of `level`, about a mean of 0. */
const square = (n: number, level: number) =>
  new Int16Array(n).map((_, i) => (i % 2 === 0 ? level : -level));

Deno.test("unplayedAtEndMs counts up to the last block over audibleDbfs, by the block's RMS", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000, audibleDbfs: -45 });
  buffer.enqueue(square(800, 3000), 0); // 100 ms at -20.8 dBFS
  buffer.enqueue(square(800, 200), 0); // 100 ms at -44.3 dBFS: over
  buffer.enqueue(square(1600, 160), 0); // 200 ms at -46.2 dBFS: under
  assert.equal(buffer.stats().unplayedAtEndMs, 200);
  // The default, -60 dBFS, takes the last 200 ms for sound (an RMS of 160 is -46 dBFS).
  const quiet = new PlayoutBuffer({ sampleRate: 8000 });
  quiet.enqueue(square(800, 3000), 0);
  quiet.enqueue(square(1600, 160), 0);
  assert.equal(quiet.stats().unplayedAtEndMs, 300);
});

Deno.test("PlayoutBuffer refuses an audibleDbfs that is no level in dBFS", () => {
  const shown: [unknown, string][] = [[NaN, "NaN"], [1, "1"], [-100, "-100"], [
    "-45",
    "a string (-45)",
  ]];
  for (const [audibleDbfs, got] of shown) {
    assert.throws(
      () => new PlayoutBuffer({ sampleRate: 8000, audibleDbfs: audibleDbfs as number }),
      {
        name: "RangeError",
        message: `audibleDbfs must be a level in dBFS from -100 (exclusive) to 0, got ${got}`,
      },
    );
  }
});
