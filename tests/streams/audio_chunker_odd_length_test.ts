// Audio written to the chunker cut at any byte, not at whole samples (a file or a network read in
// PCM16 is cut wherever the read ended): the bytes are one stream, every chunk that comes out is
// whole sample frames, read on its own by whoever takes it (the transport refuses a chunk that is
// not), so each chunk's samples are the samples written, in order.

import assert from "node:assert/strict";
import fc from "fast-check";
import { pcm16Samples } from "../../src/audio/pcm.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import { audio, cutAt, distinctSamples, through } from "./_cut_reads.ts";
import { AudioChunker } from "../../src/streams/audio_chunker.ts";
import { AudioChunkerStream } from "../../src/streams/audio_chunker_stream.ts";

/** The samples of every audio chunk, each read on its own, as a far end reads a message. */
function samplesOut(frames: Frame[]): number[] {
  return frames.flatMap((f) => f.type === "audio" ? [...pcm16Samples(f.audio)] : []);
}

const mark = (name: string): Frame => ({ type: "mark", name });

Deno.test("`AudioChunkerStream` keeps samples aligned after an odd-length frame and a mark", async () => {
  const written = distinctSamples(640); // 1280 bytes: 40 ms at 16 kHz mono
  const [first, second] = cutAt(written.bytes, [701]);
  const stream = new AudioChunkerStream({ chunkMs: 20 }); // 640-byte chunks
  const out = await through(stream, [first!, mark("m"), second!]);
  // The mark flushes the 60 whole bytes before it; the odd byte waits for the next frame.
  assert.deepEqual(out.map((f) => f.type === "audio" ? f.audio.length : f.type), [
    640,
    60,
    "mark",
    580,
  ]);
  assert.deepEqual(samplesOut(out), [...written.samples]);
  assert.equal(stream.droppedBytes, 0);
});

Deno.test("`AudioChunkerStream` keeps stereo sample frames whole across cuts at any byte", async () => {
  const written = distinctSamples(1000); // 500 stereo sample frames
  const stereo = { sampleRate: 8000, channels: 2 };
  const [a, b, c] = cutAt(written.bytes, [301, 1003], stereo);
  const out = await through(new AudioChunkerStream({ chunkMs: 20 }), [
    a!,
    mark("1"),
    b!,
    { type: "text", text: "hi" },
    c!,
  ]);
  for (const frame of out) {
    if (frame.type === "audio") assert.equal(frame.audio.length % 4, 0, "whole sample frames");
  }
  assert.deepEqual(samplesOut(out), [...written.samples]);
});

Deno.test("`AudioChunkerStream` drops a sample cut short at the end, counted", async () => {
  const written = distinctSamples(100);
  const stream = new AudioChunkerStream({ chunkMs: 20 });
  const out = await through(stream, [audio(written.bytes.slice(0, 151))]);
  assert.deepEqual(out.map((f) => f.type === "audio" && f.audio.length), [150]);
  assert.deepEqual(samplesOut(out), [...written.samples.subarray(0, 75)]);
  assert.equal(stream.droppedBytes, 1);
});

Deno.test("`AudioChunkerStream` drops a sample cut short by a new format or response, counted, and the next starts aligned", async () => {
  for (const change of [{ sampleRate: 8000 }, { responseId: "r2" }]) {
    const before = distinctSamples(50);
    const after = distinctSamples(40, 500);
    const stream = new AudioChunkerStream({ chunkMs: 20 });
    const out = await through(stream, [
      audio(before.bytes.slice(0, 77), { responseId: "r1" }),
      audio(after.bytes, { responseId: "r1", ...change }),
    ]);
    assert.deepEqual(out.map((f) => f.type === "audio" && f.audio.length), [76, 80]);
    assert.deepEqual(samplesOut(out), [...before.samples.subarray(0, 38), ...after.samples]);
    assert.equal(stream.droppedBytes, 1, JSON.stringify(change));
  }
});

Deno.test("`AudioChunkerStream` gives whole samples in every chunk for any cutting, other frames between", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 700 }), fc.boolean()), { maxLength: 12 }),
      fc.integer({ min: 1, max: 30 }),
      fc.constantFrom(1, 2),
      async (pieces, chunkMs, channels) => {
        const total = pieces.reduce((n, [size]) => n + size, 0);
        const written = distinctSamples(Math.ceil(total / 2));
        const bytes = written.bytes.subarray(0, total);
        const frames: Frame[] = [];
        let offset = 0;
        for (const [size, markAfter] of pieces) {
          frames.push(audio(bytes.slice(offset, offset += size), { sampleRate: 8000, channels }));
          if (markAfter) frames.push(mark(`${offset}`));
        }
        const stream = new AudioChunkerStream({ chunkMs });
        const out = await through(stream, frames);
        const frameBytes = 2 * channels;
        for (const frame of out) {
          if (frame.type === "audio") assert.equal(frame.audio.length % frameBytes, 0);
        }
        const whole = total - total % frameBytes;
        assert.deepEqual(samplesOut(out), [...written.samples.subarray(0, whole / 2)]);
        assert.equal(stream.droppedBytes, total % frameBytes);
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("`AudioChunker.flush` emits whole samples and holds the odd byte for the next push", () => {
  const chunker = new AudioChunker({ chunkMs: 20 });
  const out: AudioFrame[] = [];
  const emit = (chunk: AudioFrame) => out.push(chunk);
  const written = distinctSamples(20);
  chunker.push(audio(written.bytes.slice(0, 13)), emit);
  chunker.flush(emit);
  assert.deepEqual(out.map((c) => c.audio.length), [12]);
  assert.equal(chunker.pendingBytes, 1, "the odd byte is held");
  assert.equal(chunker.takeWhole(audio(new Uint8Array(640))), false, "held bytes go first");
  chunker.push(audio(written.bytes.slice(13)), emit);
  chunker.flush(emit);
  assert.deepEqual(out.map((c) => c.audio.length), [12, 28]);
  assert.deepEqual(samplesOut(out), [...written.samples]);
  assert.equal(chunker.clear(), 0);
  assert.equal(chunker.droppedBytes, 0);
});
