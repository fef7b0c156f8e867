// `SessionMetrics` attached in the middle of a session (README, "Metrics": "turns, chunks and
// `session_ms` count from the attach"), while the packetizer holds the start of a packet not yet
// whole (`fixedAudioPacketSize`): a chunk told after the attach adds to that packet, and where
// the session ends before it is whole, the observers are told that everything from the packet's
// start never left (`outboundDropped`), audio partly told before the attach. Only what the
// metrics counted comes off their figures: `voice.outbound.audio` went below zero.
import assert from "node:assert/strict";
import { type Frame, SessionMetrics, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

/** 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;

const speech = (ms: number): Frame => ({
  type: "audio",
  audio: new Uint8Array(ms * BYTES_PER_MS).fill(1),
  sampleRate: 16000,
  channels: 1,
  responseId: "r1",
});

Deno.test("`SessionMetrics` attached while a packet is held counts off only the audio it counted when the packet is dropped", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    fixedAudioPacketSize: 60 * BYTES_PER_MS, // 60 ms packets: three chunks make one
    lastPacket: "drop",
    playoutDelayMs: 0,
    clock,
  });
  new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  await clock.tick(0);
  transport.send(speech(20)); // held: a third of a packet
  await clock.tick(5);
  const metrics = SessionMetrics.attach(transport, { speech: false });
  transport.send(speech(20)); // two thirds: still held
  await clock.tick(5);
  assert.equal(transport.stats.audioBytesSent, 0, "nothing has left");
  assert.equal(metrics.snapshot().outbound.audioMs, 20, "told since the attach");
  const closing = transport.close();
  await clock.tick(1000);
  await closing;
  assert.equal(transport.stats.audioBytesDroppedOnClose, 40 * BYTES_PER_MS);
  const { outbound } = metrics.snapshot();
  assert.deepEqual([outbound.chunks, outbound.audioMs], [0, 0], "none of it left");
});
