// Vonage takes one 20 ms frame per binary message (developer.vonage.com, Voice API, "WebSockets
// in the Vonage Voice API", "Writing audio to the WebSocket": 640 bytes at 16 kHz), Asterisk's
// WebSocket channel whole `optimal_frame_size` frames (docs.asterisk.org, "WebSocket Channel
// Driver": 640 bytes of slin16, as MEDIA_START says), so their serializers hold back the part of
// the bot's speech that does not fill a frame, counted sent with its chunk. Where the socket closes before that partial frame can leave, it never leaves:
// it must come off `audioBytesSent`, counted in `audioBytesDroppedOnClose`, and the sum of the
// counters must still be what the bot wrote.
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import type { TransportStats } from "../../src/transport_stats.ts";
import { filledPcm16k } from "./fixtures/filled_pcm_16k.ts";

const SPEECH = 0x11; // every byte of the bot's speech; the padding is 0

/** Each far end's serializer, and its first message (which sets 16 kHz PCM16 frames of 640). */
const PROVIDERS: { name: string; serializer: () => FrameSerializer; hello: string }[] = [
  {
    name: "Vonage",
    serializer: () => new VonageSerializer({ sampleRate: 16000 }),
    hello: JSON.stringify({
      event: "websocket:connected",
      "content-type": "audio/l16;rate=16000",
    }),
  },
  {
    name: "Asterisk",
    serializer: () => new AsteriskSerializer(),
    hello: "MEDIA_START connection_id:c channel:WebSocket/c/0x1 channel_id:1.1 format:slin16 " +
      "optimal_frame_size:640 ptime:20",
  },
];

/** A call whose bot writes `bytes` of speech (30 ms chunks: every other one leaves half a frame). */
async function callHungUp(
  provider: (typeof PROVIDERS)[number],
  write: (transport: WebSocketTransport, bytes: number) => Promise<void>,
): Promise<{ stats: TransportStats; left: number; written: number }> {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: provider.serializer(),
    audioOut: { sampleRate: 16000, chunkMs: 30 },
    clock,
  });
  transport.receive(() => {});
  pair.client.send(provider.hello);
  await clock.tick(0);
  const written = 32 * 1000;
  const writing = write(transport, written);
  // Three chunks have left (the first at once, the rest a chunk ahead of their time): the
  // third's second half is held for the next audio.
  await clock.tick(30);
  pair.client.close(1000); // the caller hangs up
  await transport.closed;
  await writing;
  await clock.tick(1000);
  let left = 0; // the bot's speech that reached the socket
  for (const message of pair.server.sent) {
    if (typeof message === "string") continue;
    left += new Uint8Array(message as Uint8Array).filter((b) => b === SPEECH).length;
  }
  return { stats: transport.stats, left, written };
}

function assertCounted(call: { stats: TransportStats; left: number; written: number }): void {
  const s = call.stats;
  assert.equal(s.audioChunksSent % 2, 1, "an odd number of 30 ms chunks: half a frame was held");
  assert.equal(s.audioBytesSent, call.left, "sent: what left, not the partial frame held");
  const accounted = s.audioBytesSent + s.audioBytesInterrupted + s.audioBytesDroppedOnClose +
    s.audioBytesStale + s.audioBytesRefused;
  assert.equal(accounted, call.written, "every byte written is counted once");
}

for (const provider of PROVIDERS) {
  Deno.test(`${provider.name}: the partial frame held where the writable's end meets the caller's hang-up is counted dropped, not sent`, async () => {
    assertCounted(
      await callHungUp(provider, async (transport, bytes) => {
        const writer = transport.writable.getWriter();
        void writer.write(filledPcm16k(bytes, SPEECH));
        await writer.close().catch(() => {}); // the end of the bot's audio: its stretch ends
      }),
    );
  });

  Deno.test(`${provider.name}: the partial frame held when the caller hangs up mid-reply is counted dropped, not sent`, async () => {
    assertCounted(
      await callHungUp(provider, (transport, bytes) => {
        void transport.send(filledPcm16k(bytes, SPEECH));
        return Promise.resolve();
      }),
    );
  });
}
