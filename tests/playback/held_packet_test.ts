// Audio the packetizer holds for a packet not yet whole has been written but has not left: it is
// queued (`transport.playback.queuedMs`), not sent, and none of it can have been heard. It stops
// being queued when its packet leaves, and is dropped (not heard) at an interruption or the close.
import assert from "node:assert/strict";
import { type FrameSerializer, RawPcmSerializer } from "../../mod.ts";
import type { SpeakingEvent } from "../../src/playback.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { answer } from "../_caller_fixtures.ts";

const BYTES_PER_MS = 32; // PCM16, 16 kHz mono
const PACKET_MS = 100;

/** 3,200-byte packets (100 ms); a send-ahead long enough that 160 ms written leave at once. */
function session(serializer: FrameSerializer, markIntervalMs?: number) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    sendAheadMs: 200,
    fixedAudioPacketSize: PACKET_MS * BYTES_PER_MS,
    ...(markIntervalMs === undefined ? {} : { markIntervalMs }),
  });
  const events: string[] = [];
  for (const type of ["speakingstart", "speakingstop"] as const) {
    transport.addEventListener(type, (e: SpeakingEvent) => {
      const reason = e.reason === undefined ? "" : ` ${e.reason}`;
      events.push(
        `${type} ${e.responseId} at ${clock.now()} heard ${e.heardMs} sent ${e.sentMs}${reason}`,
      );
    });
  }
  return { clock, pair, transport, events };
}

/** The playback figures the brief is about, rounded against float sums. */
function figures(transport: WebSocketTransport) {
  const { queuedMs, sentMs, heardMs } = transport.playback;
  return {
    queuedMs: Math.round(queuedMs),
    sentMs: Math.round(sentMs),
    heardMs: Math.round(heardMs),
  };
}

Deno.test("held packet: queued, not sent, until its packet leaves; then sent and heard", async () => {
  const s = session(new MarkingSerializer(false));
  await s.clock.tick(1);
  s.transport.send(answer(160, "r1")); // a 100 ms packet leaves, 60 ms wait for the next
  await s.clock.tick(0);
  assert.deepEqual(figures(s.transport), { queuedMs: 60, sentMs: 100, heardMs: 0 });
  await s.clock.tick(150); // the estimate is past what left: nothing held can have been heard
  assert.deepEqual(figures(s.transport), { queuedMs: 60, sentMs: 100, heardMs: 100 });
  await s.clock.tick(100); // the quiet time passed: the held end leaves, padded
  assert.equal(s.transport.playback.queuedMs, 0);
  assert.equal(Math.round(s.transport.playback.sentMs), 160);
  await s.clock.tick(300);
  assert.deepEqual(figures(s.transport), { queuedMs: 0, sentMs: 160, heardMs: 160 });
  assert.equal(s.events.length, 2, s.events.join("\n"));
  assert.match(s.events[1]!, /^speakingstop r1 at \d+ heard 160 sent 160 played$/);
  await s.transport.close();
});

Deno.test("held packet: an interruption drops it once, and none of it counts as heard", async () => {
  const s = session(new MarkingSerializer(false));
  await s.clock.tick(1);
  s.transport.send(answer(160, "r1"));
  await s.clock.tick(120); // by the estimate 120 ms played; only 100 left
  const result = await s.transport.interrupt();
  assert.equal(result.responseId, "r1");
  assert.equal(Math.round(result.heardMs), 100);
  assert.equal(Math.round(result.droppedMs), 60, "the held 60 ms, once");
  assert.deepEqual(figures(s.transport), { queuedMs: 0, sentMs: 100, heardMs: 100 });
  assert.equal(s.transport.stats.audioBytesInterrupted, 60 * BYTES_PER_MS);
  assert.deepEqual(s.events, [
    "speakingstart r1 at 1 heard 0 sent 100",
    "speakingstop r1 at 121 heard 100 sent 100 interrupted",
  ]);
  await s.transport.close();
});

Deno.test("held packet: raw PCM (not cleared) plays what left; the held audio is dropped, and the next reply follows what left", async () => {
  const s = session(new RawPcmSerializer());
  await s.clock.tick(1);
  s.transport.send(answer(160, "r1"));
  await s.clock.tick(50);
  const result = await s.transport.interrupt();
  assert.equal(result.responseId, "r1");
  assert.equal(Math.round(result.heardMs), 100, "what left plays on, and only that");
  assert.equal(Math.round(result.droppedMs), 60);
  assert.deepEqual(figures(s.transport), { queuedMs: 0, sentMs: 100, heardMs: 100 });
  s.transport.send(answer(100, "r2")); // one whole packet
  await s.clock.tick(200);
  // r1's 100 ms that left play until 101: r2 follows them, with no 60 ms hole for the dropped.
  assert.ok(
    s.events.includes("speakingstart r2 at 101 heard 0 sent 100"),
    s.events.join("\n"),
  );
  await s.transport.close();
});

Deno.test("held packet: the close drops it; queuedMs back to 0 and speakingstop says what left", async () => {
  const s = session(new MarkingSerializer(false));
  await s.clock.tick(1);
  s.transport.send(answer(160, "r1"));
  await s.clock.tick(30);
  await s.transport.close();
  assert.equal(s.transport.playback.queuedMs, 0);
  assert.equal(Math.round(s.transport.playback.sentMs), 100);
  assert.equal(s.events.at(-1), "speakingstop r1 at 31 heard 30 sent 100 ended");
  assert.equal(s.transport.stats.audioBytesDroppedOnClose, 60 * BYTES_PER_MS);
});

Deno.test("held packet: a mark sent while a packet is held stands for what left, not for the held audio", async () => {
  const s = session(new MarkingSerializer(), 50);
  new FakeFarEnd(s.clock, s.pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  await s.clock.tick(1);
  s.transport.send(answer(160, "r1"));
  await s.clock.tick(104); // the far end played the 100 ms it got, and answered the marks
  assert.ok(s.transport.stats.marksAcknowledged > 0);
  assert.deepEqual(figures(s.transport), { queuedMs: 60, sentMs: 100, heardMs: 100 });
  await s.transport.close();
});
