// A start whose `mediaFormat` names μ-law without a `sampleRate`, on a Plivo stream of L16 at
// 16 kHz. Plivo streams and plays μ-law at 8000 Hz only: `<Stream>`'s `contentType` is one of
// `audio/x-l16;rate=8000`, `audio/x-l16;rate=16000` and `audio/x-mulaw;rate=8000`
// (https://docs.plivo.com/docs/voice/xml/audiostream, "contentType"), playAudio's `sampleRate`
// allows "audio/x-l16: 8000, 16000; audio/x-mulaw: 8000"
// (https://docs.plivo.com/docs/voice/xml/audiostream/stream-events-to-plivo/play-audio-event), and
// G.711's RTP clock is 8000 (RFC 3551 §4.5.14). So μ-law named alone announces μ-law at 8 kHz, as
// Twilio's, Telnyx's and Exotel's serializers read it (`readMediaFormat`): judged at the
// stream's 16 kHz it was refused, and with it every packet of the call. Plivo's stream has one
// format both ways, so the bot's audio goes out in it too, its playAudio labelled so.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import { plivoFor, plivoMedia, plivoStartWith } from "./fixtures/plivo_call.ts";

Deno.test("`PlivoSerializer` reads audio/x-mulaw named without a sampleRate at 8 kHz after an L16 stream at 16 kHz", () => {
  // The bot hears and speaks at 8 kHz: μ-law at 8 kHz is not resampled.
  const plivo = plivoFor(8000, { encoding: "pcm16le", sampleRate: 16000 });
  const start = plivo.deserialize(plivoStartWith({ encoding: "audio/x-mulaw" })) as Frame;
  assert.equal(start.type, "start");
  // 160 bytes of μ-law are 20 ms at 8 kHz: 160 samples out (320 bytes), not 80 (read at 16 kHz).
  const silence = new Uint8Array(160).fill(0xff); // μ-law's
  const audio = [plivo.deserialize(plivoMedia(silence))].flat().filter((f) => f?.type === "audio");
  assert.equal(audio.length, 1);
  assert.equal(audio[0]!.audio.length, 320, "20 ms at 8 kHz");
  // The bot's 20 ms go out as μ-law at 8 kHz, 160 bytes, and the playAudio says so.
  const sent = JSON.parse(plivo.serialize({
    type: "audio",
    audio: new Uint8Array(320),
    sampleRate: 8000,
    channels: 1,
  }) as string);
  assert.equal(sent.media.contentType, "audio/x-mulaw");
  assert.equal(sent.media.sampleRate, 8000);
  assert.equal(Uint8Array.fromBase64(sent.media.payload).length, 160);
});
