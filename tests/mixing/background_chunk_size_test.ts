// A chunk of background alone is the transport's chunk, cut as its chunker cuts speech
// (`bytesForDuration`: whole frames of `audioOut.chunkMs`, rounded down, never none). Rounded to
// nearest, a `chunkMs` under half a frame (`0.02`: seconds written where ms are meant) gave empty
// chunks, which take no time on the pacing timeline: the pump filled one slot after another in the
// same turn, for ever, and the session hung at its open.
import assert from "node:assert/strict";
import { BackgroundAudio, WebSocketTransport } from "../../mod.ts";
import { bytesForDuration } from "../../src/audio/pcm.ts";
import { AudioChunker } from "../../src/streams/audio_chunker.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/** The sizes, in bytes, of the chunks the transport's chunker cuts four chunks of speech into. */
function speechChunkBytes(format: { sampleRate: number; channels: number; chunkMs: number }) {
  const sizes: number[] = [];
  const chunker = new AudioChunker({ chunkMs: format.chunkMs });
  const audio = new Uint8Array(4 * bytesForDuration(format.chunkMs, format));
  chunker.push({ type: "audio", audio, ...format }, (chunk) => sizes.push(chunk.audio.length));
  return sizes;
}

Deno.test("`BackgroundAudio.fill()` gives chunks as long as the transport's speech chunks", () => {
  for (
    const format of [
      { sampleRate: 8000, channels: 1, chunkMs: 0.02 }, // 0.16 of a frame: one frame
      { sampleRate: 24000, channels: 1, chunkMs: 0.02 }, // 0.48 of a frame: one frame
      { sampleRate: 22050, channels: 1, chunkMs: 10 }, // 220.5 frames: 220
      { sampleRate: 22050, channels: 2, chunkMs: 10 },
      { sampleRate: 8000, channels: 1, chunkMs: 20 },
    ]
  ) {
    const background = new BackgroundAudio(new Int16Array(800).fill(1000), {
      sampleRate: 8000,
      fadeMs: 0,
    });
    background.attach(format, () => {});
    const speech = speechChunkBytes(format);
    assert.ok(speech.length >= 4 && speech.every((bytes) => bytes === speech[0]));
    for (let i = 0; i < 3; i++) {
      assert.equal(background.fill()?.audio.length, speech[0], JSON.stringify(format));
    }
    background.detach();
  }
});

Deno.test("`BackgroundAudio` streamed with a read-ahead under a chunk still plays whole chunks", async () => {
  const format = { sampleRate: 8000, channels: 1, chunkMs: 0.02 };
  const stream = ReadableStream.from([new Uint8Array(8).fill(3)]);
  const background = new BackgroundAudio(stream, { sampleRate: 8000, readAheadMs: 0, fadeMs: 0 });
  let woken = 0;
  background.attach(format, () => woken++);
  assert.equal(background.fill(), undefined, "nothing read yet");
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.ok(woken > 0, "its data woke the transport");
  assert.equal(background.fill()?.audio.length, 2, "one frame: the chunk");
  background.detach();
});

Deno.test("a session with `audioOut.chunkMs` under half a frame sends its background, paced", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    audioOut: { sampleRate: 8000, chunkMs: 0.02 },
    background: new BackgroundAudio(new Int16Array(800).fill(1000), { sampleRate: 8000 }),
    clock,
  });
  let bytes = 0;
  client.addEventListener("message", (event) => {
    bytes += (event as MessageEvent).data.byteLength;
  });
  await clock.tick(10);
  // 10 ms at 8 kHz, a frame a chunk, sent `sendAheadMs` ahead at most: never an endless turn.
  assert.ok(bytes >= 160 && bytes <= 2 * 170, `${bytes} bytes of background in 10 ms`);
  client.close(1000);
  await transport.closed;
  assert.equal(clock.pendingTimers, 0);
});
