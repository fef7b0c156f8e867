// The formats `PlivoSerializer` takes from a start's `mediaFormat`: those Plivo documents, each at
// its own rates, no other. `<Stream>`'s `contentType` is one of `audio/x-l16;rate=8000`,
// `audio/x-l16;rate=16000` and `audio/x-mulaw;rate=8000`
// (https://docs.plivo.com/docs/voice/xml/audiostream, "contentType"), and playAudio's
// `sampleRate` allows "audio/x-l16: 8000, 16000; audio/x-mulaw: 8000"
// (https://docs.plivo.com/docs/voice/xml/audiostream/stream-events-to-plivo/play-audio-event).
// Plivo's L16 is little-endian. A start announcing another pair is a decode error naming the
// field and value and what Plivo streams; what the start leaves out is the stream's, and the pair
// it makes is judged.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import type { TelephonyEncoding } from "../../src/serializers/telephony/telephony_encoding.ts";
import { plivoFor, plivoIds, plivoMedia, plivoStartWith } from "./fixtures/plivo_call.ts";

const PLIVO_STREAMS = "Plivo streams audio/x-mulaw at 8000 Hz and audio/x-l16 at 8000 or 16000 Hz";

Deno.test("`PlivoSerializer` reads audio/x-l16 at 16 kHz little-endian, at that rate", () => {
  const plivo = plivoFor(16000);
  assert.equal(
    (plivo.deserialize(plivoStartWith({ encoding: "audio/x-l16", sampleRate: 16000 })) as Frame)
      .type,
    "start",
  );
  // 1000 and -2 little-endian: E8 03, FE FF. Read big-endian, they would be -6141 and -257.
  const frames = [plivo.deserialize(plivoMedia(Uint8Array.of(0xe8, 0x03, 0xfe, 0xff)))].flat();
  const audio = frames.filter((f) => f?.type === "audio");
  assert.equal(audio.length, 1);
  assert.deepEqual(Array.from(new Int16Array(audio[0]!.audio.slice().buffer)), [1000, -2]);
});

for (
  const [format, because] of [
    [{ encoding: "audio/x-mulaw", sampleRate: 16000 }, "is 16000 for audio/x-mulaw"],
    [{ encoding: "audio/x-mulaw", sampleRate: 24000 }, "is 24000 for audio/x-mulaw"],
    [{ encoding: "audio/x-l16", sampleRate: 24000 }, "is 24000 for audio/x-l16"],
    [{ encoding: "audio/x-l16", sampleRate: 48000 }, "is 48000 for audio/x-l16"],
  ] as const
) {
  Deno.test(`\`PlivoSerializer\` refuses ${format.encoding} at ${format.sampleRate} Hz, naming the field and value`, () => {
    const plivo = plivoFor(8000);
    assert.throws(() => plivo.deserialize(plivoStartWith(format)), {
      code: "decode",
      message: `Plivo: start.mediaFormat.sampleRate ${because}: ${PLIVO_STREAMS}`,
    });
    // The ids are kept; the stream's media refused until a start we decode.
    assert.equal(plivo.streamId, plivoIds.stream);
    assert.throws(() => plivo.deserialize(plivoMedia(new Uint8Array(160))), /its media is refused/);
  });
}

Deno.test("`PlivoSerializer` judges what a start leaves out as the stream's", () => {
  // A lone sampleRate is the stream's encoding's: μ-law at 16 kHz, refused.
  const mulaw = plivoFor(8000);
  assert.throws(() => mulaw.deserialize(plivoStartWith({ sampleRate: 16000 })), {
    code: "decode",
    message:
      `Plivo: start.mediaFormat.sampleRate is 16000 for the stream's mulaw: ${PLIVO_STREAMS}`,
  });
  // A lone encoding is at the stream's rate, but μ-law's only one, 8 kHz, where the stream was at
  // 16 (plivo_lone_encoding_test.ts): taken, and a lone rate after it judged as μ-law's.
  const wideband = plivoFor(16000, { encoding: "pcm16le", sampleRate: 16000 });
  wideband.deserialize(plivoStartWith({ encoding: "audio/x-mulaw" }));
  assert.throws(() => wideband.deserialize(plivoStartWith({ sampleRate: 16000 })), {
    code: "decode",
    message:
      `Plivo: start.mediaFormat.sampleRate is 16000 for the stream's mulaw: ${PLIVO_STREAMS}`,
  });
  // L16's own rate, 16 kHz, named alone on an 8 kHz L16 stream: taken, read at 16 kHz.
  const l16 = plivoFor(16000, { encoding: "pcm16le" });
  l16.deserialize(plivoStartWith({ sampleRate: 16000 }));
  const frames = [l16.deserialize(plivoMedia(new Uint8Array(640)))].flat();
  assert.equal(frames.filter((f) => f?.type === "audio")[0]!.audio.length, 640, "20 ms at 16 kHz");
});

Deno.test("`PlivoSerializer` refuses options outside the same list, a RangeError naming it", () => {
  for (const encoding of ["alaw", "pcm16be", "g722", "toString", "__proto__"]) {
    assert.throws(
      () => new PlivoSerializer({ encoding: encoding as TelephonyEncoding }),
      RangeError,
    );
  }
  assert.throws(() => new PlivoSerializer({ encoding: "pcm16le", sampleRate: 24000 }), {
    name: "RangeError",
    message: `sampleRate 24000 with encoding pcm16le: ${PLIVO_STREAMS}`,
  });
  assert.doesNotThrow(() => new PlivoSerializer({ encoding: "pcm16le", sampleRate: 16000 }));
});
