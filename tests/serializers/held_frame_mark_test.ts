/**
 * A bot's mark makes a whole-frames serializer (Vonage, Asterisk) pad the partial frame it holds
 * and send it with the mark, straight to the socket; a stretch's end pads it likewise. That frame
 * is the bot's speech: counted sent only as far as the socket took it, sent after the audio
 * written before it (the packetizer's partial packet too), and its padding never counted as the
 * bot's audio. Review of 92c1b4d and 949d02a, faults 1, 2 and 4.
 */
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import type { TransportStats } from "../../src/transport_stats.ts";
import { botBytesIn, openWholeFrameSession, refuseBinary } from "./fixtures/whole_frame_calls.ts";
import { mediaStart } from "./fixtures/asterisk_channel_playout.ts";

/**
 * developer.vonage.com, Voice API, WebSockets: `websocket:connected` names the content type (16-bit
 * linear PCM, little-endian, at 16 kHz: 640 bytes a 20 ms message); `{"action":"notify"}` is
 * answered once the audio sent before it has played.
 */
const VONAGE_CONNECTED = JSON.stringify({
  event: "websocket:connected",
  "content-type": "audio/l16;rate=16000",
});
/**
 * docs.asterisk.org, Configuration → Channel Drivers → WebSocket: `MEDIA_START` names the
 * channel's format (here slin16, 16-bit signed linear at 16 kHz) and its `optimal_frame_size`
 * (20 ms: 640 bytes); a mark is `STOP_MEDIA_BUFFERING <id>` (or `MARK_MEDIA`), answered once the
 * media before it has played.
 */
const ASTERISK_MEDIA_START = mediaStart({ format: "slin16", frameBytes: 640 });

interface Call {
  name: string;
  serializer: () => FrameSerializer;
  opening: string;
  /** Whether a text message from the transport is the mark. */
  isMark: (text: string) => boolean;
}

const CALLS: Call[] = [
  {
    name: "VonageSerializer",
    serializer: () => new VonageSerializer(),
    opening: VONAGE_CONNECTED,
    isMark: (text) => text.includes('"notify"'),
  },
  {
    name: "AsteriskSerializer (slin16)",
    serializer: () => new AsteriskSerializer(),
    opening: ASTERISK_MEDIA_START,
    isMark: (text) => text.startsWith("STOP_MEDIA_BUFFERING") || text.startsWith("MARK_MEDIA"),
  },
];

/** Every audio byte written, as `transport.stats` accounts for it. */
function accounted(s: TransportStats): number {
  return s.audioBytesSent + s.audioBytesInterrupted + s.audioBytesDroppedOnClose +
    s.audioBytesStale + s.audioBytesRefused;
}

/** 16 kHz mono PCM16 of the bot. */
function audio(bytes: Uint8Array) {
  return { type: "audio" as const, audio: bytes, sampleRate: 16000, channels: 1, responseId: "a" };
}

