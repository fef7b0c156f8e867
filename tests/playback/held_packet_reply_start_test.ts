// With `fixedAudioPacketSize` larger than a chunk, a reply's first chunk waits in the packetizer
// for the next to complete its packet: from a source writing in real time, a chunk later. The far
// end can play none of it before that packet arrives. What is told of the reply (its
// speakingstart's `heardMs`, an interruption's `heardMs`, where the observers place its audio)
// follows the audio as its packets leave, against a far end that plays what it receives as it
// arrives (no jitter buffer).
import assert from "node:assert/strict";
import type { SpeakingEvent } from "../../src/playback.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { answer } from "../_caller_fixtures.ts";
import { toldPlaces } from "../_stall_call.ts";

const BYTES_PER_MS = 32; // PCM16, 16 kHz mono

/** 1000-byte packets (31.25 ms) of 20 ms chunks; the far end's marks left out (the estimate). */
function session() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(false),
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    fixedAudioPacketSize: 1000,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  const events: string[] = [];
  transport.addEventListener("speakingstart", (e: SpeakingEvent) => {
    events.push(`speakingstart ${e.responseId} at ${clock.now()} heard ${e.heardMs}`);
  });
  const { told, observer } = toldPlaces();
  transport.observe(observer);
  /** `chunks` chunks of r1 written in real time, one every 20 ms from now. */
  const speak = async (chunks: number) => {
    for (let n = 0; n < chunks; n++) {
      transport.send(answer(20, "r1"));
      await clock.tick(20);
    }
  };
  return { clock, transport, farEnd, events, told, speak };
}

Deno.test("held packet at a reply's start: speakingstart comes as its packet leaves, none of it heard yet", async () => {
  const s = session();
  await s.clock.tick(1);
  await s.speak(2); // the first packet leaves with the second chunk, at 21
  assert.equal(s.farEnd.played[0]?.at, 21, "the far end begins to play at 21");
  assert.deepEqual(s.events, ["speakingstart r1 at 21 heard 0"]);
  await s.transport.close();
});

Deno.test("held packet at a reply's start: a second chunk a little late (a new spell by the estimate) finds none of it heard", async () => {
  const s = session();
  await s.clock.tick(1);
  s.transport.send(answer(20, "r1"));
  await s.clock.tick(21); // the source's jitter: the first chunk has played by the estimate
  s.transport.send(answer(20, "r1")); // its packet leaves now, the first chunk's audio first
  await s.clock.tick(0);
  assert.equal(s.farEnd.played[0]?.at, 22);
  assert.deepEqual(s.events, ["speakingstart r1 at 22 heard 0"]);
  await s.clock.tick(10);
  const result = await s.transport.interrupt();
  assert.equal(result.heardMs, s.farEnd.playedMs(1));
  await s.transport.close();
});

Deno.test("held packet at a reply's start: an interruption's heardMs is what the far end played", async () => {
  const s = session();
  await s.clock.tick(1);
  await s.speak(5); // packets leave at 21, 61 (the far end ran dry at 52.25) and 81
  assert.equal(s.clock.now(), 101);
  const played = s.farEnd.playedMs(1);
  assert.equal(played, 71.25);
  const result = await s.transport.interrupt();
  assert.equal(result.heardMs, played);
  await s.transport.close();
});

Deno.test("held packet at a reply's start: the observers place each chunk where the far end plays it", async () => {
  const s = session();
  await s.clock.tick(1);
  await s.speak(5);
  // The far end plays the reply's first 31.25 ms from 21, the next from 61 on, without a break.
  const playsAt = (position: number) => position < 31.25 ? 21 + position : 61 + position - 31.25;
  assert.deepEqual(
    s.told.map((info) => info.playsAt),
    s.told.map((info) => playsAt(info.position)),
  );
  await s.transport.close();
});

Deno.test("held packet at a reply's end: the partial packet sent at the quiet time plays from then", async () => {
  const s = session();
  await s.clock.tick(1);
  await s.speak(3); // one packet left at 21; 28.75 ms wait for the next
  await s.clock.tick(30); // the quiet time passed at 81: the rest left then, padded
  assert.deepEqual(s.farEnd.arrivals.map((a) => a.at), [21, 81]);
  assert.equal(s.transport.playback.heardMs, s.farEnd.playedMs(1));
  await s.transport.close();
});
