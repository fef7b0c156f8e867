/**
 * The self-hosted platforms' serializers, both ways, with 20 ms of audio per message as the
 * platforms send it, beside Twilio (the JSON + base64 protocol most calls use) as the baseline.
 * Inbound: Asterisk μ-law 8 kHz and slin16, jambonz / FreeSWITCH L16 8 kHz → 16 kHz PCM frames;
 * outbound: 24 kHz PCM frames → each wire format. Also the control events: Asterisk's plain-text
 * and JSON parsers, and jambonz's mark acknowledgement.
 *
 * Run: `npx deno bench -A tests/bench/selfhosted_serializers_bench.ts`.
 */

import type { AudioFrame, SerializerContext } from "@x/ws-transport";
import { AsteriskSerializer } from "@x/ws-transport/asterisk";
import { FreeSwitchSerializer } from "@x/ws-transport/freeswitch";
import { JambonzSerializer } from "@x/ws-transport/jambonz";
import { TwilioSerializer } from "@x/ws-transport/twilio";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 24000,
  outputChannels: 1,
};
const QUIET: SerializerContext = { send() {}, count() {}, report() {} };

function sine(rate: number, count: number): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  }
  return out;
}
const mulaw = new Uint8Array(160).map((_, i) => (i * 37) & 255);
const MULAW_B64 = btoa(String.fromCharCode(...mulaw));
const pcm8k = new Uint8Array(sine(8000, 160).buffer);
const pcm16k = new Uint8Array(sine(16000, 320).buffer);
const out24: AudioFrame = {
  type: "audio",
  audio: new Uint8Array(sine(24000, 480).buffer),
  sampleRate: 24000,
  channels: 1,
};

const twilio = new TwilioSerializer({ streamSid: "MZ18ad3ab5a668481ce02b83e7395059f0" });
twilio.setup(SETUP);
// Numbered on (Twilio puts media in order by chunk: a repeated chunk would be dropped as a
// duplicate, undecoded).
let chunk = 0;
const twilioMedia = () =>
  `{"event":"media","sequenceNumber":"${
    chunk + 2
  }","media":{"track":"inbound","chunk":"${++chunk}","timestamp":"${
    chunk * 20
  }","payload":"${MULAW_B64}"},"streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0"}`;

const asteriskUlaw = new AsteriskSerializer();
asteriskUlaw.bind(QUIET);
asteriskUlaw.setup(SETUP);
asteriskUlaw.deserialize(
  "MEDIA_START connection_id:c channel:WebSocket/c/0x1 channel_id:1.1 format:ulaw optimal_frame_size:160 ptime:20",
);
const asteriskSlin16 = new AsteriskSerializer({ format: "slin16" });
asteriskSlin16.bind(QUIET);
asteriskSlin16.setup(SETUP);
asteriskSlin16.deserialize(
  '{"event":"MEDIA_START","connection_id":"c","channel":"WebSocket/c","channel_id":"1.1","format":"slin16","optimal_frame_size":640,"ptime":20}',
);
const jambonz = new JambonzSerializer();
jambonz.bind(QUIET);
jambonz.setup(SETUP);
jambonz.deserialize('{"sampleRate":8000,"mixType":"mono","callSid":"c1","accountSid":"a1"}');
const freeswitch = new FreeSwitchSerializer();
freeswitch.setup(SETUP);
freeswitch.deserialize('{"callid":"c1"}');

Deno.bench("baseline: Twilio deserialize media (μ-law 8k → 16k)", {
  group: "inbound",
  baseline: true,
}, () => {
  twilio.deserialize(twilioMedia());
});
Deno.bench("Asterisk deserialize media (μ-law 8k → 16k)", { group: "inbound" }, () => {
  asteriskUlaw.deserialize(mulaw);
});
Deno.bench("Asterisk deserialize media (slin16, no resampling)", { group: "inbound" }, () => {
  asteriskSlin16.deserialize(pcm16k);
});
Deno.bench("jambonz deserialize media (L16 8k → 16k)", { group: "inbound" }, () => {
  jambonz.deserialize(pcm8k);
});
Deno.bench("FreeSWITCH deserialize media (L16 8k → 16k)", { group: "inbound" }, () => {
  freeswitch.deserialize(pcm8k);
});

Deno.bench("baseline: Twilio serialize audio (24k → μ-law 8k)", {
  group: "outbound",
  baseline: true,
}, () => {
  twilio.serialize(out24);
});
Deno.bench("Asterisk serialize audio (24k → μ-law 8k, whole frames)", { group: "outbound" }, () => {
  asteriskUlaw.serialize(out24);
});
Deno.bench("Asterisk serialize audio (24k → slin16)", { group: "outbound" }, () => {
  asteriskSlin16.serialize(out24);
});
Deno.bench("jambonz serialize audio (24k → L16 8k)", { group: "outbound" }, () => {
  jambonz.serialize(out24);
});
Deno.bench("FreeSWITCH serialize audio (24k → L16 8k)", { group: "outbound" }, () => {
  freeswitch.serialize(out24);
});

Deno.bench("Asterisk plain-text DTMF_END", { group: "control", baseline: true }, () => {
  asteriskUlaw.deserialize("DTMF_END digit:5 channel_id:1761245643.1");
});
Deno.bench("Asterisk JSON DTMF_END", { group: "control" }, () => {
  asteriskSlin16.deserialize('{"event":"DTMF_END","channel_id":"1761245643.1","digit":"5"}');
});
Deno.bench("jambonz dtmf event", { group: "control" }, () => {
  jambonz.deserialize('{"event":"dtmf","dtmf":"2","duration":"1600"}');
});
