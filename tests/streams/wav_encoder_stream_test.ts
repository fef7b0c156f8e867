import assert from "node:assert/strict";
import { WavEncoderStream } from "../../src/streams/wav_encoder_stream.ts";
import type { Frame } from "../../src/frames.ts";
import { assertRefusesAudioNotBytes } from "./_audio_not_bytes.ts";

// Python's `wave` module output for 4 bytes of 16 kHz mono and 8 bytes of 8 kHz stereo, as
// pipecat's add_wav_header writes them (regenerate with the script in tests/audio/wav_test.ts).
const MONO_16K_4 =
  "524946462800000057415645666d74201000000001000100803e0000007d0000020010006461746104000000";
const STEREO_8K_8 =
  "524946462c00000057415645666d74201000000001000200401f0000007d0000040010006461746108000000";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function run(stream: TransformStream<Frame, Frame>, frames: Frame[]): Promise<Frame[]> {
  return Array.fromAsync(ReadableStream.from(frames).pipeThrough(stream));
}

Deno.test("`WavEncoderStream` gives every audio frame the header Python's `wave` writes", async () => {
  const mono = Uint8Array.of(1, 0, 0xff, 0xff);
  const stereo = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const out = await run(new WavEncoderStream(), [
    { type: "audio", audio: mono, sampleRate: 16000, channels: 1 },
    { type: "audio", audio: stereo, sampleRate: 8000, channels: 2 },
  ]);
  assert.equal(out.length, 2);
  const [first, second] = out;
  assert.ok(first?.type === "audio" && second?.type === "audio");
  assert.equal(hex(first.audio.subarray(0, 44)), MONO_16K_4);
  assert.deepEqual(first.audio.subarray(44), mono);
  assert.deepEqual([first.sampleRate, first.channels], [16000, 1]);
  assert.equal(hex(second.audio.subarray(0, 44)), STEREO_8K_8);
  assert.deepEqual(second.audio.subarray(44), stereo);
  assert.deepEqual([second.sampleRate, second.channels], [8000, 2]);
});

Deno.test("`WavEncoderStream` passes other frames through untouched, in order", async () => {
  const frames: Frame[] = [
    { type: "text", text: "a" },
    { type: "audio", audio: new Uint8Array(2), sampleRate: 8000, channels: 1 },
    { type: "interruption" },
    { type: "end" },
  ];
  const out = await run(new WavEncoderStream(), frames);
  assert.deepEqual(out.map((f) => f.type), ["text", "audio", "interruption", "end"]);
  assert.equal(out[0], frames[0]);
  assert.equal(out[2], frames[2]);
  assert.equal(out[3], frames[3]);
});

Deno.test("`WavEncoderStream` leaves the input frame's bytes alone", async () => {
  const audio = Uint8Array.of(9, 9);
  const input: Frame = { type: "audio", audio, sampleRate: 8000, channels: 1 };
  await run(new WavEncoderStream(), [input]);
  assert.equal(input.audio, audio);
  assert.deepEqual([...audio], [9, 9]);
});

Deno.test("`WavEncoderStream` errors on a frame with a bad format", async () => {
  await assert.rejects(
    run(new WavEncoderStream(), [
      { type: "audio", audio: new Uint8Array(2), sampleRate: 0, channels: 1 },
    ]),
    (error) => error instanceof RangeError && /sampleRate/.test(error.message),
  );
  // 40,000 channels: a block align of 80,000 bytes does not fit its 16-bit field (see
  // tests/audio/wav_test.ts); written, it would read 14,464.
  await assert.rejects(
    run(new WavEncoderStream(), [
      { type: "audio", audio: new Uint8Array(2), sampleRate: 8000, channels: 40000 },
    ]),
    RangeError,
  );
});

Deno.test("`WavEncoderStream` errors on audio that is no Uint8Array, naming it", async () => {
  await assertRefusesAudioNotBytes(() => new WavEncoderStream());
});

Deno.test("`WavEncoderStream` keeps the frame's responseId", async () => {
  // A response's audio stays tagged (frames.ts: the id marks what an interruption drops), as the
  // transport's own header step (`addWavHeader`) keeps it.
  const [wav] = await run(new WavEncoderStream(), [
    { type: "audio", audio: new Uint8Array(4), sampleRate: 16000, channels: 1, responseId: "r1" },
  ]);
  assert.ok(wav?.type === "audio");
  assert.equal(wav.audio.length, 48);
  assert.equal(wav.responseId, "r1");
});
