// The providers' upper bounds on an outbound media message are checked at set-up, as their
// minimums are: Telnyx takes 20 ms to 30 s of audio a message (its media streaming reference),
// Exotel 3,200 to 100,000 bytes in multiples of 320 (its "Chunk size window for Bidirectional
// streaming"; the simulator's far end calls a bigger one a violation too).
import assert from "node:assert/strict";
import { type FrameSerializer, type TransportError, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";

/** The errors a session on `serializer` with this `audioOut` reports at set-up. */
async function setupErrors(serializer: FrameSerializer, sampleRate: number, chunkMs: number) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioOut: { sampleRate, chunkMs },
    clock,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  await clock.tick(0);
  await transport.close();
  await clock.runAll();
  return errors.map((e) => `${e.code}: ${e.message}`);
}

Deno.test("`TelnyxSerializer` reports a chunkMs over Telnyx's 30 s at set-up, as one under 20 ms", async () => {
  assert.deepEqual(await setupErrors(new TelnyxSerializer(), 8000, 30_000), []);
  assert.deepEqual(await setupErrors(new TelnyxSerializer(), 8000, 30_001), [
    "encode: audioOut.chunkMs 30001 makes 30001 ms messages, and Telnyx takes 20 ms to 30 s of " +
    "audio a message: use chunkMs 30000 or less (they go as they are)",
  ]);
  assert.deepEqual(await setupErrors(new TelnyxSerializer(), 8000, 19), [
    "encode: audioOut.chunkMs 19 makes 19 ms messages, and Telnyx takes 20 ms to 30 s of " +
    "audio a message: use chunkMs 20 or more (they go as they are)",
  ]);
});

Deno.test("`ExotelSerializer` reports a chunkMs making messages over Exotel's 100,000 bytes at set-up", async () => {
  // 8 kHz PCM16: 6,240 ms is 99,840 bytes (312 × 320), the largest Exotel takes; 6,260 ms is over.
  const exotel = () => new ExotelSerializer({ sampleRate: 8000 });
  assert.deepEqual(await setupErrors(exotel(), 8000, 6240), []);
  assert.deepEqual(await setupErrors(exotel(), 8000, 6260), [
    "encode: audioOut.chunkMs 6260 makes 100160-byte messages at 8000 Hz pcm16le, and Exotel " +
    "takes 3200 to 100000 bytes in multiples of 320: use chunkMs 200 (they go as they are, " +
    "and may time out)",
  ]);
  assert.deepEqual(await setupErrors(exotel(), 8000, 100), [
    "encode: audioOut.chunkMs 100 makes 1600-byte messages at 8000 Hz pcm16le, and Exotel " +
    "takes 3200 to 100000 bytes in multiples of 320: use chunkMs 200 (they go as they are, " +
    "and Exotel waits between them)",
  ]);
});
