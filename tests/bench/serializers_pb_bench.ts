// Messages per second through the protobuf, Vonage and Genesys serializers, both ways, beside
// baselines in the same run: RawPcmSerializer (the floor: no wire format at all) and the pipecat
// JS client's own protobuf-ts serializer (a peer implementation of the same wire format).
// Run: npx deno bench -A tests/bench/serializers_pb_bench.ts
import { ProtobufFrameSerializer } from "@pipecat-ai/websocket-transport";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { RawPcmSerializer } from "../../src/serializers/raw_pcm.ts";
import type { AudioFrame, MessageFrame } from "../../src/frames.ts";
import { tone } from "../serializers/fixtures/telephony_harness.ts";

const SAME = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};
const BOT = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 24000,
  outputChannels: 1,
};
const pcm16k = new Uint8Array(tone(440, 16000, 320).buffer); // 20 ms at 16 kHz
const audio16k: AudioFrame = { type: "audio", audio: pcm16k, sampleRate: 16000, channels: 1 };
const audio24k: AudioFrame = {
  type: "audio",
  audio: new Uint8Array(tone(440, 24000, 480).buffer),
  sampleRate: 24000,
  channels: 1,
};
const rtvi: MessageFrame = {
  type: "message",
  message: {
    label: "rtvi-ai",
    type: "bot-transcription",
    data: { text: "Hello there, how can I help?" },
  },
};

// --- pipecat protobuf ---
const pb = new ProtobufSerializer();
pb.setup(SAME);
const pbAudio = pb.serialize(audio16k) as Uint8Array;
const pbMessage = pb.serialize(rtvi) as Uint8Array;
const client = new ProtobufFrameSerializer();
const raw = new RawPcmSerializer();
raw.setup(SAME);

Deno.bench("protobuf: serialize 20 ms audio", { group: "pb-out", baseline: true }, () => {
  pb.serialize(audio16k);
});
Deno.bench("baseline raw PCM: serialize 20 ms audio", { group: "pb-out" }, () => {
  raw.serialize(audio16k);
});
Deno.bench(
  "baseline pipecat client (protobuf-ts): serialize 20 ms audio",
  { group: "pb-out" },
  () => {
    client.serializeAudio(pcm16k.buffer as ArrayBuffer, 16000, 1);
  },
);
Deno.bench("protobuf: deserialize 20 ms audio", { group: "pb-in", baseline: true }, () => {
  pb.deserialize(pbAudio);
});
Deno.bench("baseline raw PCM: deserialize 20 ms audio", { group: "pb-in" }, () => {
  raw.deserialize(pcm16k);
});
Deno.bench("protobuf: serialize RTVI message", { group: "pb-msg-out", baseline: true }, () => {
  pb.serialize(rtvi);
});
Deno.bench("baseline raw PCM (JSON text): serialize RTVI message", { group: "pb-msg-out" }, () => {
  raw.serialize(rtvi);
});
Deno.bench("protobuf: deserialize RTVI message", { group: "pb-msg-in", baseline: true }, () => {
  pb.deserialize(pbMessage);
});

// --- Vonage: bot at 24 kHz out, 16 kHz in; Vonage at 16 kHz ---
const vonage = new VonageSerializer();
vonage.setup(BOT);
vonage.deserialize('{"event":"websocket:connected","content-type":"audio/l16;rate=16000"}');
const vonageIn = new Uint8Array(640);
vonageIn.set(pcm16k);
Deno.bench(
  "vonage: serialize 20 ms audio (24→16 kHz, 640-byte frames)",
  { group: "vonage-out" },
  () => {
    vonage.serialize(audio24k);
  },
);
Deno.bench(
  "vonage: deserialize 640-byte frame (16 kHz, no resampling)",
  { group: "vonage-in" },
  () => {
    vonage.deserialize(vonageIn);
  },
);
Deno.bench("vonage: deserialize DTMF event", { group: "vonage-in" }, () => {
  vonage.deserialize('{"event":"websocket:dtmf","digit":"5","duration":260}');
});

// --- Genesys: bot at 24 kHz out, 16 kHz in; Genesys PCMU 8 kHz ---
// An Audio Connector session (the bot speaks): a monitor-only AudioHook session would refuse the
// audio, and the bench would time the refusal.
const genesys = new GenesysSerializer({ sendAudio: "always" });
genesys.bind({
  send: () => {},
  count: () => {},
  report: (error) => {
    throw error;
  },
});
genesys.setup(BOT);
genesys.deserialize(JSON.stringify({
  version: "2",
  type: "open",
  seq: 1,
  serverseq: 0,
  id: "e160e428-53e2-487c-977d-96989bf5c99d",
  position: "PT0S",
  parameters: {
    organizationId: "d7934305-0972-4844-938e-9060eef73d05",
    conversationId: "090eaa2f-72fa-480a-83e0-8667ff89c0ec",
    participant: { id: "883efee8-3d6c-4537-b500-6d7ca4b92fa0", ani: "", aniName: "", dnis: "" },
    media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }],
  },
}));
const genesysIn = new Uint8Array(1600).fill(0xd5); // 200 ms of PCMU, Genesys's usual packet
let seq = 1;
Deno.bench("genesys: serialize 20 ms audio (24 kHz → PCMU 8 kHz)", { group: "genesys-out" }, () => {
  genesys.serialize(audio24k);
});
Deno.bench("genesys: deserialize 1600-byte PCMU packet (→ 16 kHz)", { group: "genesys-in" }, () => {
  genesys.deserialize(genesysIn);
});
Deno.bench("genesys: deserialize ping (and send pong)", { group: "genesys-in" }, () => {
  genesys.deserialize(
    `{"version":"2","type":"ping","seq":${++seq},"serverseq":1,"id":"e160e428-53e2-487c-977d-96989bf5c99d","position":"PT1S","parameters":{}}`,
  );
});
