// `stats.audioChunksSent` counts a chunk once audio of it has left: a chunk the packetizer holds
// whole (`fixedAudioPacketSize`, its packet not yet whole) has not, and one dropped whole with the
// partial packet (`lastPacket: "drop"`, an interruption, the close) never does. So
// `voice.outbound.chunks` (`SessionMetrics`), which takes back the chunks told that were dropped
// whole, agrees with it.
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { meteredCall } from "./_metered_call.ts";

/** 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;

const speech = (ms: number): Frame => ({
  type: "audio",
  audio: new Uint8Array(ms * BYTES_PER_MS).fill(1),
  sampleRate: 16000,
  channels: 1,
  responseId: "r1",
});

Deno.test("`stats.audioChunksSent` does not count a chunk the packetizer holds whole", async () => {
  // 1280-byte packets (40 ms), 20 ms chunks: the first chunk waits for the second.
  const c = meteredCall(new FakeClock(), { fixedAudioPacketSize: 1280, lastPacket: "drop" });
  await c.clock.tick(0);
  c.transport.send(speech(20));
  await c.clock.tick(5);
  assert.equal(c.transport.stats.audioChunksSent, 0, "none of it has left");
  c.transport.send(speech(40));
  await c.clock.tick(1000);
  // The first two left in one packet, the third was dropped whole at the reply's end.
  assert.equal(c.transport.stats.audioBytesSent, 40 * BYTES_PER_MS);
  assert.equal(c.transport.stats.audioChunksSent, 2);
  assert.equal(c.metrics.snapshot().outbound.chunks, 2);
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("`stats.audioChunksSent` counts a chunk held whole once its padded packet leaves", async () => {
  const c = meteredCall(new FakeClock(), { fixedAudioPacketSize: 1280, lastPacket: "pad" });
  await c.clock.tick(0);
  c.transport.send(speech(20));
  await c.clock.tick(1000);
  assert.equal(c.transport.stats.audioChunksSent, 1);
  assert.equal(c.metrics.snapshot().outbound.chunks, 1);
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("`stats.audioChunksSent` does not count a chunk an interruption drops whole with its packet", async () => {
  const c = meteredCall(new FakeClock(), { fixedAudioPacketSize: 1280, lastPacket: "pad" });
  await c.clock.tick(0);
  c.transport.send(speech(60));
  await c.clock.tick(45); // two chunks left in a packet; the third waits for the next
  await c.transport.interrupt();
  await c.clock.tick(1000);
  assert.equal(c.transport.stats.audioChunksSent, 2);
  assert.equal(c.metrics.snapshot().outbound.chunks, 2);
  c.pair.client.close(1000);
  await c.transport.closed;
});
