// Where the bot's track moves audio earlier (a packet's stretches joined back to back; a spell
// following a lag that shrank), the recording's end must fall back with it: the next reply is laid
// no earlier than that end (it never goes onto the audio before it). Erased only from where the
// audio was, the end stayed there wherever the audio moved was shorter than the move, and the next
// reply was recorded late by the difference, after silence the caller never heard. Each far end
// here plays what it receives in real time (tests/_fake_far_end.ts): the recording must have the
// bot where it played.
import assert from "node:assert/strict";
import { CallRecorder, RawPcmSerializer, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { botRuns } from "../_stall_call.ts";

/** `ms` of 16 kHz mono PCM16 of byte `value`. */
function audio(ms: number, value: number) {
  return { type: "audio" as const, audio: new Uint8Array(32 * ms).fill(value), sampleRate: 16000 };
}

Deno.test("`CallRecorder` records the reply after a packet's joined stretches where the far end played it", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    sendAheadMs: 200, // also the quiet time before a partial packet goes
    fixedAudioPacketSize: 6400, // 200 ms
    lastPacket: "short",
    maxQueuedMs: 60_000,
    clock,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: 32, acks: false });
  transport.receive(() => {});
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  transport.observe(recorder);
  const wav = new Response(recorder.readable).arrayBuffer();
  // A bot writing in real time: 80 ms (bytes 7), a frame at a time; 20 ms more (8) 70 ms after
  // that ended (by the estimate, the far end ran dry before it: a stretch of its own); 200 ms
  // later a reply of 240 ms (9). Each waits for its packet: the first two leave together in one at
  // the quiet time (350 ms) and play back to back, 100 ms; the reply's first 200 ms, once whole.
  const writes: [number, number][] = [[0, 7], [20, 7], [40, 7], [60, 7], [150, 8]];
  for (let n = 0; n < 12; n++) writes.push([460 + 20 * n, 9]);
  for (const [at, value] of writes) {
    await clock.tick(at - clock.now());
    transport.send({ ...audio(20, value), channels: 1 });
  }
  await clock.tick(3000);
  pair.client.close(1000);
  await transport.closed;
  const played = farEnd.played.map(({ at, ms }) => `${at}-${at + ms}`);
  assert.deepEqual(played, ["350-450", "640-840", "880-920"]);
  // The 20 ms joined 70 ms earlier; the reply was recorded from 680 ms (the ring's end had stayed
  // where the 20 ms were before the join), 40 ms late, and ran on over the silence after it.
  assert.deepEqual(botRuns(await wav), played);
  assert.equal(recorder.stats.lateMs, 0);
});

Deno.test("`CallRecorder` records the reply after a short one the first acknowledgement moved earlier where the far end played it", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    playoutDelayMs: 300, // the lag assumed until an acknowledgement says: 200 ms too much here
    maxQueuedMs: 60_000,
    clock,
  });
  // A far end 100 ms behind what it receives, acknowledging marks once played (as Twilio does).
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 100, bytesPerMs: 32 });
  transport.receive(() => {});
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  transport.observe(recorder);
  const wav = new Response(recorder.readable).arrayBuffer();
  // "OK" (60 ms, bytes 7), placed at 300 ms by the assumed lag and moved to 100 ms by the first
  // acknowledgement; then a reply of 200 ms (9) at 170 ms, which the far end plays from 270 ms.
  transport.send({ ...audio(60, 7), channels: 1 });
  await clock.tick(170);
  transport.send({ ...audio(200, 9), channels: 1 });
  await clock.tick(3000);
  pair.client.close(1000);
  await transport.closed;
  const reply = farEnd.played.filter((span) => span.value === 9);
  assert.ok(reply.every((span, i) => i === 0 || span.at === reply[i - 1]!.at + 20), "in one piece");
  assert.deepEqual([reply[0]!.at, reply.at(-1)!.at + 20], [270, 470]);
  // The reply was recorded from 300 ms, where "OK" had been before it moved: 30 ms late.
  assert.deepEqual(botRuns(await wav), ["100-160", "270-470"]);
  assert.equal(recorder.stats.lateMs, 0);
});
