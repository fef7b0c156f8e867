// A pacing stream cancelled while a frame waits in its pacing sleep for its deadline: the sleep
// ends at once (no timer left) and that frame never leaves, so it is counted as dropped, as the
// chunker and the packetizer count what they hold (WHATWG Streams, TransformStream: a readable
// cancelled calls the transformer's `cancel` at once; a writable aborted, only once the write in
// flight has finished, so there the frame leaves at its deadline and nothing is dropped).

import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import { PacerStream } from "../../src/streams/pacer_stream.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";

/** 20 ms of 16 kHz mono. */
function twentyMs(): AudioFrame {
  return { type: "audio", audio: new Uint8Array(640), sampleRate: 16000, channels: 1 };
}

Deno.test("`PacerStream` counts the frame asleep when a pipe through it is aborted", async () => {
  const clock = new FakeClock();
  const pacer = new PacerStream({ clock, sendAheadMs: 0 });
  const left: number[] = [];
  const stop = new AbortController();
  const piping = ReadableStream.from(Array.from({ length: 10 }, twentyMs))
    .pipeThrough(pacer)
    .pipeTo(new WritableStream({ write: () => void left.push(clock.now()) }), {
      signal: stop.signal,
    });
  await clock.tick(30); // frames leave at 0 and 20; the third sleeps until 40
  assert.deepEqual(left, [0, 20]);
  assert.equal(clock.pendingTimers, 1);
  stop.abort(new Error("caller hung up"));
  await assert.rejects(piping, /caller hung up/);
  assert.equal(clock.pendingTimers, 0, "the pacing sleep outlived the stream");
  assert.equal(pacer.droppedBytes, 640);
  await clock.tick(1000);
  assert.deepEqual(left, [0, 20]);
});

Deno.test("`PacerStream` counts the frame asleep when its readable is cancelled", async () => {
  const clock = new FakeClock();
  const pacer = new PacerStream({ clock, sendAheadMs: 0 });
  const writer = pacer.writable.getWriter();
  const reader = pacer.readable.getReader();
  const big: AudioFrame = { ...twentyMs(), audio: new Uint8Array(3200) }; // 100 ms
  const writes = [writer.write(twentyMs()), writer.write(big), writer.write(twentyMs())];
  for (const write of writes) write.catch(() => {});
  assert.equal((await reader.read()).value?.type, "audio");
  const pending = reader.read(); // asks for the next frame: the 100 ms one, which waits for 20
  await clock.tick(0);
  assert.equal(clock.pendingTimers, 1);
  await reader.cancel("hung up");
  assert.deepEqual(await pending, { done: true, value: undefined });
  assert.equal(clock.pendingTimers, 0);
  // The frame asleep is the stream's drop; the one behind it, never taken from the writable's
  // queue, is told to its writer (its write rejects), as for any stream errored.
  assert.equal(pacer.droppedBytes, 3200);
  await assert.rejects(writes[1]!, (reason) => reason === "hung up");
  await assert.rejects(writes[2]!, (reason) => reason === "hung up");
});

Deno.test("`PacerStream` drops nothing when cancelled with no frame asleep", async () => {
  const clock = new FakeClock();
  for (const ending of ["readable cancelled", "writable aborted"] as const) {
    const pacer = new PacerStream({ clock, sendAheadMs: 0 });
    const writer = pacer.writable.getWriter();
    const reader = pacer.readable.getReader();
    const read = reader.read();
    await writer.write(twentyMs()); // leaves at once
    assert.equal((await read).value?.type, "audio");
    if (ending === "readable cancelled") await reader.cancel("gone");
    else await writer.abort("gone");
    assert.equal(pacer.droppedBytes, 0, ending);
    assert.equal(clock.pendingTimers, 0, ending);
  }
});

Deno.test("`PacerStream` drops nothing when its writable is aborted: the frame asleep leaves", async () => {
  // The abort waits for the write in flight (the frame's sleep), so that frame is delivered.
  const clock = new FakeClock();
  const pacer = new PacerStream({ clock, sendAheadMs: 0 });
  const writer = pacer.writable.getWriter();
  const reader = pacer.readable.getReader();
  writer.write(twentyMs()).catch(() => {});
  writer.write(twentyMs()).catch(() => {});
  await reader.read();
  const second = reader.read();
  await clock.tick(0);
  const aborting = writer.abort("gone");
  await clock.tick(20);
  await aborting;
  assert.equal((await second).value?.type, "audio");
  assert.equal(pacer.droppedBytes, 0);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`PacerStream` counts nothing for frames that left before a cancel", async () => {
  const clock = new FakeClock();
  const pacer = new PacerStream({ clock, sendAheadMs: 0 });
  const frames: Frame[] = [twentyMs(), { type: "text", text: "a" }, twentyMs()];
  const out = await (async () => {
    const reading = Array.fromAsync(ReadableStream.from(frames).pipeThrough(pacer));
    await clock.runAll();
    return await reading;
  })();
  assert.equal(out.length, 3);
  assert.equal(pacer.droppedBytes, 0);
});
