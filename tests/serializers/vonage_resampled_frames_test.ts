// A bot whose audio is at a rate the wire's does not divide evenly (22.05 kHz speech synthesis, a
// 44.1 kHz track) on Vonage. developer.vonage.com, Voice API, "WebSockets"
// (/voice/voice-api/concepts/websockets), "Writing audio to the WebSocket": the audio sent back is
// binary messages of 16-bit linear PCM at the connection's rate, each 20 ms long: 320 bytes at
// 8 kHz, 640 at 16 kHz, 960 at 24 kHz. A second of the bot's audio must reach the far end as a
// second: 50 such messages, none of another size. Before, a sample more than the audio's share
// left whenever the first chunk ended off a whole period of the two rates (5 or 25 ms chunks at
// 22.05 kHz, 5–25 ms at 44.1 to 16 kHz): the reply ended one sample into a 51st frame, padded
// out with silence, and a second played as 1.02 s.
import assert from "node:assert/strict";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/** The far end, as the documentation describes it: every binary message's size, in order. */
function vonageFarEnd(pair: MemorySocketPair, rate: number) {
  const sizes: number[] = [];
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data !== "string") sizes.push((data as ArrayBuffer).byteLength);
  });
  pair.client.send(
    JSON.stringify({ event: "websocket:connected", "content-type": `audio/l16;rate=${rate}` }),
  );
  return sizes;
}

/** Speech-like audio at `rate`, never silent: `frames` samples of a tone around a level. */
function speech(frames: number, rate: number): Uint8Array {
  const samples = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    samples[i] = 3000 + Math.round(2000 * Math.sin((2 * Math.PI * 300 * i) / rate));
  }
  return new Uint8Array(samples.buffer);
}

for (
  const { bot, wire, chunkMs } of [
    { bot: 22050, wire: 24000, chunkMs: 20 },
    { bot: 22050, wire: 24000, chunkMs: 5 },
    { bot: 22050, wire: 24000, chunkMs: 25 },
    { bot: 22050, wire: 8000, chunkMs: 10 },
    { bot: 22050, wire: 8000, chunkMs: 30 },
    { bot: 44100, wire: 16000, chunkMs: 15 },
    { bot: 44100, wire: 8000, chunkMs: 20 },
  ]
) {
  Deno.test(`\`WebSocketTransport\` sends a second of ${bot} Hz audio in ${chunkMs} ms chunks to Vonage at ${wire} Hz as fifty 20 ms frames`, async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair();
    const transport = new WebSocketTransport(pair.server, {
      serializer: new VonageSerializer({ sampleRate: wire }),
      audioIn: { sampleRate: 16000 },
      audioOut: { sampleRate: bot, chunkMs },
      clock,
    });
    const sizes = vonageFarEnd(pair, wire);
    await clock.tick(1);
    // The bot's second, written as 20 ms frames; the transport cuts it into its own chunks.
    for (let i = 0; i < 50; i++) {
      transport.send({ type: "audio", audio: speech(bot / 50, bot), sampleRate: bot, channels: 1 });
    }
    await clock.tick(2000);
    const frameBytes = (wire / 50) * 2;
    assert.deepEqual(
      sizes.filter((size) => size !== frameBytes),
      [],
      `every message one ${frameBytes}-byte frame`,
    );
    assert.equal(sizes.length, 50, `${sizes.length} frames: ${sizes.length * 20} ms`);
    await transport.close();
    await clock.tick(10_000);
  });
}
