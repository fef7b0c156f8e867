// A chunking stream cancelled (its readable cancelled, or its writable aborted: a pipe stopped by
// its signal) with part of a chunk or packet held: that audio never goes out, and is counted as
// dropped, as the remainder an interruption drops is (WHATWG Streams, TransformStream: both
// endings call the transformer's `cancel`, never its `flush`).

import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import { AudioChunkerStream } from "../../src/streams/audio_chunker_stream.ts";
import { PacketizerStream } from "../../src/streams/packetizer_stream.ts";

const streams = {
  AudioChunkerStream: () => new AudioChunkerStream({ chunkMs: 20 }), // 640-byte chunks
  PacketizerStream: () => new PacketizerStream({ packetSize: 640 }),
};

for (const [name, make] of Object.entries(streams)) {
  for (const ending of ["its readable cancelled", "its writable aborted"] as const) {
    Deno.test(`\`${name}\` counts the remainder dropped with ${ending}`, async () => {
      const stream = make();
      const writer = stream.writable.getWriter();
      const reader = stream.readable.getReader();
      const chunk = reader.read();
      const frame: Frame = {
        type: "audio",
        audio: new Uint8Array(700),
        sampleRate: 16000,
        channels: 1,
      };
      await writer.write(frame);
      const { value } = await chunk;
      assert.equal(value?.type === "audio" && value.audio.length, 640);
      if (ending === "its readable cancelled") {
        await reader.cancel("hung up");
        await assert.rejects(writer.closed, (reason) => reason === "hung up");
      } else {
        await writer.abort("hung up");
        await assert.rejects(reader.closed, (reason) => reason === "hung up");
      }
      assert.equal(stream.droppedBytes, 60);
    });
  }
}