for (const call of CALLS) {
  for (const packets of [undefined, 500]) {
    const how = packets === undefined ? "without packets" : `with ${packets}-byte packets`;
    Deno.test(`${call.name} ${how}: a bot mark's padded partial frame the socket refuses is not counted sent`, async () => {
      const { clock, pair, transport } = await openWholeFrameSession(call, {
        lastPacket: "pad",
        ...(packets === undefined ? {} : { fixedAudioPacketSize: packets }),
      });
      // The bot's audio is all 1s; the serializer pads its partial frame with 0s. The mark's
      // padded frame (640 bytes, 360 of them the bot's) is refused, as Bun's adapter does; with
      // packets, the packet that carries its 360 bytes of the bot's (the rest is padding).
      const refused = refuseBinary(
        pair,
        (bytes) => refused.length === 0 && botBytesIn(bytes) === 360,
      );
      let audioOnWire = 0; // the bot's bytes (1s) that reached the client
      pair.client.addEventListener("message", (event) => {
        const data = (event as MessageEvent).data;
        if (typeof data === "string") return;
        audioOnWire += botBytesIn(new Uint8Array(data as ArrayBuffer));
      });
      void transport.send(audio(new Uint8Array(1000).fill(1)));
      void transport.send({ type: "mark", name: "after-a" }); // pads the 360 bytes held
      await clock.tick(3000);
      await transport.close();
      await clock.tick(60_000);
      const stats = transport.stats;
      assert.deepEqual(
        refused.map((bytes) => bytes.length),
        [packets ?? 640],
        "the mark's padded frame was the message refused",
      );
      assert.equal(audioOnWire, 640);
      assert.equal(accounted(stats), 1000, JSON.stringify(stats));
      // Before: audioBytesSent 1000, audioBytesDroppedOnClose 0.
      assert.equal(stats.audioBytesSent, 640, JSON.stringify(stats));
      assert.equal(stats.audioBytesDroppedOnClose, 360, JSON.stringify(stats));
    });
  }

  for (const lastPacket of ["pad", "short"] as const) {
    Deno.test(`${call.name} with fixedAudioPacketSize, lastPacket "${lastPacket}": a bot mark's padded frame keeps its place behind the partial packet`, async () => {
      const { clock, pair, transport } = await openWholeFrameSession(call, {
        fixedAudioPacketSize: 500,
        lastPacket,
      });
      // The bot's samples are 1, 2, 3, …: the order they reach the client in shows; padding is 0.
      const samples = new Int16Array(500).map((_, i) => i + 1);
      const heard: number[] = [];
      let heardAtMark = -1;
      pair.client.addEventListener("message", (event) => {
        const data = (event as MessageEvent).data;
        if (typeof data === "string") {
          if (call.isMark(data)) heardAtMark = heard.length;
          return;
        }
        const bytes = new Uint8Array(data as ArrayBuffer);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let i = 0; i + 1 < bytes.length; i += 2) {
          const sample = view.getInt16(i, true);
          if (sample !== 0) heard.push(sample);
        }
      });
      void transport.send(audio(new Uint8Array(samples.buffer)));
      void transport.send({ type: "mark", name: "after-a" });
      await clock.tick(3000);
      await transport.close();
      await clock.tick(60_000);
      // Before: 1..250, then 321..500 (the mark's padded frame), then 251..320 (the packet).
      assert.deepEqual(heard, [...samples], "in the order written");
      // Before: the mark went when 430 of the 500 samples had.
      assert.equal(heardAtMark, 500, "the mark after all the audio before it");
      assert.equal(transport.stats.audioBytesSent, 1000, JSON.stringify(transport.stats));
    });
  }

  for (const written of [1000, 1500, 2000]) {
    Deno.test(`${call.name}, 500-byte packets, lastPacket "drop", ${written} bytes played out: the padding dropped is not the bot's audio`, async () => {
      const { clock, pair, transport } = await openWholeFrameSession(call, {
        fixedAudioPacketSize: 500,
        lastPacket: "drop",
      });
      let audioOnWire = 0; // the bot's bytes are all 1s; the serializer pads with 0s
      pair.client.addEventListener("message", (event) => {
        const data = (event as MessageEvent).data;
        if (typeof data === "string") return;
        audioOnWire += botBytesIn(new Uint8Array(data as ArrayBuffer));
      });
      void transport.send(audio(new Uint8Array(written).fill(1)));
      await clock.tick(3000); // played out: the quiet time passes, the partial frame goes padded
      await transport.close();
      await clock.tick(60_000);
      const stats = transport.stats;
      // The packet dropped holds only the padding.
      assert.equal(audioOnWire, written, "all of the bot's speech reached the client");
      // Before: 842 / 158, 1356 / 144, 1992 / 8.
      assert.equal(stats.audioBytesSent, written, JSON.stringify(stats));
      assert.equal(stats.audioBytesDroppedOnClose, 0, JSON.stringify(stats));
    });
  }
}
