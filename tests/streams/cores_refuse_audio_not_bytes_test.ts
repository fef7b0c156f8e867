// The push-style cores (`AudioChunker`, `Packetizer`) are public on their own, for code that
// drives them itself; from JavaScript an `ArrayBuffer` (a WebSocket message read with
// `binaryType = "arraybuffer"`) can be pushed as bytes. It has no `length`, so cutting it by one
// took it for nothing: no chunk, nothing held, no error, while the streams built on these cores
// refuse it with a `TypeError` (README, "Building blocks"). With bytes held, it failed on a method
// an ArrayBuffer lacks (`bytes.subarray is not a function`), naming nothing.
import assert from "node:assert/strict";
import { AudioChunker } from "../../src/streams/audio_chunker.ts";
import { Packetizer } from "../../src/streams/packetizer.ts";
import type { AudioFrame } from "../../src/frames.ts";

/** 40 ms of 16 kHz mono, were it bytes, in forms plain JavaScript can pass. */
const NOT_BYTES: [unknown, RegExp][] = [
  [new ArrayBuffer(1280), /an ArrayBuffer, not a Uint8Array$/],
  ["x".repeat(1280), /a string \(x+\), not a Uint8Array$/],
];

Deno.test("`AudioChunker.push` refuses audio that is no Uint8Array, naming it, keeping what it holds", () => {
  for (const [audio, message] of NOT_BYTES) {
    const chunker = new AudioChunker({ chunkMs: 40 });
    const chunks: AudioFrame[] = [];
    const emit = (chunk: AudioFrame) => chunks.push(chunk);
    const frame = { type: "audio", audio, sampleRate: 16000, channels: 1 } as unknown as AudioFrame;
    const refused = (error: unknown) => error instanceof TypeError && message.test(error.message);
    assert.throws(() => chunker.push(frame, emit), refused, "nothing held");
    chunker.push(
      { type: "audio", audio: new Uint8Array(100), sampleRate: 16000, channels: 1 },
      emit,
    );
    assert.throws(() => chunker.push(frame, emit), refused, "100 bytes held");
    assert.equal(chunks.length, 0);
    assert.equal(chunker.pendingBytes, 100, "what was held before is still held");
  }
});

Deno.test("`Packetizer.push` refuses bytes that are no Uint8Array, naming them, keeping what it holds", () => {
  for (const [bytes, message] of NOT_BYTES) {
    const packetizer = new Packetizer({ packetSize: 640 });
    const packets: Uint8Array[] = [];
    const emit = (packet: Uint8Array) => packets.push(packet);
    const refused = (error: unknown) => error instanceof TypeError && message.test(error.message);
    assert.throws(() => packetizer.push(bytes as Uint8Array, emit), refused, "nothing held");
    packetizer.push(new Uint8Array(100), emit);
    assert.throws(() => packetizer.push(bytes as Uint8Array, emit), refused, "100 bytes held");
    assert.equal(packets.length, 0);
    assert.equal(packetizer.pendingBytes, 100, "what was held before is still held");
  }
});

Deno.test("`AudioChunker.takeWhole` refuses audio that is no Uint8Array: a string a chunk long is not taken", () => {
  for (const [audio, message] of NOT_BYTES) {
    const chunker = new AudioChunker({ chunkMs: 40 });
    const frame = { type: "audio", audio, sampleRate: 16000, channels: 1 } as unknown as AudioFrame;
    assert.throws(
      () => chunker.takeWhole(frame),
      (error) => error instanceof TypeError && message.test(error.message),
    );
  }
});
