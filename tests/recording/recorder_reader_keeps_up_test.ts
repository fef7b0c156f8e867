// `maxBufferedMs` bounds how far a reader may fall behind: a reader that takes each block as it
// comes is never behind, and loses nothing, whatever the bound.
import assert from "node:assert/strict";
import type { CallRecorder, CallRecorderOptions } from "../../mod.ts";
import { call, collect } from "./_call.ts";
import { count, parseWav, sampleOf } from "./_wav.ts";

const PER_MS = 16; // samples per ms at the recording's 16 kHz

/** Four seconds of a caller, the recording read as it comes, as `for await` reads it. */
async function recordKeepingUp(recorder: CallRecorderOptions): Promise<CallRecorder> {
  const c = call({ recorder });
  const parts: Uint8Array[] = [];
  const read = (async () => {
    for await (const part of c.recorder.readable) parts.push(part);
  })();
  c.mic.value = 2;
  await c.talk(4000);
  await c.hangUp();
  await read;
  const caller = parseWav(await collect(ReadableStream.from(parts))).samples[0]!;
  assert.equal(caller.length, 4000 * PER_MS, "the whole call");
  assert.equal(count(caller, sampleOf(2)), 4000 * PER_MS, "all of the caller, none of it dropped");
  assert.equal(c.recorder.stats.droppedMs, 0);
  return c.recorder;
}

Deno.test("`CallRecorder` with `maxBufferedMs` under a block drops nothing when the reader keeps up", async () => {
  // 0 and 50 ms: less than the 100 ms the recorder writes at a time; kept, as nothing waits.
  for (const maxBufferedMs of [0, 50]) await recordKeepingUp({ maxBufferedMs });
});

Deno.test("`CallRecorder` writes out what it held at the end of the call whole, whatever `maxBufferedMs`", async () => {
  // The last `holdMs` is written out at once as the call ends: no reader can have read it yet.
  await recordKeepingUp({ maxBufferedMs: 200 });
  await recordKeepingUp({ maxBufferedMs: 1000, holdMs: 3000 });
});

Deno.test("`CallRecorder` with a small `maxBufferedMs` keeps what it writes out at once after a pause in the caller's audio", async () => {
  // A caller whose client stops sending for a while (muted): nothing is written out meanwhile, and
  // its next frame writes out the held second and the pause in one go, many blocks at once. The
  // reader, with nothing waiting, keeps up: it cannot read between blocks written in one call.
  const c = call({ recorder: { maxBufferedMs: 0 } });
  const parts: Uint8Array[] = [];
  const read = (async () => {
    for await (const part of c.recorder.readable) parts.push(part);
  })();
  c.mic.value = 2;
  await c.talk(2000);
  c.mic.value = 0;
  await c.talk(3000);
  c.mic.value = 2;
  await c.talk(1000);
  await c.hangUp();
  await read;
  const caller = parseWav(await collect(ReadableStream.from(parts))).samples[0]!;
  assert.equal(count(caller, sampleOf(2)), 3000 * PER_MS, "all of the caller, none of it dropped");
  assert.equal(c.recorder.stats.droppedMs, 0);
});

Deno.test("`CallRecorder` with a small `maxBufferedMs` keeps the caller's words before a pause of over a minute", async () => {
  // A pause longer than the recorder's rings (65.5 s at 16 kHz: `holdMs` + a minute, to a power
  // of two): the next frame first makes room, writing out part of the held second, then its own
  // write-out writes the rest, both in the one call that placed the frame. The reader has had no
  // turn between them; judged apart, the second found the first waiting, and the end of the
  // caller's words before the pause was dropped (516 ms), counted with 64 s of "dropped" silence.
  const c = call({ recorder: { maxBufferedMs: 0 } });
  const parts: Uint8Array[] = [];
  const read = (async () => {
    for await (const part of c.recorder.readable) parts.push(part);
  })();
  c.mic.value = 2;
  await c.talk(5000);
  c.mic.value = 0;
  await c.talk(65_000);
  c.mic.value = 2;
  await c.talk(2000);
  await c.hangUp();
  await read;
  const caller = parseWav(await collect(ReadableStream.from(parts))).samples[0]!;
  assert.equal(caller.length, 72_000 * PER_MS, "the whole call");
  assert.equal(count(caller, sampleOf(2)), 7000 * PER_MS, "all of the caller, none of it dropped");
  assert.equal(c.recorder.stats.droppedMs, 0);
});
