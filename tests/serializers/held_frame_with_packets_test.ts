/**
 * The partial frame a whole-frames serializer (Vonage, Asterisk) holds for the next audio made no
 * wire bytes: with `fixedAudioPacketSize` it must not also wait among the packetizer's bytes,
 * or an interruption or a cancel counts it twice (once as the packetizer's, once as the
 * serializer drops it). Every byte the bot writes is counted once: sent, interrupted, dropped at
 * the close, stale or refused; with and without packets, on every way a session goes.
 * The first two cases are the surface fuzzer's (tests/fuzz/surface_operations.ts, kind asterisk),
 * minimised.
 */
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import type { TransportStats } from "../../src/transport_stats.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { binaryBytesOnWire } from "./fixtures/whole_frame_calls.ts";
import { mediaStart } from "./fixtures/asterisk_channel_playout.ts";

/**
 * docs.asterisk.org, Configuration → Channel Drivers → WebSocket: `MEDIA_START` names the
 * channel's format and its `optimal_frame_size` (here 20 ms of μ-law at 8 kHz, 160 bytes).
 */
const MEDIA_START = mediaStart();
/**
 * developer.vonage.com, Voice API, WebSockets: `websocket:connected` names the content type;
 * the audio goes in 20 ms messages (640 bytes of 16-bit linear PCM at 16 kHz).
 */
const VONAGE_CONNECTED = JSON.stringify({
  event: "websocket:connected",
  "content-type": "audio/l16;rate=16000",
});

/** Every audio byte written, as `transport.stats` accounts for it. */
function accounted(s: TransportStats): number {
  return s.audioBytesSent + s.audioBytesInterrupted + s.audioBytesDroppedOnClose +
    s.audioBytesStale + s.audioBytesRefused;
}

/** 16 kHz mono PCM16 of the bot, `bytes` long, tagged with `responseId` when given. */
function audio(bytes: number, responseId?: string) {
  const frame = {
    type: "audio" as const,
    audio: new Uint8Array(bytes).fill(1),
    sampleRate: 16000,
    channels: 1,
  };
  return responseId === undefined ? frame : { ...frame, responseId };
}

Deno.test("AsteriskSerializer with fixedAudioPacketSize: a cancel counts the held partial frame once", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new AsteriskSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 40 },
    // 500 wire bytes a packet: a chunk's whole frames wait in the packetizer, and the 90 μ-law
    // bytes short of a frame in the serializer.
    fixedAudioPacketSize: 500,
    maxQueuedMs: 200,
    clock,
  });
  transport.addEventListener("error", () => {});
  pair.client.send(MEDIA_START);
  await clock.tick(10);
  void transport.send(audio(1000));
  // A second response: the first one's stretch ends (its partial frame padded) as "b" begins.
  void transport.send(audio(320000, "b"));
  await clock.tick(10);
  void transport.send({ type: "cancel" });
  await clock.tick(10);
  await transport.close();
  await clock.tick(60_000);
  // Before: 321,360 (the 90 μ-law bytes held, 360 of the bot's, counted twice).
  assert.equal(accounted(transport.stats), 1000 + 320000, JSON.stringify(transport.stats));
});

Deno.test("AsteriskSerializer with fixedAudioPacketSize: an interruption counts the held partial frame once", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new AsteriskSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 40 },
    fixedAudioPacketSize: 500,
    maxQueuedMs: 200,
    endSilenceMs: 100,
    lastPacket: "drop",
    clock,
  });
  transport.addEventListener("error", () => {});
  pair.client.send(MEDIA_START);
  await clock.tick(0);
  void transport.send(audio(1000, "a"));
  // Through the writable, as the fuzzer wrote it: it reaches send() a few microtasks later.
  const writer = transport.writable.getWriter();
  void writer.write(audio(640, "c")).catch(() => {});
  void transport.send(audio(320000, "b"));
  void transport.interrupt();
  await clock.tick(10);
  await transport.close();
  await clock.tick(60_000);
  // Before: 322,000 (`audioBytesInterrupted` over by the 360 bytes of the held frame).
  assert.equal(accounted(transport.stats), 1000 + 640 + 320000, JSON.stringify(transport.stats));
});

/** A call on one of the two serializers that hold a partial frame. */
interface Call {
  serializer: () => FrameSerializer;
  hello: string;
  /**
   * The bot's PCM16 bytes (16 kHz) a wire byte carries: μ-law at 8 kHz one sample in two, in
   * one byte for two; Vonage's 16-bit linear PCM at 16 kHz byte for byte.
   */
  pcmPerWireByte: number;
}

