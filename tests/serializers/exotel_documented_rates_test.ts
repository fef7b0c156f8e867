// The formats `ExotelSerializer` takes from a start's `media_format`: those Exotel documents, each
// at its own rates, no other. The far end's starts are the documents':
// - "Working with the Stream and Voicebot Applet" (developer.exotel.com/docs/agentstream/
//   stream-voicebot-applet; support.exotel.com article 3000108630): the Voicebot applet streams
//   "raw/slin" PCM16 little-endian, announced as `"encoding": "audio/x-raw"` with `sample_rate`
//   "8000" (the start of developer.exotel.com/docs/agentstream/websocket-protocol), at the
//   "Sample Rate" its URL asks for: "8000 (default, PSTN quality), 16000 (enhanced), or 24000
//   (HD)", `?sample-rate=16000`;
// - the beta "Updated Extension Guide", "1. Media Format" (developer.exotel.com/docs/agentstream/
//   stream-voicebot-extension): "mulaw 8 kHz", the MediaFormat `audio/x-mulaw;rate=8000`, and no
//   μ-law at another rate (nor does the Legs API's `start_stream` `content_type` name one).
// A start announcing μ-law at 16 or 24 kHz (rates Exotel streams PCM16 at, and the resampler
// converts) is no format Exotel streams: read at it, the call would play at the wrong speed. It
// is refused as an unknown encoding is: a decode error naming the field and value, its ids kept,
// its media refused (counted) until a start we decode.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { exotelIds } from "./fixtures/exotel_call.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

/** A start whose `media_format` is `format` (Exotel's example sends its numbers as strings). */
const startWith = (format: Record<string, string | number>) =>
  JSON.stringify({
    event: "start",
    sequence_number: "1",
    stream_sid: exotelIds.stream,
    start: {
      stream_sid: exotelIds.stream,
      call_sid: exotelIds.call,
      custom_parameters: {},
      media_format: format,
    },
  });

/** A `media` message of `bytes` bytes of silence in `encoding` (0xFF in μ-law, 0 in PCM16). */
function media(encoding: "audio/x-raw" | "audio/x-mulaw", bytes: number, chunk = 1): string {
  const payload = new Uint8Array(bytes).fill(encoding === "audio/x-mulaw" ? 0xff : 0);
  return JSON.stringify({
    event: "media",
    sequence_number: String(chunk + 1),
    stream_sid: exotelIds.stream,
    media: { chunk: String(chunk), timestamp: String(chunk * 100), payload: payload.toBase64() },
  });
}

/**
 * A serializer whose bot speaks and hears at `rate`, so nothing is resampled: a `media` message
 * of n samples comes out as n samples exactly, whatever wire rate it is read at only if that is
 * `rate` (read at another, it comes out longer or shorter).
 */
function exotelFor(rate: number, options: { sampleRate?: number } = {}) {
  const recording = recordingContext();
  const exotel = new ExotelSerializer(options);
  exotel.bind(recording.context);
  exotel.setup({
    inputSampleRate: rate,
    inputChannels: 1,
    outputSampleRate: rate,
    outputChannels: 1,
  });
  return { exotel, ...recording };
}

/** The PCM16 bytes of the audio frames `frames` holds. */
function audioBytes(frames: Frame | Frame[] | null): number {
  return [frames ?? []].flat().reduce((n, f) => n + (f.type === "audio" ? f.audio.length : 0), 0);
}

const DOCUMENTED: [
  format: Record<string, string | number>,
  rate: number,
  bytes: number,
][] = [
  [{ encoding: "audio/x-raw", sample_rate: "8000", bit_rate: "16" }, 8000, 1600],
  [{ encoding: "audio/x-raw", sample_rate: "16000", bit_rate: "16" }, 16000, 3200],
  [{ encoding: "audio/x-raw", sample_rate: 24000, bit_rate: "16" }, 24000, 4800],
  [{ encoding: "audio/x-mulaw;rate=8000", sample_rate: "8000", bit_rate: "8" }, 8000, 800],
  [{ encoding: "audio/x-mulaw", sample_rate: 8000 }, 8000, 800],
];

