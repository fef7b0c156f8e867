import assert from "node:assert/strict";
import fc from "fast-check";
import { AudioChunkerStream } from "../../src/streams/audio_chunker_stream.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import { assertRefusesAudioNotBytes } from "./_audio_not_bytes.ts";
import { concatBytes, ramp } from "../_bytes.ts";

function audio(bytes: Uint8Array, sampleRate = 16000, channels = 1): AudioFrame {
  return { type: "audio", audio: bytes, sampleRate, channels };
}

function run(stream: TransformStream<Frame, Frame>, frames: Frame[]): Promise<Frame[]> {
  return Array.fromAsync(ReadableStream.from(frames).pipeThrough(stream));
}

/** The output as a compact trace: audio as its byte count, other frames as their type. */
function trace(frames: Frame[]): (number | string)[] {
  return frames.map((f) => (f.type === "audio" ? f.audio.length : f.type));
}

function audioBytes(frames: Frame[]): Uint8Array {
  return concatBytes(frames.flatMap((f) => (f.type === "audio" ? [f.audio] : [])));
}

Deno.test("`AudioChunkerStream` keeps the remainder across writes and flushes it at the end", async () => {
  const input = ramp(960 * 5); // five 30 ms frames at 16 kHz mono
  const frames = [0, 1, 2, 3, 4].map((i) => audio(input.slice(i * 960, (i + 1) * 960)));
  const out = await run(new AudioChunkerStream({ chunkMs: 40 }), frames);
  assert.deepEqual(trace(out), [1280, 1280, 1280, 960]);
  assert.deepEqual(audioBytes(out), input);
});

Deno.test("`AudioChunkerStream` defaults to 40 ms chunks", async () => {
  const out = await run(new AudioChunkerStream(), [audio(new Uint8Array(1920 * 2), 24000)]);
  assert.deepEqual(trace(out), [1920, 1920]);
});

Deno.test("`AudioChunkerStream` handles writes ending on, just before and just after a boundary", async () => {
  // 20 ms at 16 kHz mono is 640 bytes.
  const sizes = [640, 638, 2, 642, 636, 2, 2, 1280, 4];
  const input = ramp(sizes.reduce((a, b) => a + b, 0));
  let offset = 0;
  const frames = sizes.map((n) => audio(input.slice(offset, offset += n)));
  const out = await run(new AudioChunkerStream({ chunkMs: 20 }), frames);
  assert.deepEqual(trace(out), [640, 640, 640, 640, 640, 640, 6]);
  assert.deepEqual(audioBytes(out), input);
});

Deno.test("`AudioChunkerStream` copies a write once: its chunks are views of one copy", async () => {
  const input = ramp(640 * 4);
  const out = await run(new AudioChunkerStream({ chunkMs: 20 }), [audio(input)]);
  assert.equal(out.length, 4);
  const buffers = new Set(out.map((frame) => frame.type === "audio" && frame.audio.buffer));
  assert.equal(buffers.size, 1);
  assert.ok(!buffers.has(input.buffer));
  assert.deepEqual(audioBytes(out), input);
});

Deno.test("`AudioChunkerStream` keeps its chunks when the writer reuses its buffer", async () => {
  // A bot refilling one buffer per frame, as `AudioFrame` lets a writer once `write` returns:
  // the chunks read after that (here, all of the first frame's) kept its bytes, not the next
  // frame's. Views of the buffer, they changed with it; in front of `transport.writable`, as
  // the README puts the stream, the caller heard a 20 ms chunk of the next frame twice.
  const stream = new AudioChunkerStream({ chunkMs: 20 });
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // A view at an odd offset into the bot's buffer: three 20 ms chunks at 16 kHz mono.
  const buffer = new Uint8Array(1 + 640 * 3 + 1);
  const frame = audio(buffer.subarray(1, 1 + 640 * 3));
  buffer.fill(1);
  const first = reader.read(); // lets the write through: the stream holds one chunk at most
  await writer.write(frame);
  buffer.fill(2); // the write has returned: the bot writes its next frame into the same buffer
  const chunks = [await first, await reader.read(), await reader.read()];
  for (const { value } of chunks) {
    assert.ok(value?.type === "audio");
    assert.deepEqual(value.audio, new Uint8Array(640).fill(1));
  }
  await writer.close();
  assert.deepEqual(await reader.read(), { done: true, value: undefined });
});

