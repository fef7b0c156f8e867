// A chunking stream errored by a frame it refuses (audio that is no `Uint8Array`, a format no
// reader can time, no frame at all) while it holds part of a chunk, a packet or a sample: that
// audio never goes out, and is counted as dropped, as what a cancel drops is. A transform that
// throws errors both sides at once and calls neither the transformer's `flush` nor its `cancel`
// (WHATWG Streams, TransformStreamDefaultControllerPerformTransform → TransformStreamError), so
// nothing else would count it.

import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import { AudioChunkerStream } from "../../src/streams/audio_chunker_stream.ts";
import { PacketizerStream } from "../../src/streams/packetizer_stream.ts";
import { WavEncoderStream } from "../../src/streams/wav_encoder_stream.ts";

/** 701 bytes of 16 kHz mono: a 640-byte chunk or packet out, 61 bytes held (one a half sample). */
const sound: Frame = {
  type: "audio",
  audio: new Uint8Array(701),
  sampleRate: 16000,
  channels: 1,
};

const streams = {
  // 640 bytes out, 61 held.
  AudioChunkerStream: { make: () => new AudioChunkerStream({ chunkMs: 20 }), held: 61 },
  PacketizerStream: { make: () => new PacketizerStream({ packetSize: 640 }), held: 61 },
  // A WAV of 700 bytes out, the odd byte (half a sample) held for the next frame's WAV.
  WavEncoderStream: { make: () => new WavEncoderStream(), held: 1 },
};

const refused: [string, unknown, RegExp][] = [
  [
    "audio that is an ArrayBuffer",
    { ...sound, audio: new ArrayBuffer(640) },
    /TypeError: audio frame's audio is an ArrayBuffer/,
  ],
  ["a sample rate of 0", { ...sound, sampleRate: 0 }, /RangeError: frame\.sampleRate/],
  ["null", null, /TypeError/],
];

for (const [name, { make, held }] of Object.entries(streams)) {
  for (const [what, frame, error] of refused) {
    Deno.test(`\`${name}\` counts what it holds when ${what} errors it`, async () => {
      const stream = make();
      const writer = stream.writable.getWriter();
      const reader = stream.readable.getReader();
      const first = await Promise.all([reader.read(), writer.write(sound)]);
      assert.equal(first[0].value?.type, "audio");
      assert.equal(stream.droppedBytes, 0);
      // A read waits, so the refused frame is taken in (no backpressure holds it back).
      const next = reader.read();
      await assert.rejects(writer.write(frame as Frame), (thrown) => error.test(String(thrown)));
      await assert.rejects(next, (thrown) => error.test(String(thrown)));
      assert.equal(stream.droppedBytes, held);
    });
  }
}
