// `readMediaFormat`'s `before` (the stream's format until this start) where the provider gives no
// `rates` list, as a serializer of one's own built from the telephony kit may: a start naming a
// rate alone is at the stream's encoding, so a rate that encoding cannot be at is refused as a
// decode error naming the field and value, as the function's documentation says. G.722 is 16 kHz
// audio on RTP's 8 kHz clock (RFC 3551 §4.5.2): 8000 or 16000 names it, no other rate does. Left
// through, 24000 on a G.722 stream reached `TelephonyAudio.configure`, whose `RangeError` named
// neither the field nor the start.
import assert from "node:assert/strict";
import { TransportError } from "../../../src/errors.ts";
import { JsonReader } from "../../../src/serializers/telephony/json_reader.ts";
import { readMediaFormat } from "../../../src/serializers/telephony/media_format.ts";
import { TelephonyAudio } from "../../../src/serializers/telephony/telephony_audio.ts";

/** A made-up provider naming its fields as Telnyx does, and listing no rates of its own. */
const ACME = { encoding: "encoding", sampleRate: "sample_rate" };
const format = (json: string) =>
  JsonReader.parse(`{"start":{"media_format":${json}}}`, "Acme").object("start").object(
    "media_format",
  );

Deno.test("`readMediaFormat` judges a rate named alone by the stream's encoding: no G.722 at 24 kHz", () => {
  const g722 = new TelephonyAudio({ encoding: "g722", sampleRate: 8000, provider: "Acme" });
  const before = { encoding: g722.encoding, sampleRate: g722.sampleRate };
  assert.throws(
    () => g722.configure(readMediaFormat(format('{"sample_rate":24000}'), ACME, before)),
    (e) =>
      e instanceof TransportError && e.code === "decode" &&
      e.message === "Acme: start.media_format.sample_rate is 24000 for the stream's g722",
  );
  // The stream is as it was: G.722 on its 8 kHz clock.
  assert.equal(g722.encoding, "g722");
  assert.equal(g722.sampleRate, 8000);
  // Its two rates still name it, and another encoding's rate comes with that encoding.
  for (const rate of [8000, 16000]) {
    assert.deepEqual(readMediaFormat(format(`{"sample_rate":${rate}}`), ACME, before), {
      sampleRate: rate,
    });
  }
  assert.deepEqual(
    readMediaFormat(format('{"encoding":"L16","sample_rate":24000}'), ACME, before),
    { encoding: "pcm16be", sampleRate: 24000 },
  );
});

Deno.test("`readMediaFormat` still takes any convertible rate named alone on a stream of linear PCM", () => {
  const before = { encoding: "pcm16be", sampleRate: 16000 } as const;
  assert.deepEqual(readMediaFormat(format('{"sample_rate":24000}'), ACME, before), {
    sampleRate: 24000,
  });
  // And what the resampler cannot convert is refused with the stream's encoding named.
  assert.throws(
    () => readMediaFormat(format('{"sample_rate":11025}'), ACME, before),
    (e) =>
      e instanceof TransportError && e.code === "decode" &&
      e.message === "Acme: start.media_format.sample_rate is 11025 for the stream's pcm16be",
  );
});
