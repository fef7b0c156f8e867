// Before a call's first acknowledgement the far end's delay is unknown (`playoutDelayMs` 0: the
// estimate is the pacing alone), and the README promises that `heardMs` counts no more than the
// call's first chunk until the far end answers. The session's first mark goes at what has left
// before the next chunk: with `fixedAudioPacketSize` longer than a chunk, the end of the first
// packet, and `heardMs` was bounded by that packet instead (50 ms of 1,600-byte packets, 80 ms of
// 2,560-byte ones, as Twilio-like 640-byte packets of 8 kHz μ-law are), counted heard while a far
// end 450 ms behind had played none of it.
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), 450 ms behind, answering a mark as Twilio
// does, once the audio sent before it has played
// (twilio.com/docs/voice/media-streams/websocket-messages, "Mark message").
import assert from "node:assert/strict";
import { WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { answer } from "../_caller_fixtures.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

const CHUNK_MS = 20;

for (const packetBytes of [1000, 1600, 2560]) {
  Deno.test(`heardMs counts no more than the first chunk before the first answer (${packetBytes}-byte packets)`, async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair();
    const transport = new WebSocketTransport(pair.server, {
      serializer: new MarkingSerializer(),
      clock,
      audioOut: { sampleRate: 16000, chunkMs: CHUNK_MS },
      fixedAudioPacketSize: packetBytes,
    });
    transport.receive(() => {});
    const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 450, bytesPerMs: 32 });
    await clock.tick(1);
    // A reply written in real time; `heardMs` read every 5 ms until the first answer is read.
    const reads: { heard: number; played: number }[] = [];
    for (let n = 0; n < 40 && transport.stats.marksAcknowledged === 0; n++) {
      transport.send(answer(CHUNK_MS, "r1"));
      for (let t = 0; t < 4 && transport.stats.marksAcknowledged === 0; t++) {
        await clock.tick(5);
        reads.push({ heard: transport.playback.heardMs, played: farEnd.playedMs(1) });
      }
    }
    assert.equal(transport.stats.marksAcknowledged, 1, "the first mark was answered");
    // While the far end had played nothing (its first 450 ms), before: up to the first packet
    // (31.25, 50, 80 ms).
    const silent = reads.filter((r) => r.played === 0);
    assert.ok(silent.length >= 90, `${silent.length} reads before the far end played`);
    const most = Math.max(...silent.map((r) => r.heard));
    assert.equal(most, CHUNK_MS, `heardMs reached ${most} with nothing played`);
    // Then, up to the answer, never more than the first chunk ahead of it.
    for (const r of reads) assert.ok(r.heard <= r.played + CHUNK_MS, `${r.heard} of ${r.played}`);
    // The answer teaches the delay: from then on, heardMs is what the far end played.
    await clock.tick(200);
    assert.equal(transport.playback.heardMs, farEnd.playedMs(1));
    await transport.close();
  });
}
