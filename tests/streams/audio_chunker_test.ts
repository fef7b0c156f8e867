import assert from "node:assert/strict";
import fc from "fast-check";
import { AudioChunker } from "../../src/streams/audio_chunker.ts";
import type { AudioFrame } from "../../src/frames.ts";
import { concatBytes, ramp } from "../_bytes.ts";

function audio(bytes: Uint8Array, sampleRate = 16000, channels = 1): AudioFrame {
  return { type: "audio", audio: bytes, sampleRate, channels };
}

/** Bytes 0, 1, 2, … (mod 256), so misplaced or lost bytes show. */
function collect(chunker: AudioChunker, frames: AudioFrame[]): AudioFrame[] {
  const out: AudioFrame[] = [];
  for (const frame of frames) chunker.push(frame, (c) => out.push(c));
  chunker.flush((c) => out.push(c));
  return out;
}

Deno.test("`AudioChunker` keeps the remainder across pushes", () => {
  const chunker = new AudioChunker({ chunkMs: 40 }); // 1280 bytes at 16 kHz mono
  const out: AudioFrame[] = [];
  chunker.push(audio(ramp(1000)), (c) => out.push(c));
  assert.equal(out.length, 0);
  assert.equal(chunker.pendingBytes, 1000);
  chunker.push(audio(ramp(1000, 1000)), (c) => out.push(c));
  assert.equal(out.length, 1);
  assert.equal(chunker.pendingBytes, 720);
  assert.deepEqual(out[0]?.audio, ramp(1280));
  chunker.flush((c) => out.push(c));
  assert.deepEqual(out[1]?.audio, ramp(720, 1280));
  assert.equal(chunker.pendingBytes, 0);
});

Deno.test("`AudioChunker` emits views of aligned input, no copy", () => {
  const chunker = new AudioChunker({ chunkMs: 20 }); // 640 bytes
  const input = ramp(640 * 3);
  const out = collect(chunker, [audio(input)]);
  assert.equal(out.length, 3);
  for (const [i, chunk] of out.entries()) {
    assert.equal(chunk.audio.buffer, input.buffer);
    assert.equal(chunk.audio.byteOffset, i * 640);
    assert.equal(chunk.audio.length, 640);
  }
});

Deno.test("`AudioChunker` copies the tail, so the caller may reuse its buffer", () => {
  const chunker = new AudioChunker({ chunkMs: 20 });
  const input = ramp(1000);
  const out: AudioFrame[] = [];
  chunker.push(audio(input), (c) => out.push(c));
  input.fill(0xaa);
  chunker.flush((c) => out.push(c));
  assert.deepEqual(out[1]?.audio, ramp(360, 640));
});

Deno.test("`AudioChunker` flushes the old remainder on a format change", () => {
  const chunker = new AudioChunker({ chunkMs: 20 });
  const out = collect(chunker, [
    audio(ramp(700), 16000, 1), // one chunk of 640, 60 held
    audio(ramp(1000), 8000, 2), // 20 ms at 8 kHz stereo is 640 bytes too
  ]);
  assert.deepEqual(
    out.map((c) => [c.audio.length, c.sampleRate, c.channels]),
    [[640, 16000, 1], [60, 16000, 1], [640, 8000, 2], [360, 8000, 2]],
  );
  assert.deepEqual(out[1]?.audio, ramp(60, 640));
});

Deno.test("`AudioChunker` sizes chunks from the true byte rate: stereo, 8 kHz, 22.05 kHz", () => {
  const cases: [number, number, number][] = [
    [8000, 1, 640], // 40 ms
    [48000, 2, 7680],
    [22050, 2, 3528], // 882 sample frames
  ];
  for (const [sampleRate, channels, size] of cases) {
    const out = collect(new AudioChunker(), [
      audio(new Uint8Array(size * 2 + 4), sampleRate, channels),
    ]);
    assert.deepEqual(out.map((c) => c.audio.length), [size, size, 4], `${sampleRate}/${channels}`);
  }
});

