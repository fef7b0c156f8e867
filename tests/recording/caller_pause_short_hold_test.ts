// Caller audio without media timestamps is laid end to end: a pause shorter than `callerGapMs`
// (1 s) is taken for arrival jitter, and the next words go right after the last. With a `holdMs`
// shorter than that pause, the end of the last words is written out already by then: laid there,
// the next words, and the rest of their stretch after them, all fell where the recording was
// written out, counted late and lost (2 s of a caller who paused for half a second).
import assert from "node:assert/strict";
import { RawPcmSerializer } from "../../mod.ts";
import { call, collect } from "./_call.ts";
import { parseWav, runs, sampleOf } from "./_wav.ts";

const PER_MS = 16; // samples per ms at the recording's 16 kHz

Deno.test("`CallRecorder` with a `holdMs` shorter than the caller's pause records the words after it where they were said", async () => {
  const c = call({ recorder: { holdMs: 200 }, transport: { serializer: new RawPcmSerializer() } });
  const wav = collect(c.recorder.readable);
  c.mic.value = 5;
  await c.talk(1000);
  c.mic.value = 0; // half a second of nothing from the caller's client
  await c.talk(500);
  c.mic.value = 5;
  await c.talk(2000);
  await c.hangUp();
  const caller = parseWav(await wav).samples[0]!;
  const spoken = runs(caller).map((run) => [run.value, run.start / PER_MS, run.length / PER_MS]);
  // All three seconds said, with the half-second pause between them where it was.
  assert.deepEqual(spoken.map(([value]) => value), [sampleOf(5), 0, sampleOf(5)]);
  assert.equal(spoken[1]![2], 500, "the pause");
  assert.equal(spoken[0]![2]! + spoken[2]![2]!, 3000, "every word");
  assert.equal(c.recorder.stats.lateMs, 0);
});
