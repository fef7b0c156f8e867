// `droppedMs` counts the audio a reader that lags loses. Silence is written as a count, never as
// bytes: it takes none of the reader's backlog, and dropping it would lose nothing, so it is never
// counted. A block was taken for silence only where nothing at all had been placed from its start
// on: one before audio placed ahead of it (the caller's next words after a pause, the bot's reply
// placed by the far end's buffer) went as bytes of zeros, filled the backlog, and was counted in
// `droppedMs` as audio lost.
import assert from "node:assert/strict";
import { call, collect } from "./_call.ts";
import { count, parseWav, sampleOf } from "./_wav.ts";

const PER_MS = 16; // samples per ms at the recording's 16 kHz

Deno.test("`CallRecorder` counts no silence as dropped when its reader lags", async () => {
  const c = call({ recorder: { maxBufferedMs: 2000 } });
  // Nobody reads yet: the caller's two seconds of words fit the two the reader may lag by.
  c.mic.value = 2;
  await c.talk(2000);
  c.mic.value = 0; // the client stops sending (muted) for ten seconds
  await c.talk(10_000);
  c.mic.value = 2;
  await c.talk(100);
  const wav = collect(c.recorder.readable);
  await c.hangUp();
  const caller = parseWav(await wav).samples[0]!;
  assert.equal(caller.length, 12_100 * PER_MS, "the whole call");
  assert.equal(count(caller, sampleOf(2)), 2100 * PER_MS, "all the caller said");
  assert.equal(c.recorder.stats.droppedMs, 0, "nothing lost, nothing counted");
});
