/**
 * Messages per second through the two serializers of the main module, both ways, with 20 ms of
 * 16 kHz mono audio per message, next to the floor each protocol pays: for raw PCM a `Uint8Array`
 * view of the same bytes, for JSON a `JSON.parse`/`JSON.stringify` of the same text.
 *
 * Run: `npx deno bench -A tests/bench/serializers_core_bench.ts`.
 */

import {
  type AudioFrame,
  JsonSerializer,
  type MessageFrame,
  RawPcmSerializer,
} from "@x/ws-transport";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};
const pcm = new Uint8Array(640).map((_, i) => (i * 31) & 255);
const audio: AudioFrame = { type: "audio", audio: pcm, sampleRate: 16000, channels: 1 };
const message: MessageFrame = {
  type: "message",
  message: {
    label: "rtvi-ai",
    type: "bot-transcription",
    data: { text: "hello there, how can I help?" },
  },
};

const raw = new RawPcmSerializer();
raw.setup(SETUP);
const json = new JsonSerializer();
json.setup(SETUP);
const rawMessageText = raw.serialize(message) as string;
const jsonAudioText = json.serialize(audio);
const jsonMessageText = json.serialize(message);

Deno.bench("baseline: a Uint8Array view of 640 bytes", { group: "raw in", baseline: true }, () => {
  new Uint8Array(pcm.buffer, 0, 640);
});
Deno.bench("RawPcmSerializer deserialize 20 ms audio", { group: "raw in" }, () => {
  raw.deserialize(pcm);
});
Deno.bench("baseline: JSON.parse of an app message", { group: "raw text", baseline: true }, () => {
  JSON.parse(rawMessageText);
});
Deno.bench("RawPcmSerializer deserialize an app message", { group: "raw text" }, () => {
  raw.deserialize(rawMessageText);
});
Deno.bench("RawPcmSerializer serialize an app message", { group: "raw text" }, () => {
  raw.serialize(message);
});
Deno.bench(
  "baseline: JSON.parse of a JSON audio frame",
  { group: "json audio", baseline: true },
  () => {
    JSON.parse(jsonAudioText);
  },
);
Deno.bench("JsonSerializer deserialize 20 ms audio (base64)", { group: "json audio" }, () => {
  json.deserialize(jsonAudioText);
});
Deno.bench("JsonSerializer serialize 20 ms audio (base64)", { group: "json audio" }, () => {
  json.serialize(audio);
});
Deno.bench("baseline: JSON.parse of a JSON message frame", {
  group: "json message",
  baseline: true,
}, () => {
  JSON.parse(jsonMessageText);
});
Deno.bench("JsonSerializer deserialize a message frame", { group: "json message" }, () => {
  json.deserialize(jsonMessageText);
});
Deno.bench("JsonSerializer serialize a message frame", { group: "json message" }, () => {
  json.serialize(message);
});
