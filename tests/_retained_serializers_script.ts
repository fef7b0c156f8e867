/**
 * Calls that end after 10 s of the caller's audio and a 10 s reply, each transport kept afterwards
 * (as an application keeps its recent sessions, to read their `stats`), for a serializer that
 * resamples both ways (Twilio and Vonage at 8 kHz, the transport at 16 kHz) and for raw PCM, which
 * holds no audio state; prints, as JSON, for each serializer, how much memory each kept transport
 * still holds. Run by serializer_retained_audio_test.ts with `--v8-flags=--expose-gc`.
 *
 * @module
 */

import { type FrameSerializer, RawPcmSerializer, WebSocketTransport } from "../mod.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { VonageSerializer } from "../src/serializers/vonage.ts";
import { FakeClock, type MemorySocket, MemorySocketPair } from "../src/testing/mod.ts";
import { encodeBase64 } from "../src/serializers/telephony/base64.ts";
import { collectGarbage } from "./_collect_garbage.ts";

const CALL_MS = 10_000;

/** One serializer's call: what the far end says first, then each 20 ms of the caller's audio. */
interface Call {
  name: string;
  serializer: () => FrameSerializer;
  opening: (client: MemorySocket) => void;
  media: (client: MemorySocket, n: number) => void;
  /** What the far end says last, before it closes the socket. */
  closing?: (client: MemorySocket, n: number) => void;
}

const twilioStream = "MZ18ad3ab5a668481ce02b83e7395059f0";
/** 20 ms of μ-law at 8 kHz, not silence (0xFF is μ-law's zero). */
const mulaw20ms = encodeBase64(new Uint8Array(160).fill(0x8f));

const twilio: Omit<Call, "name"> = {
  serializer: () => new TwilioSerializer(),
  opening: (client) =>
    client.send(JSON.stringify({
      event: "start",
      sequenceNumber: "1",
      start: {
        accountSid: "AC25e16e9a716a4a1786a7c83f58e30482",
        streamSid: twilioStream,
        callSid: "CA2ab1b84c2fa0eb0e9f4e0b0bd8b2e2b4",
        tracks: ["inbound"],
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
        customParameters: {},
      },
      streamSid: twilioStream,
    })),
  media: (client, n) =>
    client.send(JSON.stringify({
      event: "media",
      sequenceNumber: String(n + 2),
      media: {
        track: "inbound",
        chunk: String(n + 1),
        timestamp: String(20 * n),
        payload: mulaw20ms,
      },
      streamSid: twilioStream,
    })),
};

const CALLS: Call[] = [
  {
    name: "RawPcm",
    serializer: () => new RawPcmSerializer(),
    opening: () => {},
    media: (client) => client.send(new Uint8Array(640).fill(3)),
  },
  // Twilio's "Media Streams - WebSocket Messages" (twilio.com/docs/voice/media-streams/
  // websocket-messages): `start`, then `media` of base64 μ-law at 8 kHz; the socket closed without
  // a `stop` (the bot hung up, or the connection dropped), and after one (the call ended).
  { name: "Twilio", ...twilio },
  {
    name: "Twilio, stop",
    ...twilio,
    closing: (client, n) =>
      client.send(JSON.stringify({
        event: "stop",
        sequenceNumber: String(n + 2),
        stop: {
          accountSid: "AC25e16e9a716a4a1786a7c83f58e30482",
          callSid: "CA2ab1b84c2fa0eb0e9f4e0b0bd8b2e2b4",
        },
        streamSid: twilioStream,
      })),
  },
  {
    // Vonage's "WebSockets in the Vonage Voice API" (developer.vonage.com/voice/voice-api/
    // concepts/websockets): `websocket:connected` names the rate, then binary 16-bit PCM frames
    // of 20 ms (320 bytes at 8 kHz); the call's end closes the socket.
    name: "Vonage",
    serializer: () => new VonageSerializer(),
    opening: (client) =>
      client.send('{"event":"websocket:connected","content-type":"audio/l16;rate=8000"}'),
    media: (client) => client.send(new Uint8Array(320).fill(3)),
  },
];

/** One call: the caller talks for 10 s while the bot replies for 10 s, then the far end hangs up. */
async function endedCall(call: Call): Promise<WebSocketTransport> {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: call.serializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
  });
  const read = (async () => {
    for await (const _ of transport.readable) { /* the bot hears the caller */ }
  })();
  call.opening(client);
  await clock.tick(0);
  void transport.send({
    type: "audio",
    audio: new Uint8Array(CALL_MS * 32).fill(1),
    sampleRate: 16000,
    channels: 1,
  });
  for (let n = 0; n < CALL_MS / 20; n++) {
    call.media(client, n);
    await clock.tick(20);
  }
  await clock.tick(1000);
  call.closing?.(client, CALL_MS / 20);
  client.close(1000);
  await transport.closed;
  await clock.runAll();
  await read;
  if (transport.stats.audioBytesSent !== CALL_MS * 32) {
    throw new Error(`${call.name}: ${transport.stats.audioBytesSent} bytes of the reply sent`);
  }
  // The memory sockets' records of what they sent (real sockets keep none): not the transport's.
  server.sent.length = 0;
  client.sent.length = 0;
  return transport;
}

const SESSIONS = 20;
const report: { serializer: string; bytesPerTransport: number }[] = [];
for (const call of CALLS) {
  const kept: WebSocketTransport[] = [];
  for (let i = 0; i < SESSIONS; i++) kept.push(await endedCall(call));
  // What the ended transports hold: the memory in use with them, less that once they are let go.
  const withTransports = await collectGarbage();
  kept.length = 0;
  const withoutTransports = await collectGarbage();
  report.push({
    serializer: call.name,
    bytesPerTransport: Math.round((withTransports - withoutTransports) / SESSIONS),
  });
}
console.log(JSON.stringify(report));
