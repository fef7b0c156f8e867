/**
 * The hosted platforms: ConversationRelay's text messages both ways next to a bare JSON.parse /
 * JSON.stringify, and Twilio-compatible wideband (SignalWire's L16@24000h: 20 ms of 24 kHz PCM16
 * per message) next to Twilio's μ-law 8 kHz.
 *
 * Run: `npx deno bench -A tests/bench/hosted_platforms_bench.ts`.
 */

import type { AudioFrame } from "@x/ws-transport";
import { ConversationRelaySerializer } from "@x/ws-transport/conversation-relay";
import { TwilioSerializer } from "@x/ws-transport/twilio";

const prompt = JSON.stringify({
  type: "prompt",
  voicePrompt: "Hi! Can you tell me about life, and what it is for?",
  lang: "en-US",
  last: true,
});
const relay = new ConversationRelaySerializer();
relay.deserialize(JSON.stringify({
  type: "setup",
  sessionId: "VX00000000000000000000000000000000",
  callSid: "CA00000000000000000000000000000000",
  from: "+18005550100",
}));
const tokens = new ConversationRelaySerializer({ streamText: true });

Deno.bench("baseline: JSON.parse of a prompt", { group: "relay-in", baseline: true }, () => {
  JSON.parse(prompt);
});
Deno.bench("ConversationRelay deserialize prompt → transcription", { group: "relay-in" }, () => {
  relay.deserialize(prompt);
});

const tokenObject = { type: "text", token: "Life is a complex set of ", last: false };
Deno.bench(
  "baseline: JSON.stringify of a text token",
  { group: "relay-out", baseline: true },
  () => {
    JSON.stringify(tokenObject);
  },
);
Deno.bench("ConversationRelay serialize text → token", { group: "relay-out" }, () => {
  tokens.serialize({ type: "text", text: "Life is a complex set of " });
});

function sine(rate: number, count: number): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  }
  return out;
}
const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 24000,
  outputChannels: 1,
};
const out24: AudioFrame = {
  type: "audio",
  audio: new Uint8Array(sine(24000, 480).buffer),
  sampleRate: 24000,
  channels: 1,
};
const twilio = new TwilioSerializer({ streamSid: "MZ1" });
twilio.setup(SETUP);
const signalWire = new TwilioSerializer({
  streamSid: "MZ1",
  encoding: "pcm16le",
  sampleRate: 24000,
});
signalWire.setup(SETUP);
const pcm24 = btoa(String.fromCharCode(...new Uint8Array(sine(24000, 480).buffer)));
const mulaw = btoa(String.fromCharCode(...new Uint8Array(160).map((_, i) => (i * 37) & 255)));
let chunk = 0;
const media = (payload: string) =>
  `{"event":"media","sequenceNumber":"${
    chunk + 1
  }","media":{"track":"inbound","chunk":"${++chunk}","timestamp":"${
    chunk * 20
  }","payload":"${payload}"},"streamSid":"MZ1"}`;

Deno.bench(
  "Twilio deserialize media (μ-law 8k → 16k)",
  { group: "wideband-in", baseline: true },
  () => {
    twilio.deserialize(media(mulaw));
  },
);
Deno.bench("SignalWire L16@24000h deserialize media (PCM16 24k → 16k)", {
  group: "wideband-in",
}, () => {
  signalWire.deserialize(media(pcm24));
});
Deno.bench("Twilio serialize audio (24k → μ-law 8k)", {
  group: "wideband-out",
  baseline: true,
}, () => {
  twilio.serialize(out24);
});
Deno.bench("SignalWire L16@24000h serialize audio (24k → PCM16 24k)", {
  group: "wideband-out",
}, () => {
  signalWire.serialize(out24);
});
