/**
 * Calls that end after 10 s of the caller's audio and a 10 s reply, each transport kept afterwards
 * (as an application keeps its recent sessions, to read their `stats`), for serializers that
 * resample both ways (Twilio, Telnyx, Plivo, Exotel, Vonage, jambonz and FreeSWITCH at 8 kHz, the
 * transport at 16 kHz; the first four closed with and without a `stop`), for protobuf (a client
 * sending 8 kHz) and for raw PCM, which holds no audio state; prints, as JSON, for each, how much
 * each kept transport still holds: in all, and in array buffers' storage (where audio, filter
 * history and slabs live). Run by serializer_retained_audio_test.ts with `--v8-flags=--expose-gc`.
 *
 * @module
 */

import {
  type FrameSerializer,
  RawPcmSerializer,
  type TransportOptions,
  WebSocketTransport,
} from "../mod.ts";
import { ExotelSerializer } from "../src/serializers/exotel.ts";
import { FreeSwitchSerializer } from "../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../src/serializers/jambonz.ts";
import { PlivoSerializer } from "../src/serializers/plivo.ts";
import { ProtobufSerializer } from "../src/serializers/protobuf.ts";
import { TelnyxSerializer } from "../src/serializers/telnyx.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { VonageSerializer } from "../src/serializers/vonage.ts";
import { FakeClock, type MemorySocket, MemorySocketPair } from "../src/testing/mod.ts";
import { encodeBase64 } from "../src/serializers/telephony/base64.ts";
import { collectGarbage, heapCensus } from "./_collect_garbage.ts";

const CALL_MS = 10_000;

/** One serializer's call: what the far end says first, then each 20 ms of the caller's audio. */
interface Call {
  name: string;
  serializer: () => FrameSerializer;
  opening: (client: MemorySocket) => void;
  media: (client: MemorySocket, n: number) => void;
  /** What the far end says last, before it closes the socket. */
  closing?: (client: MemorySocket, n: number) => void;
  /** Transport options of the call's own. */
  options?: Partial<TransportOptions>;
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

/** 20 ms of L16 at 8 kHz, not silence. */
const l16At8k = new Uint8Array(320).fill(3);
/** What the pipecat client would send: 20 ms at 8 kHz as a binary `pipecat.Frame`. */
const pipecatAudio = new ProtobufSerializer().serialize({
  type: "audio",
  audio: l16At8k,
  sampleRate: 8000,
  channels: 1,
}) as Uint8Array;

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
  {
    // docs.jambonz.org, Verbs → listen: one text frame of the call's attributes (`sampleRate`,
    // `mixType`) first, then binary L16 at that rate; the module closes the socket at the end.
    // The module's marks go unanswered here: the transport's are off, not refused past 30.
    name: "jambonz",
    serializer: () => new JambonzSerializer(),
    opening: (client) =>
      client.send(JSON.stringify({ sampleRate: 8000, mixType: "mono", callSid: "c1" })),
    media: (client) => client.send(l16At8k),
    options: { markIntervalMs: 0 },
  },
  {
    // mod_audio_fork as a FreeSWITCH application starts it: metadata text, then binary L16.
    name: "FreeSWITCH",
    serializer: () => new FreeSwitchSerializer(),
    opening: (client) => client.send('{"callid":"4f1c"}'),
    media: (client) => client.send(l16At8k),
    options: { markIntervalMs: 0 },
  },
  {
    // pipecat's protobuf: `pipecat.Frame` audio, here at 8 kHz, resampled to the transport's 16.
    name: "protobuf",
    serializer: () => new ProtobufSerializer(),
    opening: () => {},
    media: (client) => client.send(pipecatAudio),
  },
  {
    // Telnyx's "Stream call media over WebSocket": `start`, then numbered `media` of base64
    // PCMU at 8 kHz; the socket closed without a `stop`.
    name: "Telnyx",
    serializer: () => new TelnyxSerializer(),
    opening: (client) =>
      client.send(JSON.stringify({
        event: "start",
        sequence_number: "1",
        stream_id: "s1",
        start: {
          call_control_id: "v3:a",
          media_format: { encoding: "PCMU", sample_rate: 8000, channels: 1 },
        },
      })),
    media: (client, n) =>
      client.send(JSON.stringify({
        event: "media",
        sequence_number: String(n + 2),
        stream_id: "s1",
        media: {
          track: "inbound",
          chunk: String(n + 1),
          timestamp: String(20 * n),
          payload: mulaw20ms,
        },
      })),
  },
  {
    // Plivo's "Audio Streaming Protocol Reference": `start`, then `media` of μ-law at 8 kHz.
    name: "Plivo",
    serializer: () => new PlivoSerializer(),
    opening: (client) =>
      client.send(JSON.stringify({
        event: "start",
        sequenceNumber: 1,
        start: {
          callId: "12345678-1234-1234-1234-123456789abc",
          streamId: "87654321-4321-4321-4321-cba987654321",
          tracks: ["inbound"],
          mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000 },
        },
      })),
    media: (client, n) =>
      client.send(JSON.stringify({
        event: "media",
        sequenceNumber: n + 2,
        streamId: "87654321-4321-4321-4321-cba987654321",
        media: {
          track: "inbound",
          timestamp: String(1705312200000 + 20 * n),
          chunk: n + 1,
          payload: mulaw20ms,
        },
      })),
  },
  {
    // Exotel's AgentStream "WebSocket protocol": `start`, then `media` of PCM16 at 8 kHz. The
    // bot's audio in 200 ms chunks: Exotel takes media of 3,200 bytes up, in multiples of 320.
    name: "Exotel",
    serializer: () => new ExotelSerializer(),
    options: { audioOut: { sampleRate: 16000, chunkMs: 200 } },
    opening: (client) =>
      client.send(JSON.stringify({
        event: "start",
        sequence_number: "1",
        stream_sid: "MZx",
        start: {
          stream_sid: "MZx",
          call_sid: "CAx",
          media_format: { encoding: "audio/x-raw", sample_rate: "8000", bit_rate: "16" },
        },
      })),
    media: (client, n) =>
      client.send(JSON.stringify({
        event: "media",
        sequence_number: String(n + 2),
        stream_sid: "MZx",
        media: { chunk: String(n + 1), timestamp: String(20 * n), payload: encodeBase64(l16At8k) },
      })),
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
    ...call.options,
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
const report: { serializer: string; bytesPerTransport: number; bufferBytesPerTransport: number }[] =
  [];
// Counted in heap snapshots, not read from the process's memory figures: those move with what the
// runtime makes on its own (one CI machine read Twilio's kept transport 4 KB over what this one
// does, and over the bound). The first census makes the snapshot machinery: not measured.
heapCensus();
for (const call of CALLS) {
  const kept: WebSocketTransport[] = [];
  for (let i = 0; i < SESSIONS; i++) kept.push(await endedCall(call));
  // What the ended transports hold: what is reachable with them, less that once they are let go.
  await collectGarbage();
  const withTransports = heapCensus();
  kept.length = 0;
  await collectGarbage();
  const withoutTransports = heapCensus();
  report.push({
    serializer: call.name,
    bytesPerTransport: Math.round(
      (withTransports.totalBytes - withoutTransports.totalBytes) / SESSIONS,
    ),
    bufferBytesPerTransport: Math.round(
      (withTransports.bufferBytes - withoutTransports.bufferBytes) / SESSIONS,
    ),
  });
}
console.log(JSON.stringify(report));
