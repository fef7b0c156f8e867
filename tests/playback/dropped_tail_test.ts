// With `lastPacket: "drop"` the partial packet at the end of an utterance never leaves: the
// response's figures (`playback.sentMs`/`heardMs`, speakingstop's) count only what left, and the
// next reply is paced right after that, with no hole where the dropped audio would have played.
import assert from "node:assert/strict";
import { type FrameSerializer, RawPcmSerializer } from "../../mod.ts";
import type { SpeakingEvent } from "../../src/playback.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { MarkingSerializer } from "../_fake_far_end.ts";
import { answer } from "../_caller_fixtures.ts";

const BYTES_PER_MS = 32; // PCM16, 16 kHz mono
const PACKET_MS = 100;

/** 3,200-byte packets (100 ms), the partial last one dropped. */
function session(serializer: FrameSerializer, sendAheadMs = 200) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    sendAheadMs,
    fixedAudioPacketSize: PACKET_MS * BYTES_PER_MS,
    lastPacket: "drop",
  });
  const events: string[] = [];
  for (const type of ["speakingstart", "speakingstop"] as const) {
    transport.addEventListener(type, (e: SpeakingEvent) => {
      const reason = e.reason === undefined ? "" : ` ${e.reason}`;
      events.push(
        `${type} ${e.responseId} at ${clock.now()} heard ${Math.round(e.heardMs)} sent ${
          Math.round(e.sentMs)
        }${reason}`,
      );
    });
  }
  return { clock, pair, transport, events };
}

for (
  const [name, make] of [
    ["raw PCM", () => new RawPcmSerializer()],
    ["marking serializer", () => new MarkingSerializer(false)],
  ] as const
) {
  Deno.test(`dropped tail (${name}): sentMs and heardMs count what left`, async () => {
    const s = session(make());
    await s.clock.tick(1);
    s.transport.send(answer(160, "r1")); // a 100 ms packet leaves; the 60 ms after it is dropped
    await s.clock.tick(1000);
    const { sentMs, heardMs, queuedMs } = s.transport.playback;
    assert.equal(Math.round(queuedMs), 0);
    assert.equal(Math.round(sentMs), 100, "the dropped 60 ms never left");
    assert.ok(heardMs <= 100 + 1e-6, `heardMs ${heardMs}`);
    assert.equal(s.transport.stats.audioBytesDroppedOnClose, 60 * BYTES_PER_MS);
    const stop = s.events.find((e) => e.startsWith("speakingstop r1"));
    assert.match(stop ?? "", /heard 100 sent 100 played$/, s.events.join("\n"));

    await s.transport.close();
  });

  Deno.test(`dropped tail (${name}): the next reply follows what left, with no hole for the dropped audio`, async () => {
    // A send-ahead (and so a quiet time) of 100 ms: the tail is dropped before the 160 ms
    // written would have played out at 161, had all of it left.
    const s = session(make(), 100);
    await s.clock.tick(1);
    s.transport.send(answer(160, "r1")); // 100 ms leave, playing 1..101; 60 ms are dropped
    await s.clock.tick(149);
    assert.equal(s.transport.stats.audioBytesDroppedOnClose, 60 * BYTES_PER_MS, "dropped by now");
    assert.equal(Math.round(s.transport.playback.sentMs), 100);
    s.transport.send(answer(100, "r2")); // one whole packet: plays at once, not at 161
    await s.clock.tick(500);
    assert.ok(s.events.includes("speakingstart r2 at 150 heard 0 sent 100"), s.events.join("\n"));
    assert.equal(Math.round(s.transport.playback.sentMs), 100);
    assert.equal(Math.round(s.transport.playback.heardMs), 100);
    await s.transport.close();
  });
}
