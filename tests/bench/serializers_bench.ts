/**
 * Messages per second through the telephony serializers, both ways, with 20 ms of audio per
 * message as providers send it, next to a JSON.parse / JSON.stringify of the same messages (the
 * floor any JSON protocol pays). Inbound: μ-law 8 kHz → 16 kHz PCM frames; outbound: 24 kHz PCM
 * frames → 8 kHz μ-law (Exotel: PCM16). Also base64 three ways, to justify `base64.ts`.
 *
 * Run: `npx deno bench -A tests/bench/serializers_bench.ts`.
 */

import type { AudioFrame } from "@x/ws-transport";
import {
  decodeBase64Portable,
  encodeBase64Portable,
} from "../../src/serializers/telephony/_base64_portable.ts";
import { TwilioSerializer } from "@x/ws-transport/twilio";
import { TelnyxSerializer } from "@x/ws-transport/telnyx";
import { PlivoSerializer } from "@x/ws-transport/plivo";
import { ExotelSerializer } from "@x/ws-transport/exotel";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 24000,
  outputChannels: 1,
};

function sine(rate: number, count: number): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  }
  return out;
}
const mulaw = new Uint8Array(160).map((_, i) => (i * 37) & 255);
const MULAW_B64 = btoa(String.fromCharCode(...mulaw));
const PCM8_B64 = btoa(String.fromCharCode(...new Uint8Array(sine(8000, 160).buffer)));
const out24: AudioFrame = {
  type: "audio",
  audio: new Uint8Array(sine(24000, 480).buffer),
  sampleRate: 24000,
  channels: 1,
};

// Each media message is numbered one past the last, as a live call's are: a repeated `chunk`
// would be dropped as a duplicate and measure the reorder stage's drop path instead.
const twilioMedia = (n: number) =>
  `{"event":"media","sequenceNumber":"${n}","media":{"track":"inbound","chunk":"${n}","timestamp":"${
    n * 20
  }","payload":"${MULAW_B64}"},"streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0"}`;
const telnyxMedia = (n: number) =>
  `{"event":"media","sequence_number":"${n}","media":{"track":"inbound","chunk":"${n}","timestamp":"${
    n * 20
  }","payload":"${MULAW_B64}"},"stream_id":"32DE0DEA-53CB-4B21-89A4-9E1819C043BC"}`;
const plivoMedia = (n: number) =>
  `{"event":"media","sequenceNumber":${n},"streamId":"87654321-4321-4321-4321-cba987654321","media":{"track":"inbound","timestamp":"${
    1705312200000 + n * 20
  }","chunk":${n},"payload":"${MULAW_B64}"}}`;
const exotelMedia = (n: number) =>
  `{"event":"media","sequence_number":"${n}","stream_sid":"MZxxxxxxxxxxxxxxxxxxxxxxxx","media":{"chunk":"${n}","timestamp":"${
    n * 20
  }","payload":"${PCM8_B64}"}}`;

const twilio = new TwilioSerializer({ streamSid: "MZ18ad3ab5a668481ce02b83e7395059f0" });
twilio.setup(SETUP);
const telnyx = new TelnyxSerializer();
telnyx.setup(SETUP);
const plivo = new PlivoSerializer({ streamId: "87654321-4321-4321-4321-cba987654321" });
plivo.setup(SETUP);
const exotel = new ExotelSerializer({ streamSid: "MZxxxxxxxxxxxxxxxxxxxxxxxx" });
exotel.setup(SETUP);
let baselineChunk = 0;
let twilioChunk = 0;
let telnyxChunk = 0;
let plivoChunk = 0;
let exotelChunk = 0;

Deno.bench(
  "baseline: JSON.parse of a Twilio media message",
  { group: "inbound", baseline: true },
  () => {
    JSON.parse(twilioMedia(++baselineChunk)); // built per message too, like the others
  },
);
Deno.bench("Twilio deserialize media (μ-law 8k → 16k)", { group: "inbound" }, () => {
  twilio.deserialize(twilioMedia(++twilioChunk));
});
Deno.bench("Telnyx deserialize media (μ-law 8k → 16k)", { group: "inbound" }, () => {
  telnyx.deserialize(telnyxMedia(++telnyxChunk));
});
Deno.bench("Plivo deserialize media (μ-law 8k → 16k)", { group: "inbound" }, () => {
  plivo.deserialize(plivoMedia(++plivoChunk));
});
Deno.bench("Exotel deserialize media (PCM16 8k → 16k)", { group: "inbound" }, () => {
  exotel.deserialize(exotelMedia(++exotelChunk));
});

const outboundObject = {
  event: "media",
  streamSid: "MZ18ad3ab5a668481ce02b83e7395059f0",
  media: { payload: MULAW_B64 },
};
Deno.bench("baseline: JSON.stringify of a Twilio media message", {
  group: "outbound",
  baseline: true,
}, () => {
  JSON.stringify(outboundObject);
});
Deno.bench("Twilio serialize audio (24k → μ-law 8k)", { group: "outbound" }, () => {
  twilio.serialize(out24);
});
Deno.bench("Telnyx serialize audio (24k → μ-law 8k)", { group: "outbound" }, () => {
  telnyx.serialize(out24);
});
Deno.bench("Plivo serialize audio (24k → μ-law 8k)", { group: "outbound" }, () => {
  plivo.serialize(out24);
});
Deno.bench("Exotel serialize audio (24k → PCM16 8k)", { group: "outbound" }, () => {
  exotel.serialize(out24);
});

const bytes320 = new Uint8Array(320).map((_, i) => (i * 91) & 255);
const text320 = btoa(String.fromCharCode(...bytes320));
Deno.bench(
  "base64 decode 320 B: atob + copy loop",
  { group: "base64-decode", baseline: true },
  () => {
    const binary = atob(text320);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  },
);
Deno.bench(
  "base64 decode 320 B: Uint8Array.fromBase64 (native)",
  { group: "base64-decode" },
  () => {
    Uint8Array.fromBase64(text320);
  },
);
Deno.bench(
  "base64 decode 320 B: decodeBase64Portable (atob-based)",
  { group: "base64-decode" },
  () => {
    decodeBase64Portable(text320);
  },
);
Deno.bench("base64 encode 320 B: String.fromCharCode loop + btoa", {
  group: "base64-encode",
  baseline: true,
}, () => {
  let binary = "";
  for (let i = 0; i < bytes320.length; i++) binary += String.fromCharCode(bytes320[i]!);
  btoa(binary);
});
Deno.bench("base64 encode 320 B: toBase64 (native)", { group: "base64-encode" }, () => {
  bytes320.toBase64();
});
Deno.bench("base64 encode 320 B: portable table encoder", { group: "base64-encode" }, () => {
  encodeBase64Portable(bytes320);
});
