// `readMediaFormat`'s `rates`: the rates a provider documents for each encoding it streams. A
// start announcing another is refused by the field and value, as one the resampler cannot convert
// is; what the start leaves out of the pair (encoding, rate) is the stream's format before it.
// The provider here is made up ("Acme"), its lists shaped as Telnyx's are (G.711 at 8000, G.722
// at its RTP clock or its audio rate, L16 at a few).
import assert from "node:assert/strict";
import { TransportError } from "../../../src/errors.ts";
import { JsonReader } from "../../../src/serializers/telephony/json_reader.ts";
import {
  type MediaFormatFields,
  readMediaFormat,
} from "../../../src/serializers/telephony/media_format.ts";

const ACME: MediaFormatFields = {
  encoding: "encoding",
  sampleRate: "sample_rate",
  rates: { mulaw: [8000], g722: [8000, 16000], pcm16be: [8000, 16000, 24000] },
  streams: "Acme streams PCMU at 8000 Hz, G722 at 8000 or 16000, L16 at 8000, 16000 or 24000",
};
const format = (json: string) =>
  JsonReader.parse(`{"start":{"media_format":${json}}}`, "Acme").object("start").object(
    "media_format",
  );
const refusal = (message: string) => (e: unknown) =>
  e instanceof TransportError && e.code === "decode" && e.message === message;

Deno.test("`readMediaFormat` takes each rate a provider documents for the encoding announced", () => {
  for (
    const [name, encoding, rate] of [
      ["PCMU", "mulaw", 8000],
      ["G722", "g722", 8000],
      ["G722", "g722", 16000],
      ["L16", "pcm16be", 8000],
      ["L16", "pcm16be", 16000],
      ["L16", "pcm16be", 24000],
    ] as const
  ) {
    assert.deepEqual(
      readMediaFormat(format(`{"encoding":"${name}","sample_rate":${rate}}`), ACME),
      { encoding, sampleRate: rate },
    );
  }
});

Deno.test("`readMediaFormat` refuses a rate the provider does not document for the encoding, naming the field and value", () => {
  // Each converts (the resampler has 32, 44.1 and 48 kHz): the refusal is the provider's lists'.
  for (const [name, rate] of [["PCMU", 32000], ["PCMU", 16000], ["L16", 44100], ["L16", 48000]]) {
    assert.throws(
      () => readMediaFormat(format(`{"encoding":"${name}","sample_rate":${rate}}`), ACME),
      refusal(`Acme: start.media_format.sample_rate is ${rate} for ${name}: ${ACME.streams}`),
    );
  }
  // An encoding it speaks but the provider lists no rate for is not one it streams.
  assert.throws(
    () => readMediaFormat(format('{"encoding":"PCMA","sample_rate":8000}'), ACME),
    refusal(`Acme: unsupported start.media_format.encoding "PCMA": ${ACME.streams}`),
  );
  // What the resampler cannot convert is refused as before, whatever the lists, saying what the
  // provider streams too.
  assert.throws(
    () => readMediaFormat(format('{"encoding":"L16","sample_rate":11025}'), ACME),
    refusal(`Acme: start.media_format.sample_rate is 11025 for L16: ${ACME.streams}`),
  );
});

Deno.test("`readMediaFormat` judges half a format with the stream's other half", () => {
  const l16At16k = { encoding: "pcm16be", sampleRate: 16000 } as const;
  const mulawAt8k = { encoding: "mulaw", sampleRate: 8000 } as const;
  // A rate alone is the stream's encoding's.
  assert.deepEqual(readMediaFormat(format('{"sample_rate":24000}'), ACME, l16At16k), {
    sampleRate: 24000,
  });
  assert.throws(
    () => readMediaFormat(format('{"sample_rate":24000}'), ACME, mulawAt8k),
    refusal(
      `Acme: start.media_format.sample_rate is 24000 for the stream's mulaw: ${ACME.streams}`,
    ),
  );
  // An encoding alone is at the stream's rate (L16 after μ-law: 8 kHz, a rate Acme lists for it),
  assert.deepEqual(readMediaFormat(format('{"encoding":"L16"}'), ACME, mulawAt8k), {
    encoding: "pcm16be",
  });
  // but at its only rate where Acme lists one: PCMU after L16 at 16 kHz is PCMU at 8 kHz, given.
  assert.deepEqual(readMediaFormat(format('{"encoding":"PCMU"}'), ACME, l16At16k), {
    encoding: "mulaw",
    sampleRate: 8000,
  });
  // G.722 named alone is at its own rate (RTP's clock), whatever the stream's was.
  assert.deepEqual(
    readMediaFormat(format('{"encoding":"G722"}'), ACME, {
      encoding: "pcm16be",
      sampleRate: 24000,
    }),
    { encoding: "g722" },
  );
  // Nothing announced: nothing to judge, whatever the stream's format.
  assert.deepEqual(
    readMediaFormat(format("{}"), ACME, { encoding: "alaw", sampleRate: 48000 }),
    {},
  );
  // Without the stream's format, a rate alone is judged against every encoding's.
  assert.deepEqual(readMediaFormat(format('{"sample_rate":16000}'), ACME), { sampleRate: 16000 });
  assert.throws(
    () => readMediaFormat(format('{"sample_rate":48000}'), ACME),
    refusal(`Acme: start.media_format.sample_rate is 48000: ${ACME.streams}`),
  );
});
