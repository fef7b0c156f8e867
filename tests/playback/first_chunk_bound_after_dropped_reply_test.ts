// Until the far end answers a call's first mark, `heardMs` counts no more than the call's first
// chunk of speech (README, "Playback": the far end's delay is not known yet). With
// `lastPacket: "drop"`, a first reply shorter than a packet never leaves (README,
// `fixedAudioPacketSize` / `lastPacket`: "a reply shorter than one packet is dropped whole"), so
// its chunk is no chunk of the call's: the bound is the first chunk that does leave. The bound
// stayed at the dropped reply's 10 ms, and the next reply's `heardMs` stood there, short by
// the rest of its first chunk, until the first answer.
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), playing what arrives after a 200 ms buffer
// and answering a mark as Twilio does, once the media sent before it has played
// (twilio.com/docs/voice/media-streams/websocket-messages, "Mark message").
import assert from "node:assert/strict";
import { WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

const BYTES_PER_MS = 32; // 16 kHz mono PCM16

Deno.test("the first-answer bound is the first chunk that leaves, not a wholly dropped reply's", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    fixedAudioPacketSize: 40 * BYTES_PER_MS,
    lastPacket: "drop",
  });
  transport.receive(() => {}); // the marks' answers are read
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 200, bytesPerMs: BYTES_PER_MS });
  await clock.tick(1);
  const write = (ms: number, responseId: string) =>
    transport.send({
      type: "audio",
      audio: new Uint8Array(ms * BYTES_PER_MS).fill(1),
      sampleRate: 16000,
      channels: 1,
      responseId,
    });
  write(10, "r1"); // shorter than a packet: dropped whole
  await clock.tick(1000);
  assert.equal(transport.stats.audioBytesSent, 0, "none of r1 left");
  write(200, "r2");
  let heardBeforeAnswer = 0;
  for (;;) {
    await clock.tick(1);
    if (transport.stats.marksAcknowledged > 0) break;
    const { responseId, heardMs } = transport.playback;
    if (responseId === "r2") heardBeforeAnswer = Math.max(heardBeforeAnswer, heardMs);
  }
  // Before: 10, the dropped reply's chunk.
  assert.equal(heardBeforeAnswer, 20, "r2's first chunk");
  assert.ok(farEnd.played.length > 0);
  await transport.close();
});
