// What `AudioChunker.droppedBytes` counts, as its documentation says: the bytes of a sample frame
// cut short that a new response or format made impossible to complete; not what `clear()` drops,
// whose count it returns for the caller to keep (as `AudioChunkerStream` does, counting each once).

import assert from "node:assert/strict";
import type { AudioFrame } from "../../src/frames.ts";
import { AudioChunker } from "../../src/streams/audio_chunker.ts";

function audio(bytes: number, extra: Partial<AudioFrame> = {}): AudioFrame {
  return { type: "audio", audio: new Uint8Array(bytes), sampleRate: 16000, channels: 1, ...extra };
}

const ignore = (): void => {};

Deno.test("`AudioChunker.droppedBytes` counts a sample cut short by a new response, not what `clear` returns", () => {
  const chunker = new AudioChunker({ chunkMs: 20 });
  chunker.push(audio(13, { responseId: "r1" }), ignore);
  chunker.flush(ignore); // 12 bytes out, the odd one held for its sample's rest
  chunker.push(audio(6, { responseId: "r2" }), ignore); // r1's rest can never come
  assert.equal(chunker.droppedBytes, 1);
  assert.equal(chunker.clear(), 6, "clear returns what it drops");
  assert.equal(chunker.droppedBytes, 1, "and leaves its count to the caller");
});
