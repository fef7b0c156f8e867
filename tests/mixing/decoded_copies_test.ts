// A track given as bytes at an odd offset (a WAV or PCM inside a larger buffer) cannot be viewed
// as 16-bit samples: it is decoded into a copy. Sessions playing one track share it (README,
// "Background audio": "sessions playing the same track share it"): that copy too, made once per
// source, not once per `BackgroundAudio`, each holding its own for its life.
import assert from "node:assert/strict";
import { runWithGc } from "../_gc_script.ts";

Deno.test("`BackgroundAudio`s of one track at an odd byte offset hold one decoded copy of it, not one each", async () => {
  // In a process of its own: a heap snapshot counts every buffer held, the test runner's too.
  const report = await runWithGc(new URL("./_decoded_copies_script.ts", import.meta.url)) as {
    name: string;
    first: number;
    eachOther: number;
  }[];
  assert.equal(report.length, 3);
  for (const { name, first, eachOther } of report) {
    assert.ok(first > 0.9 && first < 1.2, `${name}: the first holds ${first} copies`);
    // Before: each held a whole copy of its own (1.0).
    assert.ok(eachOther < 0.1, `${name}: each of the others adds ${eachOther} copies`);
  }
});