for (const [format, rate, bytes] of DOCUMENTED) {
  Deno.test(`\`ExotelSerializer\` takes ${format.encoding} at ${format.sample_rate} Hz and reads its media at that rate`, () => {
    const { exotel } = exotelFor(rate);
    assert.equal((exotel.deserialize(startWith(format)) as Frame).type, "start");
    const encoding = String(format.encoding).startsWith("audio/x-mulaw")
      ? "audio/x-mulaw"
      : "audio/x-raw";
    // 100 ms at the announced rate: 100 ms of PCM16 at the bot's, the same rate, exactly.
    assert.equal(audioBytes(exotel.deserialize(media(encoding, bytes))), (rate / 10) * 2);
  });
}

for (const rate of ["16000", "24000", 32000]) {
  Deno.test(`\`ExotelSerializer\` refuses a start of audio/x-mulaw at ${rate} Hz, and its media, until a start it reads`, () => {
    const { exotel, counted } = exotelFor(8000);
    assert.throws(
      () => exotel.deserialize(startWith({ encoding: "audio/x-mulaw", sample_rate: rate })),
      {
        code: "decode",
        message: new RegExp(
          `^Exotel: start\\.media_format\\.sample_rate is ${rate} for audio/x-mulaw: ` +
            "Exotel documents audio/x-raw \\(PCM16 little-endian, 8, 16 or 24 kHz\\) and " +
            "audio/x-mulaw \\(8 kHz\\)",
        ),
      },
    );
    // The ids are kept: marks and clear still reach the stream.
    assert.equal(exotel.streamSid, exotelIds.stream);
    assert.equal(exotel.callSid, exotelIds.call);
    // Its media is refused, never read at 8 kHz (nor at the rate): the first message thrown (the
    // transport reports and counts it), the rest counted each, not reported again.
    assert.throws(() => exotel.deserialize(media("audio/x-mulaw", 1600, 1)), {
      code: "decode",
      message: new RegExp(`sample_rate is ${rate} for audio/x-mulaw: .*its media is refused`),
    });
    assert.equal(exotel.deserialize(media("audio/x-mulaw", 1600, 2)), null);
    assert.equal(counted.decodeErrors, 1);
    // A start Exotel documents lifts it.
    exotel.deserialize(startWith({ encoding: "audio/x-mulaw", sample_rate: "8000" }));
    assert.equal(audioBytes(exotel.deserialize(media("audio/x-mulaw", 800, 3))), 1600);
  });
}

Deno.test("`ExotelSerializer` judges a start's lone sample_rate by the stream's encoding: μ-law at 16 kHz refused", () => {
  const { exotel } = exotelFor(8000);
  exotel.deserialize(startWith({ encoding: "audio/x-mulaw", sample_rate: "8000" }));
  assert.throws(() => exotel.deserialize(startWith({ sample_rate: "16000" })), {
    code: "decode",
    message: /^Exotel: start\.media_format\.sample_rate is 16000 for the stream's mulaw: Exotel/,
  });
  // On a PCM16 stream, the same start is the applet's `?sample-rate=16000`, and taken.
  const pcm = exotelFor(16000);
  pcm.exotel.deserialize(startWith({ sample_rate: "16000" }));
  assert.equal(audioBytes(pcm.exotel.deserialize(media("audio/x-raw", 3200))), 3200);
});

Deno.test("`ExotelSerializer` reads μ-law named without a sample_rate at 8 kHz, not the stream's ?sample-rate=", () => {
  // A stream asked for at 16 kHz (its first start said so), then a start naming μ-law alone:
  // μ-law is documented at 8 kHz only, so that is its rate, and 800 bytes are 100 ms.
  const { exotel, reported } = exotelFor(8000, { sampleRate: 16000 });
  exotel.deserialize(startWith({ encoding: "audio/x-raw", sample_rate: "16000" }));
  exotel.deserialize(startWith({ encoding: "audio/x-mulaw" }));
  assert.equal(audioBytes(exotel.deserialize(media("audio/x-mulaw", 800))), 1600);
  assert.deepEqual(reported, []);
  // PCM16 named alone keeps the stream's rate: 16 kHz from the options until a start says else.
  const pcm = exotelFor(16000, { sampleRate: 16000 });
  pcm.exotel.deserialize(startWith({ encoding: "audio/x-raw" }));
  assert.equal(audioBytes(pcm.exotel.deserialize(media("audio/x-raw", 3200))), 3200);
});
