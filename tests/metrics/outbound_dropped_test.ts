// Audio the observers were told of that never left (`SessionObserver.outboundDropped`: a partial
// packet dropped at a pause with `lastPacket: "drop"`, a chunk an asynchronous serializer refused
// late, what the close cut) is not "bot audio sent": `voice.outbound.audio` and `.chunks` take it
// back, as `transport.stats.audioBytesSent` does, so that the figures agree with what the far end
// played (and the same bytes are not counted both as sent and in `dropped_on_close`).
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import { StallClock } from "../_stall_clock.ts";
import { meteredCall } from "./_metered_call.ts";

/** The far end's bytes of the bot's speech. */
const SPEECH = 1;
/** 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;

const speech = (ms: number, responseId: string): Frame => ({
  type: "audio",
  audio: new Uint8Array(ms * BYTES_PER_MS).fill(SPEECH),
  sampleRate: 16000,
  channels: 1,
  responseId,
});

Deno.test("`SessionMetrics` does not count as sent the partial packets dropped at a response's pauses", async () => {
  // 1280-byte packets (40 ms), 20 ms chunks: 180 ms is four packets and a 20 ms chunk dropped,
  // 100 ms two packets and a 20 ms chunk dropped.
  const c = meteredCall(new StallClock(), {
    fixedAudioPacketSize: 1280,
    lastPacket: "drop",
    sendAheadMs: 100,
  });
  await c.clock.tick(0);
  c.transport.send(speech(180, "r1"));
  await c.clock.tick(600);
  c.transport.send(speech(100, "r1"));
  await c.clock.tick(1000);
  assert.equal(c.farEnd.playedMs(SPEECH), 240);
  const { outbound } = c.metrics.snapshot();
  assert.equal(outbound.audioMs, 240);
  assert.equal(outbound.audioMs, c.transport.stats.audioBytesSent / BYTES_PER_MS);
  assert.equal(outbound.chunks, 12); // 14 told, the two wholly dropped taken back
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.match(c.summaries[0]!.line, / out_chunks=12 out_audio_ms=240 /);
});

Deno.test("`SessionMetrics` keeps a chunk part of which left in its count, less the part dropped", async () => {
  // 1280-byte packets (40 ms), 30 ms chunks: 100 ms is chunks at 0, 30, 60 and 90 ms; two packets
  // (80 ms) leave, and the 20 ms after them are dropped: 10 ms of the chunk at 60 and all of 90's.
  const c = meteredCall(new StallClock(), {
    fixedAudioPacketSize: 1280,
    lastPacket: "drop",
    sendAheadMs: 100,
    audioOut: { sampleRate: 16000, chunkMs: 30 },
  });
  await c.clock.tick(0);
  c.transport.send(speech(100, "r1"));
  await c.clock.tick(1000);
  assert.equal(c.farEnd.playedMs(SPEECH), 80);
  const { outbound } = c.metrics.snapshot();
  assert.equal(outbound.audioMs, 80);
  assert.equal(outbound.chunks, 3);
  c.pair.client.close(1000);
  await c.transport.closed;
});
