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
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { plivoIds } from "./fixtures/plivo_call.ts";

/** A start whose `mediaFormat` is `format`. */
const startWith = (format: Record<string, string | number>) =>
  JSON.stringify({
    event: "start",
    sequenceNumber: 0,
    start: {
      callId: plivoIds.call,
      streamId: plivoIds.stream,
      tracks: ["inbound"],
      mediaFormat: format,
    },
  });

/** A `media` message of `bytes` bytes of μ-law silence (0xFF). */
const media = (bytes: number) =>
  JSON.stringify({
    event: "media",
    sequenceNumber: 1,
    streamId: plivoIds.stream,
    media: {
      track: "inbound",
      timestamp: "0",
      chunk: 1,
      payload: new Uint8Array(bytes).fill(0xff).toBase64(),
    },
  });

Deno.test("`PlivoSerializer` reads audio/x-mulaw named without a sampleRate at 8 kHz after an L16 stream at 16 kHz", () => {
  const plivo = new PlivoSerializer({ encoding: "pcm16le", sampleRate: 16000 });
  // The bot hears and speaks at 8 kHz: μ-law at 8 kHz is not resampled.
  plivo.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  const start = plivo.deserialize(startWith({ encoding: "audio/x-mulaw" })) as Frame;
  assert.equal(start.type, "start");
  // 160 bytes of μ-law are 20 ms at 8 kHz: 160 samples out (320 bytes), not 80 (read at 16 kHz).
  const audio = [plivo.deserialize(media(160))].flat().filter((f) => f?.type === "audio");
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
