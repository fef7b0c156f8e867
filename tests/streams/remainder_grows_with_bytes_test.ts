// A chunk or packet size far past what comes (a `chunkMs` of an hour, a slip of units) must cost
// memory only as bytes come: the remainder's buffer was allocated a whole piece long at the first
// byte held, 691 MB for an hour of 48 kHz stereo before any audio had come. What comes out must be
// the bytes that went in, whatever the buffer grew through.

import assert from "node:assert/strict";
import { AudioChunker } from "../../src/streams/audio_chunker.ts";
import { AudioChunkerStream } from "../../src/streams/audio_chunker_stream.ts";
import { Packetizer } from "../../src/streams/packetizer.ts";
import { PacketizerStream } from "../../src/streams/packetizer_stream.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import { concatBytes, ramp } from "../_bytes.ts";

const HOUR_MS = 3_600_000;
/** No remainder buffer of a few bytes held may be larger than this (the whole-at-once size). */
const SMALL_BUFFER = 64 * 1024;

function stereo48k(audio: Uint8Array): AudioFrame {
  return { type: "audio", audio, sampleRate: 48_000, channels: 2 };
}

Deno.test("`AudioChunker` with an hour's `chunkMs` holds 5 ms of audio in a buffer its size, not the hour's", () => {
  const chunker = new AudioChunker({ chunkMs: HOUR_MS });
  const chunks: AudioFrame[] = [];
  chunker.push(stereo48k(ramp(960)), (c) => chunks.push(c)); // 5 ms
  assert.equal(chunks.length, 0);
  assert.equal(chunker.pendingBytes, 960);
  chunker.flush((c) => chunks.push(c));
  assert.equal(chunks.length, 1);
  assert.deepEqual(chunks[0]!.audio, ramp(960));
  const held = chunks[0]!.audio.buffer.byteLength;
  assert.ok(held <= SMALL_BUFFER, `held in a buffer of ${held} bytes`); // was: 691,200,000
});

Deno.test("`AudioChunkerStream` with an hour's `chunkMs` holds what came, not the hour", async () => {
  const frames: Frame[] = [stereo48k(ramp(960)), stereo48k(ramp(1920, 960))];
  const out = await Array.fromAsync(
    ReadableStream.from(frames).pipeThrough(new AudioChunkerStream({ chunkMs: HOUR_MS })),
  );
  assert.equal(out.length, 1);
  const last = out[0]!;
  assert.ok(last.type === "audio");
  assert.deepEqual(last.audio, ramp(2880));
  const held = last.audio.buffer.byteLength;
  assert.ok(held <= SMALL_BUFFER, `held in a buffer of ${held} bytes`); // was: 691,200,000
});

Deno.test("`Packetizer` with a 100 MB `packetSize` holds a kilobyte in a buffer its size", () => {
  const packetizer = new Packetizer({ packetSize: 100_000_000, lastPacket: "short" });
  const packets: Uint8Array[] = [];
  packetizer.push(ramp(1000), (p) => packets.push(p));
  assert.equal(packetizer.pendingBytes, 1000);
  packetizer.flush((p) => packets.push(p));
  assert.deepEqual(packets, [ramp(1000)]);
  const held = packets[0]!.buffer.byteLength;
  assert.ok(held <= SMALL_BUFFER, `held in a buffer of ${held} bytes`); // was: 100,000,000
});

Deno.test("`PacketizerStream` with a 100 MB `packetSize` holds what came", async () => {
  const frames: Frame[] = [stereo48k(ramp(1000)), stereo48k(ramp(500, 1000))];
  const stream = new PacketizerStream({ packetSize: 100_000_000, lastPacket: "short" });
  const out = await Array.fromAsync(ReadableStream.from(frames).pipeThrough(stream));
  assert.equal(out.length, 1);
  const last = out[0]!;
  assert.ok(last.type === "audio");
  assert.deepEqual(last.audio, ramp(1500));
  const held = last.audio.buffer.byteLength;
  assert.ok(held <= SMALL_BUFFER, `held in a buffer of ${held} bytes`); // was: 100,000,000
});

Deno.test("a large piece's remainder grows as bytes come and gives back exactly what went in", () => {
  // 300,000-byte packets fed in 7,001-byte pushes: the buffer grows 64 KiB, 128, 256, 300,000
  // across each packet, and the packets, the short last one, and the padded one are the input.
  const size = 300_000;
  const input = ramp(1_000_003, 7);
  for (const lastPacket of ["short", "pad"] as const) {
    const packetizer = new Packetizer({ packetSize: size, lastPacket, padByte: 0xd5 });
    const packets: Uint8Array[] = [];
    for (let at = 0; at < input.length; at += 7_001) {
      packetizer.push(input.slice(at, at + 7_001), (p) => packets.push(p.slice()));
      assert.ok(packetizer.pendingBytes < size);
    }
    packetizer.flush((p) => packets.push(p));
    assert.deepEqual(packets.map((p) => p.length), [
      size,
      size,
      size,
      lastPacket === "pad" ? size : 100_003,
    ]);
    const out = concatBytes(packets);
    assert.deepEqual(out.subarray(0, input.length), input);
    assert.ok(out.subarray(input.length).every((b) => b === 0xd5), "padded with padByte");
  }
});

Deno.test("`AudioChunker` with chunks of 10 s cuts audio pushed in odd pieces exactly", () => {
  // 10 s of 16 kHz mono is 320,000 bytes: past the whole-at-once size, the buffer grows as it fills.
  const chunker = new AudioChunker({ chunkMs: 10_000 });
  const input = ramp(700_001, 3);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < input.length; at += 3_333) {
    const frame: AudioFrame = {
      type: "audio",
      audio: input.slice(at, at + 3_333),
      sampleRate: 16_000,
      channels: 1,
    };
    chunker.push(frame, (c) => chunks.push(c.audio.slice()));
  }
  chunker.flush((c) => chunks.push(c.audio.slice()));
  assert.deepEqual(chunks.map((c) => c.length), [320_000, 320_000, 60_000]);
  assert.deepEqual(concatBytes(chunks), input.subarray(0, 700_000));
  assert.equal(chunker.pendingBytes, 1, "the odd byte waits for the rest of its sample");
});