const calls: Record<string, Call> = {
  Asterisk: { serializer: () => new AsteriskSerializer(), hello: MEDIA_START, pcmPerWireByte: 4 },
  Vonage: { serializer: () => new VonageSerializer(), hello: VONAGE_CONNECTED, pcmPerWireByte: 1 },
};

/**
 * How a session goes on: what it writes, then how it ends (`cut`, none for a session that plays
 * all out), after `ms` of speech.
 */
interface Course {
  written: number;
  ms: number;
  cut?: (transport: WebSocketTransport) => Promise<unknown> | void;
}

/**
 * Two seconds of speech in 25 ms chunks: 1.25 frames each, so the serializer holds a partial
 * frame after three chunks in four (whichever chunk the cut follows, in the times below).
 */
const SPEECH = 64000 + 700;

const courses: Record<string, Course> = {
  interrupted: { written: SPEECH, ms: 240, cut: (transport) => transport.interrupt() },
  cancelled: { written: SPEECH, ms: 240, cut: (transport) => transport.send({ type: "cancel" }) },
  closed: { written: SPEECH, ms: 240, cut: () => {} },
  "played out, then closed": { written: SPEECH, ms: 5000 },
};

for (const [callName, call] of Object.entries(calls)) {
  for (const packets of [undefined, 500]) {
    for (const [courseName, course] of Object.entries(courses)) {
      for (const late of course.cut === undefined ? [0] : [0, 25, 50, 75]) {
        const how = packets === undefined ? "without packets" : `with ${packets}-byte packets`;
        const when = course.cut === undefined ? "" : ` after ${course.ms + late} ms`;
        Deno.test(`${callName}Serializer ${how}, ${courseName}${when}: every byte is counted once, the sent as they left`, async () => {
          const clock = new FakeClock();
          const pair = new MemorySocketPair();
          const options: TransportOptions = {
            serializer: call.serializer(),
            audioIn: { sampleRate: 16000 },
            audioOut: { sampleRate: 16000, chunkMs: 25 },
            markIntervalMs: 0,
            clock,
          };
          if (packets !== undefined) options.fixedAudioPacketSize = packets;
          const transport = new WebSocketTransport(pair.server, options);
          transport.addEventListener("error", () => {});
          const onWire = binaryBytesOnWire(pair);
          pair.client.send(call.hello);
          await clock.tick(0);
          void transport.send(audio(course.written, "a"));
          await clock.tick(course.ms + late);
          await course.cut?.(transport);
          await transport.close();
          await clock.tick(60_000);
          const stats = transport.stats;
          assert.equal(accounted(stats), course.written, JSON.stringify(stats));
          // Cut mid-speech, no frame was padded: what was counted sent is what reached the wire
          // (what was held and dropped is counted dropped, not sent).
          if (course.cut !== undefined) {
            assert.equal(
              stats.audioBytesSent,
              onWire() * call.pcmPerWireByte,
              JSON.stringify(stats),
            );
          }
        });
      }
    }
  }
}

for (const [callName, call] of Object.entries(calls)) {
  for (const packets of [undefined, 500]) {
    const how = packets === undefined ? "without packets" : `with ${packets}-byte packets`;
    Deno.test(`${callName}Serializer ${how}: a stretch ends padded, the next is interrupted: every byte is counted once`, async () => {
      const clock = new FakeClock();
      const pair = new MemorySocketPair();
      const options: TransportOptions = {
        serializer: call.serializer(),
        audioIn: { sampleRate: 16000 },
        audioOut: { sampleRate: 16000, chunkMs: 25 },
        clock,
      };
      if (packets !== undefined) options.fixedAudioPacketSize = packets;
      const transport = new WebSocketTransport(pair.server, options);
      transport.addEventListener("error", () => {});
      pair.client.send(call.hello);
      await clock.tick(0);
      void transport.send(audio(1000, "a"));
      await clock.tick(2000); // the quiet time passes: the partial frame goes, padded
      void transport.send(audio(3 * 800 + 100, "b"));
      await clock.tick(15);
      await transport.interrupt();
      await transport.close();
      await clock.tick(60_000);
      assert.equal(
        accounted(transport.stats),
        1000 + 3 * 800 + 100,
        JSON.stringify(transport.stats),
      );
    });
  }
}
