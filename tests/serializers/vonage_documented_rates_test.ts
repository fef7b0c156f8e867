// The rates a Vonage far end can name: its WebSockets guide ("Connecting to a WebSocket": "set
// the content-type property to audio/l16;rate=16000 or audio/l16;rate=8000"; the @vonage/voice
// SDK's `WebsocketBitrate` has these two alone, as the @vonage/video SDK's Audio Connector
// `AudioRate` has). A `websocket:connected` naming another rate is no Vonage far end: a decode
// error, though the resampler converts it (12, 32, 96, 192 kHz are Asterisk's slin rates); 24 kHz,
// taken before, still is.
import assert from "node:assert/strict";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { TransportError } from "../../src/errors.ts";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};

const connected = (rate: number | string) =>
  JSON.stringify({ event: "websocket:connected", "content-type": `audio/l16;rate=${rate}` });

Deno.test("`VonageSerializer` takes the rates Vonage documents from the far end, 8000 and 16000, and 24000 as before", () => {
  for (const rate of [8000, 16000, 24000]) {
    const vonage = new VonageSerializer();
    vonage.setup(SETUP);
    vonage.deserialize(connected(rate));
    assert.equal(vonage.sampleRate, rate);
  }
});

Deno.test("`VonageSerializer` refuses a rate Vonage does not document, though the resampler converts it", () => {
  for (const rate of [12000, 22050, 32000, 44100, 48000, 96000, 192000]) {
    const vonage = new VonageSerializer();
    vonage.setup(SETUP);
    assert.throws(
      () => vonage.deserialize(connected(rate)),
      (e) => e instanceof TransportError && e.code === "decode" && e.message.includes(`${rate}`),
      `rate=${rate}`,
    );
    assert.equal(vonage.sampleRate, 16000, `rate=${rate}: the rate stays`);
    assert.throws(() => new VonageSerializer({ sampleRate: rate }), RangeError, `option ${rate}`);
  }
});

Deno.test("`VonageSerializer` refuses a rate spelled otherwise than in digits, as Vonage writes it", () => {
  for (const rate of ["0x3e80", "16e3", "+16000", "16000.0", ""]) {
    const vonage = new VonageSerializer();
    vonage.setup(SETUP);
    vonage.deserialize(connected(8000));
    assert.throws(
      () => vonage.deserialize(connected(rate)),
      (e) => e instanceof TransportError && e.code === "decode" && e.message.includes("rate"),
      `rate=${rate}`,
    );
    assert.equal(vonage.sampleRate, 8000, `rate=${rate}: the rate stays`);
  }
});