Deno.test("`AudioChunkerStream` chunks stereo and 8 kHz audio by their true byte rate", async () => {
  const out = await run(new AudioChunkerStream({ chunkMs: 20 }), [
    audio(new Uint8Array(3840 * 2), 48000, 2), // 20 ms of 48 kHz stereo is 3840 bytes
    audio(new Uint8Array(320 * 3 + 100), 8000, 1), // 20 ms of 8 kHz mono is 320 bytes
    audio(new Uint8Array(640), 8000, 2),
  ]);
  assert.deepEqual(
    out.map((f) => f.type === "audio" && [f.audio.length, f.sampleRate, f.channels]),
    [
      [3840, 48000, 2],
      [3840, 48000, 2],
      [320, 8000, 1],
      [320, 8000, 1],
      [320, 8000, 1],
      [100, 8000, 1], // the format changed: the old remainder goes first, short
      [640, 8000, 2],
    ],
  );
});

Deno.test("`AudioChunkerStream` passes other frames through in order, after the audio before them", async () => {
  const text: Frame = { type: "text", text: "hi" };
  const mark: Frame = { type: "mark", name: "m1" };
  const input = ramp(1280);
  const out = await run(new AudioChunkerStream({ chunkMs: 20 }), [
    text,
    audio(input.slice(0, 700)),
    mark,
    audio(input.slice(700)),
  ]);
  // The 60-byte remainder goes out, short, before the mark: the mark follows all audio before it.
  assert.deepEqual(trace(out), ["text", 640, 60, "mark", 580]);
  assert.equal(out[0], text);
  assert.equal(out[3], mark);
  assert.deepEqual(audioBytes(out), input);
});

Deno.test("`AudioChunkerStream` flushes the remainder before an `end` frame", async () => {
  const stream = new AudioChunkerStream({ chunkMs: 20 });
  const out = await run(stream, [
    audio(ramp(700)),
    { type: "end", reason: "done" },
    audio(ramp(10)),
  ]);
  assert.deepEqual(trace(out), [640, 60, "end", 10]);
  assert.deepEqual(out[2], { type: "end", reason: "done" });
  assert.equal(stream.droppedBytes, 0);
});

Deno.test("`AudioChunkerStream` drops the remainder on an interruption mid-chunk, counted", async () => {
  const stream = new AudioChunkerStream({ chunkMs: 20 });
  const after = ramp(640, 3);
  const out = await run(stream, [
    audio(ramp(1000)),
    { type: "interruption" },
    audio(after),
    audio(ramp(300)),
    { type: "cancel" },
  ]);
  assert.deepEqual(trace(out), [640, "interruption", 640, "cancel"]);
  assert.deepEqual(out[2]?.type === "audio" && out[2].audio, after);
  assert.equal(stream.droppedBytes, 360 + 300);
});

Deno.test("`AudioChunkerStream` errors on a frame with a bad format", async () => {
  await assert.rejects(
    run(new AudioChunkerStream(), [audio(new Uint8Array(4), 16000, 0)]),
    (error) => error instanceof RangeError && /channels/.test(error.message),
  );
  assert.throws(() => new AudioChunkerStream({ chunkMs: -5 }), /chunkMs.*-5/);
});

Deno.test("`AudioChunkerStream` errors on audio that is no Uint8Array, naming it", async () => {
  await assertRefusesAudioNotBytes(() => new AudioChunkerStream());
});

Deno.test("`AudioChunkerStream` gives the same bytes for any chunking of the input", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 12 }),
      fc.integer({ min: 1, max: 30 }),
      async (halfSizes, chunkMs) => {
        const input = ramp(halfSizes.reduce((a, b) => a + 2 * b, 0));
        let offset = 0;
        const frames = halfSizes.map((n) => audio(input.slice(offset, offset += 2 * n), 8000));
        const out = await run(new AudioChunkerStream({ chunkMs }), frames);
        assert.deepEqual(audioBytes(out), input);
        const size = 16 * chunkMs; // 8 kHz mono
        for (const frame of out.slice(0, -1)) assert.equal(trace([frame])[0], size);
      },
    ),
    { numRuns: 50 },
  );
});
