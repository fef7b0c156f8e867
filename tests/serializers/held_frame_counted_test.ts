/**
 * The partial frame a whole-frames serializer (Vonage, Asterisk) holds for the next audio is
 * dropped by an interruption or a cancel: counted then, in the bot's PCM16 bytes, and moved out
 * of what was counted sent, so that every byte written is counted once: sent (it reached the
 * wire) or dropped.
 */
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { binaryBytesOnWire } from "./fixtures/whole_frame_calls.ts";

interface Call {
  /** The serializer under test. */
  serializer: FrameSerializer;
  /** The bot's rate. */
  rate: number;
  /** What the far end says first. */
  hello: string;
  /** Wire bytes per PCM16 byte of the bot's audio (μ-law: half; a lower wire rate: less). */
  wirePerPcm: number;
}

const calls: Record<string, () => Call> = {
  // Vonage's WebSocket guide: `websocket:connected` names the connection's content type.
  "Vonage at 16 kHz": () => ({
    serializer: new VonageSerializer({ sampleRate: 16000 }),
    rate: 16000,
    hello: JSON.stringify({ event: "websocket:connected", "content-type": "audio/l16;rate=16000" }),
    wirePerPcm: 1,
  }),
  // Vonage at 8 kHz with the bot at 16: the held frame is counted at the bot's rate.
  "Vonage at 8 kHz, the bot at 16 kHz": () => ({
    serializer: new VonageSerializer({ sampleRate: 8000 }),
    rate: 16000,
    hello: JSON.stringify({ event: "websocket:connected", "content-type": "audio/l16;rate=8000" }),
    wirePerPcm: 0.5,
  }),
  // docs.asterisk.org, WebSocket channel driver: MEDIA_START names the format and frame size.
  "Asterisk in μ-law": () => ({
    serializer: new AsteriskSerializer({ marks: "mark-media", hangUp: false }),
    rate: 8000,
    hello:
      "MEDIA_START connection_id:c channel:WebSocket/c/0x1 channel_id:1.1 format:ulaw optimal_frame_size:160 ptime:20",
    wirePerPcm: 0.5,
  }),
  "Asterisk in slin16, the bot at 24 kHz": () => ({
    serializer: new AsteriskSerializer({ marks: "mark-media", hangUp: false }),
    rate: 24000,
    hello:
      "MEDIA_START connection_id:c channel:WebSocket/c/0x1 channel_id:1.1 format:slin16 optimal_frame_size:640 ptime:20",
    wirePerPcm: 2 / 3,
  }),
};

/** A call that has sent 30 ms of the bot's audio: 20 ms on the wire, 10 ms held. */
async function thirtyMsSent(call: Call) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: call.serializer,
    audioOut: { sampleRate: call.rate, chunkMs: 30 },
    markIntervalMs: 0,
    clock,
  });
  const wireBytes = binaryBytesOnWire(pair);
  pair.client.send(call.hello);
  await clock.tick(0);
  transport.send({
    type: "audio",
    audio: new Uint8Array((call.rate / 1000) * 30 * 2),
    sampleRate: call.rate,
    channels: 1,
  });
  await clock.tick(10);
  return { transport, pair, clock, onWire: () => wireBytes() / call.wirePerPcm };
}

for (const [name, make] of Object.entries(calls)) {
  Deno.test(`${name}: the partial frame an interruption drops is counted in audioBytesInterrupted`, async () => {
    const call = make();
    const { transport, pair, onWire } = await thirtyMsSent(call);
    const sent = transport.stats.audioBytesSent;
    assert.equal(sent, (call.rate / 1000) * 30 * 2, "the chunk left");
    assert.equal(onWire(), (sent * 2) / 3, "20 ms of it reached the wire, 10 ms is held");
    await transport.interrupt();
    const { audioBytesSent, audioBytesInterrupted, audioBytesDroppedOnClose } = transport.stats;
    assert.equal(sent - onWire(), audioBytesInterrupted, "what did not reach the wire is counted");
    assert.equal(audioBytesSent, onWire(), "and is no longer counted sent");
    assert.equal(audioBytesSent + audioBytesInterrupted + audioBytesDroppedOnClose, sent);
    pair.client.close(1000);
    await transport.closed;
  });

  Deno.test(`${name}: the partial frame a cancel drops is counted in audioBytesDroppedOnClose`, async () => {
    const call = make();
    const { transport, onWire, clock } = await thirtyMsSent(call);
    const sent = transport.stats.audioBytesSent;
    const done = transport.send({ type: "cancel" });
    await clock.tick(0);
    await done;
    await transport.closed;
    const { audioBytesSent, audioBytesInterrupted, audioBytesDroppedOnClose } = transport.stats;
    assert.equal(audioBytesInterrupted, 0);
    assert.equal(sent - onWire(), audioBytesDroppedOnClose);
    assert.equal(audioBytesSent, onWire(), "what was dropped is no longer counted sent");
    assert.equal(audioBytesSent + audioBytesDroppedOnClose, sent);
  });
}

Deno.test("Asterisk: the partial frame a MEDIA_START in another format drops is not counted both sent and refused", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const t = new WebSocketTransport(pair.server, {
    serializer: new AsteriskSerializer({ marks: "mark-media", hangUp: false }),
    audioOut: { sampleRate: 8000, chunkMs: 30 },
    markIntervalMs: 0,
    clock,
  });
  await clock.tick(0);
  // 30 ms: 20 ms leave as a frame of the default format, 10 ms are held for the next.
  t.send({ type: "audio", audio: new Uint8Array(480), sampleRate: 8000, channels: 1 });
  await clock.tick(10);
  pair.client.send(
    "MEDIA_START connection_id:c channel:WebSocket/c/0x1 channel_id:1.1 format:slin16 " +
      "optimal_frame_size:640 ptime:20",
  );
  await clock.tick(10);
  const s = t.stats;
  const accounted = s.audioBytesSent + s.audioBytesRefused + s.audioBytesInterrupted +
    s.audioBytesDroppedOnClose;
  assert.equal(accounted, 480, JSON.stringify(s));
  pair.client.close(1000);
  await clock.tick(1000);
  await t.closed;
});

Deno.test("Vonage at 16 kHz, the bot at 24 kHz: a tiny interrupted reply never makes audioBytesSent negative", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const t = new WebSocketTransport(pair.server, {
    serializer: new VonageSerializer({ sampleRate: 16000 }),
    audioOut: { sampleRate: 24000, chunkMs: 20 },
    markIntervalMs: 0,
    clock,
  });
  pair.client.send(
    JSON.stringify({ event: "websocket:connected", "content-type": "audio/l16;rate=16000" }),
  );
  await clock.tick(0);
  t.send({ type: "audio", audio: new Uint8Array(44), sampleRate: 24000, channels: 1 });
  await clock.tick(500);
  await t.interrupt();
  const s = t.stats;
  assert.ok(s.audioBytesSent >= 0, `${s.audioBytesSent}`);
  // Held at 16 kHz and counted back at 24 kHz: one sample of rounding either way.
  assert.ok(Math.abs(s.audioBytesSent + s.audioBytesInterrupted - 44) <= 2, JSON.stringify(s));
  pair.client.close(1000);
  await clock.tick(1000);
  await t.closed;
});
