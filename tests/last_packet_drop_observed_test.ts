// With `fixedAudioPacketSize` and `lastPacket: "drop"`, the partial packet dropped where a bot's
// reply ends never reaches the far end: what observers were told of it with its chunks must be
// taken back, or a call recorder has audio the caller never heard, and the next reply is told at
// positions the dropped audio already held. Against a far end that plays what it receives in real
// time (tests/_fake_far_end.ts; the wire is raw PCM16 as RawPcmSerializer sends it), a bot that
// writes 20 ms at a time, as a real-time TTS does.
import assert from "node:assert/strict";
import { CallRecorder, type OutboundDroppedInfo } from "../mod.ts";
import { MarkingSerializer } from "./_fake_far_end.ts";
import { packetCall } from "./_packet_call.ts";

/** 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;

/** What an observer was told of one chunk: the bot's byte it carries, and where it sits. */
interface Told {
  value: number;
  position: number;
  durationMs: number;
}

/** Milliseconds of the bot's channel (the right one) whose samples are all bytes `value`. */
function recordedMs(wav: ArrayBuffer, value: number): number {
  const samples = new Int16Array(wav, 44);
  const sample = value * 257; // both bytes `value`, little-endian
  let count = 0;
  for (let i = 1; i < samples.length; i += 2) if (samples[i] === sample) count++;
  return count / 16;
}

async function call() {
  const { clock, pair, farEnd, transport } = packetCall({
    serializer: new MarkingSerializer(false),
    packetBytes: 500,
    lastPacket: "drop",
  });
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  transport.observe(recorder);
  const wav = new Response(recorder.readable).arrayBuffer();
  const told: Told[] = [];
  const cuts: OutboundDroppedInfo[] = [];
  let interruptions = 0;
  transport.observe({
    outboundAudio: (chunk, info) =>
      told.push({ value: chunk.audio[0]!, position: info.position, durationMs: info.durationMs }),
    outboundDropped: (info) => cuts.push(info),
    interrupted: () => interruptions++,
  });
  await clock.tick(0);
  /** The bot says `ms` of bytes `value`, 20 ms at a time as they are made, then is quiet 1 s. */
  const say = async (value: number, ms: number, responseId: string) => {
    for (let at = 0; at < ms; at += 20) {
      void transport.send({
        type: "audio",
        audio: new Uint8Array(20 * BYTES_PER_MS).fill(value),
        sampleRate: 16000,
        channels: 1,
        responseId,
      });
      await clock.tick(20);
    }
    await clock.tick(1000);
  };
  return {
    clock,
    pair,
    farEnd,
    transport,
    wav,
    told,
    cuts,
    say,
    interruptions: () => interruptions,
  };
}

Deno.test('lastPacket "drop": the partial packet dropped at a reply\'s end is taken back from observers, and the recording has what the caller heard', async () => {
  const { clock, pair, farEnd, transport, wav, told, cuts, say, interruptions } = await call();
  // 200 ms (6400 bytes): 12 packets of 500 leave, the 400 bytes left (12.5 ms) are dropped.
  await say(1, 200, "a");
  const heardA = transport.playback.heardMs;
  // 100 ms (3200 bytes): 6 packets leave, 200 bytes (6.25 ms) dropped.
  await say(2, 100, "b");
  const stats = { ...transport.stats };
  pair.client.close(1000);
  await transport.closed;
  await clock.tick(5000);
  const recorded = await wav;

  // What the caller heard.
  assert.equal(farEnd.playedMs(1), 6000 / BYTES_PER_MS);
  assert.equal(farEnd.playedMs(2), 3000 / BYTES_PER_MS);
  assert.equal(stats.audioBytesDroppedOnClose, 600, "each reply's dropped packet, counted");
  assert.equal(heardA, 6000 / BYTES_PER_MS, "heardMs: only what left");

  // What the observers were told: the first reply, less what a cut after it took back, ends
  // where the second begins (no position told twice).
  const a = told.filter((t) => t.value === 1);
  const b = told.filter((t) => t.value === 2);
  const toldEndA = Math.max(...a.map((t) => t.position + t.durationMs));
  const cutA = Math.min(toldEndA, ...cuts.map((c) => c.position));
  assert.equal(cutA, 6000 / BYTES_PER_MS, "observers: the first reply ends where it was heard to");
  assert.ok(b[0]!.position >= cutA - 1e-6, `the second reply told at ${b[0]!.position}`);
  assert.equal(interruptions(), 0, "a dropped packet is no interruption");

  // The recording: the bot as the caller heard it, none of the dropped audio.
  // Before: 200 and 100 ms, the dropped 12.5 and 6.25 ms recorded as played.
  assert.equal(recordedMs(recorded, 1), 6000 / BYTES_PER_MS);
  assert.equal(recordedMs(recorded, 2), 3000 / BYTES_PER_MS);
});

Deno.test('lastPacket "drop": a reply shorter than one packet is taken back whole, and the recording has none of it', async () => {
  const { clock, pair, farEnd, transport, wav, told, cuts, say, interruptions } = await call();
  await say(1, 200, "a"); // 12 packets leave, 400 bytes dropped
  // 10 ms (320 bytes), less than a packet: none of it leaves.
  void transport.send({
    type: "audio",
    audio: new Uint8Array(10 * BYTES_PER_MS).fill(3),
    sampleRate: 16000,
    channels: 1,
    responseId: "short",
  });
  await clock.tick(1000);
  await say(2, 100, "b"); // 6 packets leave, 200 bytes dropped
  const stats = { ...transport.stats };
  pair.client.close(1000);
  await transport.closed;
  await clock.tick(5000);
  const recorded = await wav;

  assert.equal(farEnd.playedMs(3), 0, "the caller heard none of the short reply");
  assert.equal(stats.audioBytesDroppedOnClose, 400 + 320 + 200, "all of it counted dropped");
  // Observers were told of it, then told it was dropped from its first position.
  const short = told.filter((t) => t.value === 3);
  assert.equal(short.length, 1);
  assert.ok(cuts.some((c) => c.position <= short[0]!.position + 1e-6), JSON.stringify(cuts));
  // The next reply is told from where the heard audio ended, not after the dropped one.
  const b = told.filter((t) => t.value === 2);
  assert.equal(b[0]!.position, 6000 / BYTES_PER_MS);
  assert.equal(interruptions(), 0);
  assert.equal(recordedMs(recorded, 3), 0);
  assert.equal(recordedMs(recorded, 1), 6000 / BYTES_PER_MS);
  assert.equal(recordedMs(recorded, 2), 3000 / BYTES_PER_MS);
});
