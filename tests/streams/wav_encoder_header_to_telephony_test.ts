// `addWavHeader` (pipecat's `add_wav_header`) is for a client that decodes each message as a WAV
// file of its own. A telephony media stream plays what it is sent as one stream of samples: Twilio's
// "Media Streams - WebSocket Messages" (Send a media message): "The payload must be encoded
// audio/x-mulaw with a sample rate of 8000 and base64 encoded", no container; the other platforms'
// media messages likewise carry raw samples. There every chunk's 44-byte header would be played as
// 22 loud samples: a click every chunk, heard as a buzz under the bot (pipecat's runner forces
// `add_wav_header` off for telephony, for this). The transport refuses the option with a serializer
// whose far end acknowledges playout (those module serializers are all telephony ones), naming
// both, before the serializer is claimed.
import assert from "node:assert/strict";
import { JsonSerializer, RawPcmSerializer, WebSocketTransport } from "../../mod.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { mulawDecode, wrapWav } from "../../src/audio/mod.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { twilioStart } from "../serializers/fixtures/twilio_call.ts";

const TELEPHONY: [string, () => FrameSerializer][] = [
  ["TwilioSerializer", () => new TwilioSerializer()],
  ["TelnyxSerializer", () => new TelnyxSerializer()],
  ["PlivoSerializer", () => new PlivoSerializer()],
  ["ExotelSerializer", () => new ExotelSerializer()],
  ["VonageSerializer", () => new VonageSerializer()],
  ["GenesysSerializer", () => new GenesysSerializer()],
  ["AsteriskSerializer", () => new AsteriskSerializer()],
  ["JambonzSerializer", () => new JambonzSerializer()],
  ["FreeSwitchSerializer", () => new FreeSwitchSerializer()],
];

/** A session on `options`, closed again: one that was made, and its timers gone. */
async function madeAndClosed(options: ConstructorParameters<typeof WebSocketTransport>[1]) {
  const clock = new FakeClock();
  const { server } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, { clock, ...options });
  const closed = transport.close();
  await clock.runAll();
  await closed;
}

for (const [name, make] of TELEPHONY) {
  Deno.test(`\`addWavHeader\` is refused with ${name}, given as an instance or a function`, async () => {
    const refusal = (error: unknown) =>
      error instanceof RangeError &&
      error.message.includes(`addWavHeader must be false with ${name}`);
    const serializer = make();
    const { server } = new MemorySocketPair();
    assert.throws(
      () => new WebSocketTransport(server, { serializer, addWavHeader: true }),
      refusal,
    );
    assert.throws(
      () => new WebSocketTransport(server, { serializer: make, addWavHeader: true }),
      refusal,
    );
    // Refused before the instance was claimed: the session made right takes it.
    await madeAndClosed({ serializer });
  });
}

Deno.test("`addWavHeader` is taken with the serializers of clients that may decode WAV messages", async () => {
  const serializers = [new RawPcmSerializer(), new JsonSerializer(), new ProtobufSerializer()];
  for (const serializer of serializers) await madeAndClosed({ serializer, addWavHeader: true });
});

Deno.test("a WAV header sent to Twilio is played as loud samples ahead of the chunk's silence", () => {
  const twilio = new TwilioSerializer();
  twilio.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  twilio.deserialize(twilioStart());
  const silence = new Uint8Array(320); // 20 ms at 8 kHz
  const format = { sampleRate: 8000, channels: 1 };
  const heard = (audio: Uint8Array) => {
    const sent = twilio.serialize({ type: "audio", ...format, audio });
    const messages = (Array.isArray(sent) ? sent : [sent]) as string[];
    const media = messages.map((m) => JSON.parse(m)).filter((m) => m.event === "media");
    const payload = media.map((m) => atob(m.media.payload)).join("");
    return mulawDecode(Uint8Array.from(payload, (c) => c.charCodeAt(0)));
  };
  const loud = (samples: Int16Array) => samples.filter((s) => Math.abs(s) > 1000).length;
  assert.equal(loud(heard(silence)), 0);
  const withHeader = heard(wrapWav(silence, format));
  assert.equal(withHeader.length, 160 + 22, "the header's 22 samples play before the chunk's");
  assert.ok(loud(withHeader) >= 10, `${loud(withHeader)} loud samples`);
});
