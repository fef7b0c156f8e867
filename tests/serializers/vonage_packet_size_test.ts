// The transport's `fixedAudioPacketSize` cuts VonageSerializer's 20 ms frames into packets of its
// own size, and each packet is a binary message. Vonage's "WebSockets" guide (developer.vonage.com,
// voice-api/concepts/websockets): "Binary audio messages": 16-bit linear PCM at the
// `content-type`'s 8 or 16 kHz, "a 20ms frame size", "If you choose the 8kHz rate each message
// will be 320 bytes. Choosing the 16kHz rate will result in each message being 640 bytes";
// "Writing audio to the WebSocket": "It is important that each message is 320 or 640 bytes
// (depending on sample rate) and contains 20ms of audio." What Vonage does with another size is
// in its own log, quoted from Vonage API Support in vocodedev/vocode-core#727: "unexpected frame
// size 160, when required 320", "Unexpected error, stop listening", the socket dropped. A packet
// size that is not one frame at the call's rate loses the call at the bot's first packet: the
// user must be told (an "encode" error, as Exotel and Genesys report a message size their far end
// cannot take), once the rate is known, and the session goes on.
import assert from "node:assert/strict";
import type { TransportError, TransportOptions } from "../../mod.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { VonageSerializer, type VonageSerializerOptions } from "../../src/serializers/vonage.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/** The first message, as the guide's "First message" gives it ("event", then "content-type"). */
function connected(rate: number): string {
  return JSON.stringify({ event: "websocket:connected", "content-type": `audio/l16;rate=${rate}` });
}

/**
 * A Vonage far end per the guide: it learns its rate from the NCCO (`callRate`, what its
 * `websocket:connected` says), and each binary message it is sent must be one 20 ms frame at that
 * rate; the sizes of those that are not are kept, as Vonage's log names them.
 */
function vonageCall(
  callRate: number,
  serializer: VonageSerializerOptions,
  options: TransportOptions,
) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new VonageSerializer(serializer),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    markIntervalMs: 0,
    clock,
    ...options,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  transport.receive(() => {});
  const frameBytes = (callRate / 50) * 2;
  const refused: number[] = [];
  let played = 0;
  pair.client.binaryType = "arraybuffer";
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data === "string") return;
    const bytes = (data as ArrayBuffer).byteLength;
    if (bytes === frameBytes) played++;
    else refused.push(bytes);
  });
  return { clock, pair, transport, errors, refused, played: () => played };
}

/** `ms` of a quiet tone at 16 kHz, the bot's reply. */
function reply(ms: number) {
  const samples = new Int16Array(ms * 16).map((_, i) => (i % 16 < 8 ? 1000 : -1000));
  return {
    type: "audio" as const,
    audio: new Uint8Array(samples.buffer),
    sampleRate: 16000,
    channels: 1,
  };
}

function packetErrors(errors: TransportError[]): TransportError[] {
  return errors.filter((e) => /fixedAudioPacketSize/.test(e.message));
}

Deno.test("Vonage at 16 kHz with fixedAudioPacketSize 320 (the 8 kHz frame): told at websocket:connected, before the bot speaks, and the session goes on", async () => {
  const call = vonageCall(16000, {}, { fixedAudioPacketSize: 320 });
  await call.clock.tick(0);
  assert.equal(call.errors.length, 0, "16 kHz is only a guess before websocket:connected");
  call.pair.client.send(connected(16000));
  await call.clock.tick(0);
  const told = packetErrors(call.errors);
  assert.equal(told.length, 1, call.errors.map((e) => e.message).join(" | "));
  assert.equal(told[0]!.code, "encode");
  assert.equal(told[0]!.fatal, false);
  assert.match(told[0]!.message, /fixedAudioPacketSize 320 .*\(640 bytes at 16000 Hz\)/);
  assert.match(told[0]!.message, /set fixedAudioPacketSize to 640, or leave it unset/);
  // Reported once: the bot's reply (which Vonage refuses, packet by packet) reports nothing more.
  void call.transport.send(reply(200));
  for (let i = 0; i < 30; i++) await call.clock.tick(10);
  assert.ok(call.refused.length > 0 && call.refused.every((bytes) => bytes === 320));
  assert.equal(packetErrors(call.errors).length, 1);
  assert.equal(call.transport.stats.audioBytesSent, 6400, "the session went on");
  call.pair.client.close(1000);
  await call.transport.closed;
});

for (const [rate, packet] of [[8000, 320], [16000, 640]] as const) {
  Deno.test(`Vonage at ${rate} Hz with fixedAudioPacketSize ${packet}, one frame: nothing to tell, every message played`, async () => {
    const call = vonageCall(rate, {}, { fixedAudioPacketSize: packet, lastPacket: "short" });
    await call.clock.tick(0);
    call.pair.client.send(connected(rate));
    await call.clock.tick(0);
    void call.transport.send(reply(210)); // a last frame partial, padded by the serializer
    for (let i = 0; i < 40; i++) await call.clock.tick(10);
    assert.deepEqual(call.errors, []);
    assert.deepEqual(call.refused, []);
    assert.equal(call.played(), 11);
    call.pair.client.close(1000);
    await call.transport.closed;
  });
}

Deno.test("Vonage with sampleRate 16000 and fixedAudioPacketSize 1280: told at the set-up (audio may leave before websocket:connected), once", async () => {
  const call = vonageCall(16000, { sampleRate: 16000 }, { fixedAudioPacketSize: 1280 });
  await call.clock.tick(0);
  const told = packetErrors(call.errors);
  assert.equal(told.length, 1, call.errors.map((e) => e.message).join(" | "));
  assert.match(told[0]!.message, /fixedAudioPacketSize 1280 .*\(640 bytes at 16000 Hz\)/);
  call.pair.client.send(connected(16000));
  await call.clock.tick(0);
  assert.equal(packetErrors(call.errors).length, 1, "the same rate: not told again");
  call.pair.client.close(1000);
  await call.transport.closed;
});

Deno.test("Vonage with sampleRate 16000 and fixedAudioPacketSize 640, whose websocket:connected says 8 kHz: told then", async () => {
  const call = vonageCall(8000, { sampleRate: 16000 }, { fixedAudioPacketSize: 640 });
  await call.clock.tick(0);
  assert.equal(call.errors.length, 0, "640 is the frame at the rate given");
  call.pair.client.send(connected(8000));
  await call.clock.tick(0);
  const told = packetErrors(call.errors);
  assert.equal(told.length, 1, call.errors.map((e) => e.message).join(" | "));
  assert.match(told[0]!.message, /fixedAudioPacketSize 640 .*\(320 bytes at 8000 Hz\)/);
  call.pair.client.close(1000);
  await call.transport.closed;
});