Deno.test("`AudioChunker.clear` drops the remainder and says how much", () => {
  const chunker = new AudioChunker({ chunkMs: 20 });
  const out: AudioFrame[] = [];
  chunker.push(audio(ramp(1000)), (c) => out.push(c));
  assert.equal(chunker.clear(), 360);
  assert.equal(chunker.clear(), 0);
  chunker.push(audio(ramp(640, 7)), (c) => out.push(c));
  assert.deepEqual(out[1]?.audio, ramp(640, 7));
});

Deno.test("`AudioChunker` rejects bad options and bad formats", () => {
  assert.throws(() => new AudioChunker({ chunkMs: 0 }), RangeError);
  assert.throws(() => new AudioChunker({ chunkMs: Number.NaN }), /chunkMs/);
  assert.throws(() => new AudioChunker({ chunkMs: Infinity }), RangeError);
  const chunker = new AudioChunker();
  assert.throws(() => chunker.push(audio(new Uint8Array(4), 16000, 0), () => {}), /channels/);
  assert.throws(() => chunker.push(audio(new Uint8Array(4), 0, 1), () => {}), /sampleRate/);
});

Deno.test("`AudioChunker` gives the same bytes for any chunking of the input", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 1500 }), { maxLength: 20 }),
      fc.integer({ min: 1, max: 60 }),
      (sizes, chunkMs) => {
        const whole = ramp(sizes.reduce((a, b) => a + b, 0));
        let offset = 0;
        const frames = sizes.map((n) => audio(whole.subarray(offset, offset += n), 8000, 1));
        const chunker = new AudioChunker({ chunkMs });
        const out = collect(chunker, frames);
        // A last odd byte (half a sample) stays held for a push that would complete it.
        assert.equal(chunker.pendingBytes, whole.length % 2);
        assert.deepEqual(
          concatBytes(out.map((c) => c.audio)),
          whole.subarray(0, whole.length & ~1),
        );
        const size = Math.floor(8 * chunkMs) * 2;
        // Every chunk but the last is whole.
        for (const chunk of out.slice(0, -1)) assert.equal(chunk.audio.length, size);
        assert.ok((out.at(-1)?.audio.length ?? 0) <= size);
      },
    ),
  );
});

Deno.test("`AudioChunker.takeWhole` takes a chunk-sized frame when nothing is held, and keeps the stream whole", () => {
  const chunker = new AudioChunker({ chunkMs: 20 }); // 640 bytes at 16 kHz mono
  const out: AudioFrame[] = [];
  const emit = (c: AudioFrame) => out.push(c);
  assert.equal(chunker.takeWhole({ ...audio(ramp(640)), responseId: "a" }), true);
  // Not one chunk: refused, and pushed as usual; its remainder is held.
  assert.equal(chunker.takeWhole({ ...audio(ramp(1000)), responseId: "a" }), false);
  chunker.push({ ...audio(ramp(1000)), responseId: "a" }, emit);
  assert.equal(chunker.pendingBytes, 360);
  // While a remainder is held, even a whole chunk must go through push, after it.
  assert.equal(chunker.takeWhole({ ...audio(ramp(640, 1000)), responseId: "a" }), false);
  chunker.push({ ...audio(ramp(640, 1000)), responseId: "a" }, emit);
  assert.deepEqual(out.map((c) => c.audio.length), [640, 640]);
  assert.deepEqual([...out[1]!.audio.subarray(355, 365)], [...ramp(10, 995)]);
  // A new response and format are taken as push takes them: the next chunks carry them.
  chunker.flush(emit);
  assert.equal(chunker.takeWhole({ ...audio(ramp(320), 8000), responseId: "b" }), true);
  chunker.push({ ...audio(ramp(100), 8000), responseId: "b" }, emit);
  chunker.flush(emit);
  const last = out.at(-1)!;
  assert.deepEqual([last.audio.length, last.sampleRate, last.responseId], [100, 8000, "b"]);
  assert.throws(() => chunker.takeWhole(audio(ramp(640), 0)), RangeError);
});
