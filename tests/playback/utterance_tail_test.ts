// A reply whose length is not whole chunks leaves less than a chunk held back at its end. Written
// ahead of real time (TTS), that end must leave in time to follow the rest without a gap, and the
// reply must be one spell: one speakingstart, one speakingstop once all of it has played.
import assert from "node:assert/strict";
import { BackgroundAudio } from "../../src/mixing/background_audio.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import type { SpeakingEvent } from "../../src/playback.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const RATE = 24000;
const bytesOf = (ms: number) => (RATE / 1000) * ms * 2;

/** `ms` of the bot's speech, for response r1. */
function speech(ms: number) {
  const audio = new Uint8Array(bytesOf(ms)).fill(1);
  return { type: "audio" as const, audio, sampleRate: RATE, channels: 1, responseId: "r1" };
}

function session(chunkMs: number | undefined, background?: BackgroundAudio) {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    clock,
    audioOut: { sampleRate: RATE, ...(chunkMs === undefined ? {} : { chunkMs }) },
    ...(background === undefined ? {} : { background }),
  });
  const arrivals: { at: number; ms: number }[] = [];
  client.addEventListener("message", (e) => {
    const bytes = ((e as MessageEvent).data as ArrayBuffer).byteLength;
    arrivals.push({ at: clock.now(), ms: bytes / bytesOf(1) });
  });
  const events: string[] = [];
  for (const type of ["speakingstart", "speakingstop"] as const) {
    transport.addEventListener(type, (e: SpeakingEvent) => {
      events.push(`${type} at ${clock.now()} heard ${e.heardMs} sent ${e.sentMs}`);
    });
  }
  return { clock, client, transport, arrivals, events };
}

Deno.test("a TTS reply of 500 ms in 100 ms pieces (40 ms chunks) is one spell, its 20 ms end on time", async () => {
  const s = session(undefined); // chunkMs 40 by default, sendAheadMs the same
  for (let piece = 0; piece < 5; piece++) {
    void s.transport.send(speech(100)); // all at once, as fast as a TTS service answers
  }
  await s.clock.tick(1000);
  // Twelve chunks of 40 ms, then the 20 ms end: it leaves before the 480 ms sent have played
  // (the last full chunk left at 440 and plays until 480), not after them.
  assert.deepEqual(s.arrivals.map((a) => a.ms), [...Array(12).fill(40), 20]);
  const end = s.arrivals[12]!;
  assert.ok(end.at < 480, `the end left at ${end.at} ms, after the reply before it ran out at 480`);
  // One spell: it stops once all 500 ms have played and the queue has stayed dry for the quiet
  // time (80 ms: two chunks) since the end left.
  assert.deepEqual(s.events, [
    "speakingstart at 0 heard 0 sent 40",
    `speakingstop at ${end.at + 80} heard 500 sent 500`,
  ]);
  assert.ok(end.at + 80 >= 500);
  s.client.close(1000);
  await s.clock.runAll();
});

Deno.test("a real-time source's frames of 30 ms (40 ms chunks) still go as whole chunks", async () => {
  const s = session(40);
  for (let frame = 0; frame < 8; frame++) {
    s.transport.send(speech(30));
    await s.clock.tick(30);
  }
  await s.clock.tick(1000);
  // 240 ms: six whole chunks; its end is only known once no frame has come for a while.
  assert.deepEqual(s.arrivals.map((a) => a.ms), [40, 40, 40, 40, 40, 40]);
  assert.equal(s.events.filter((e) => e.startsWith("speakingstop")).length, 1, s.events.join("\n"));
  s.client.close(1000);
  await s.clock.runAll();
});

Deno.test("under background audio, a reply's end that is not a whole chunk leaves, and the spell ends", async () => {
  // The background runs the queue dry at every slot: the tail must not be put off at each.
  const hum = new Int16Array(RATE).fill(100);
  const s = session(undefined, new BackgroundAudio(hum, { sampleRate: RATE, channels: 1 }));
  await s.clock.tick(100);
  void s.transport.send(speech(500));
  await s.clock.tick(3000);
  const sizes = s.arrivals.map((a) => a.ms);
  assert.ok(sizes.includes(20), `no 20 ms end among ${sizes.length} messages`);
  assert.equal(s.events.filter((e) => e.startsWith("speakingstop")).length, 1, s.events.join("\n"));
  s.client.close(1000);
  await s.clock.runAll();
});
