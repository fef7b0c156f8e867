// Audio written to the WAV encoder cut at any byte, not at whole samples (a PCM16 file piped
// through it is cut wherever each read ended): each WAV is a file read on its own, so its data
// must be whole sample frames (WAVE format, PCM: the data chunk holds whole sample frames of
// nBlockAlign = channels × 2 bytes; Microsoft, "Multimedia Programming Interface and Data
// Specifications 1.0", WAVE fmt chunk), and the WAVs' samples, read one after another, must be the
// samples written.

import assert from "node:assert/strict";
import fc from "fast-check";
import { pcm16Samples } from "../../src/audio/pcm.ts";
import type { Frame } from "../../src/frames.ts";
import { audio, cutAt, distinctSamples, through } from "./_cut_reads.ts";
import { WavEncoderStream } from "../../src/streams/wav_encoder_stream.ts";

/** Checks each WAV as a player would (sizes, block align) and returns its data. */
function wavData(frame: Frame): Uint8Array {
  assert.ok(frame.type === "audio");
  const view = new DataView(frame.audio.buffer, frame.audio.byteOffset, frame.audio.length);
  const dataBytes = view.getUint32(40, true);
  const blockAlign = view.getUint16(32, true);
  assert.equal(view.getUint32(4, true), 36 + dataBytes, "RIFF size");
  assert.equal(frame.audio.length, 44 + dataBytes, "data size");
  assert.equal(blockAlign, frame.channels * 2);
  assert.equal(dataBytes % blockAlign, 0, `${dataBytes} data bytes: not whole sample frames`);
  return frame.audio.subarray(44);
}

/** The samples of every WAV, each read on its own, in order. */
function samplesOut(frames: Frame[]): number[] {
  return frames.flatMap((f) => f.type === "audio" ? [...pcm16Samples(wavData(f).slice())] : []);
}

Deno.test("`WavEncoderStream` makes WAVs of whole samples from odd-length reads", async () => {
  const written = distinctSamples(320);
  const stream = new WavEncoderStream();
  const out = await through(stream, cutAt(written.bytes, [101, 102, 333]));
  // One WAV per frame: 100 bytes (the odd one carried), 2, 230 and the rest, 308.
  assert.deepEqual(out.map((f) => f.type === "audio" && f.audio.length - 44), [100, 2, 230, 308]);
  assert.deepEqual(samplesOut(out), [...written.samples]);
  assert.equal(stream.droppedBytes, 0);
});

Deno.test("`WavEncoderStream` keeps stereo WAVs whole across cuts at any byte", () =>
  fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(fc.integer({ min: 1, max: 399 }), { maxLength: 12 }),
      fc.integer({ min: 0, max: 3 }),
      async (cuts, tail) => {
        const written = distinctSamples(200); // 100 stereo sample frames, 400 bytes
        const bytes = written.bytes.slice(0, 400 - (tail === 0 ? 0 : 4 - tail));
        const stream = new WavEncoderStream();
        const frames = cutAt(bytes, cuts.filter((c) => c < bytes.length).sort((a, b) => a - b), {
          sampleRate: 8000,
          channels: 2,
        });
        const out = await through(stream, frames);
        assert.equal(out.length, frames.length);
        const whole = bytes.length - bytes.length % 4;
        assert.deepEqual(samplesOut(out), [...written.samples.subarray(0, whole / 2)]);
        assert.equal(stream.droppedBytes, bytes.length - whole); // cut short at the end
      },
    ),
  ));

Deno.test("`WavEncoderStream` holds reads smaller than a sample frame until one is whole", async () => {
  const written = distinctSamples(4); // 2 stereo sample frames
  const stream = new WavEncoderStream();
  const out = await through(stream, cutAt(written.bytes, [1, 2, 3, 5, 6, 7], { channels: 2 }));
  assert.deepEqual(out.map((f) => f.type === "audio" && f.audio.length - 44), [
    0,
    0,
    0,
    4,
    0,
    0,
    4,
  ]);
  assert.deepEqual(samplesOut(out), [...written.samples]);
  assert.equal(stream.droppedBytes, 0);
});

Deno.test("`WavEncoderStream` drops a sample cut short by a change of format, counted", async () => {
  const written = distinctSamples(10);
  const stream = new WavEncoderStream();
  const out = await through(stream, [
    audio(written.bytes.slice(0, 5)), // 16 kHz mono: the fifth byte waits
    audio(written.bytes.slice(5, 9), { sampleRate: 8000 }), // it cannot go on at 8 kHz
  ]);
  assert.deepEqual(out.map((f) => f.type === "audio" && f.audio.length - 44), [4, 4]);
  assert.deepEqual(samplesOut(out), [
    ...written.samples.subarray(0, 2),
    ...pcm16Samples(written.bytes.slice(5, 9)),
  ]);
  assert.equal(stream.droppedBytes, 1);
});

Deno.test("`WavEncoderStream` drops a sample cut short at a new response or a barge-in", async () => {
  for (
    const between of [
      [audio(new Uint8Array(2), { responseId: "r2" })],
      [{ type: "interruption" } as Frame, audio(new Uint8Array(2))],
      [{ type: "cancel" } as Frame, audio(new Uint8Array(2))],
    ]
  ) {
    const stream = new WavEncoderStream();
    const out = await through(stream, [audio(new Uint8Array(3)), ...between]);
    const wavs = out.filter((f) => f.type === "audio");
    assert.deepEqual(wavs.map((f) => f.audio.length - 44), [2, 2]);
    assert.equal(stream.droppedBytes, 1, between[0]!.type);
  }
});

Deno.test("`WavEncoderStream` carries a cut-short sample past other frames", async () => {
  const written = distinctSamples(4);
  const stream = new WavEncoderStream();
  const [first, second] = cutAt(written.bytes, [3]);
  const out = await through(stream, [first!, { type: "mark", name: "m" }, second!]);
  assert.deepEqual(out.map((f) => f.type), ["audio", "mark", "audio"]);
  assert.deepEqual(samplesOut(out), [...written.samples]);
  assert.equal(stream.droppedBytes, 0);
});

for (const ending of ["its readable cancelled", "its writable aborted"] as const) {
  Deno.test(`\`WavEncoderStream\` counts a cut-short sample dropped with ${ending}`, async () => {
    const stream = new WavEncoderStream();
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    const read = reader.read();
    await writer.write(audio(new Uint8Array(7)));
    assert.equal((await read).value?.type, "audio");
    if (ending === "its readable cancelled") await reader.cancel("hung up");
    else await writer.abort("hung up");
    assert.equal(stream.droppedBytes, 1);
  });
}
