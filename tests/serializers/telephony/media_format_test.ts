import assert from "node:assert/strict";
import { TransportError } from "../../../src/errors.ts";
import { JsonReader } from "../../../src/serializers/telephony/json_reader.ts";
import { readMediaFormat } from "../../../src/serializers/telephony/media_format.ts";
import { readMediaPayload } from "../../../src/serializers/telephony/media_payload.ts";

const TELNYX = { encoding: "encoding", sampleRate: "sample_rate" };
const PLIVO = { encoding: "encoding", sampleRate: "sampleRate", littleEndianL16: true };
const format = (json: string) =>
  JsonReader.parse(`{"start":{"media_format":${json}}}`, "Acme").object("start").object(
    "media_format",
  );

Deno.test("`readMediaFormat` reads each provider's names, and only what was announced", () => {
  assert.deepEqual(readMediaFormat(format('{"encoding":"PCMA","sample_rate":8000}'), TELNYX), {
    encoding: "alaw",
    sampleRate: 8000,
  });
  assert.deepEqual(readMediaFormat(format('{"encoding":"L16","sample_rate":"16000"}'), TELNYX), {
    encoding: "pcm16be",
    sampleRate: 16000,
  });
  assert.deepEqual(readMediaFormat(format('{"encoding":"audio/x-l16"}'), PLIVO), {
    encoding: "pcm16le",
  });
  assert.deepEqual(readMediaFormat(format('{"sampleRate":16000}'), PLIVO), { sampleRate: 16000 });
  assert.deepEqual(readMediaFormat(format("{}"), TELNYX), {});
});

Deno.test("`readMediaFormat` refuses what it cannot convert, naming the field", () => {
  assert.throws(
    () => readMediaFormat(format('{"encoding":"OPUS"}'), TELNYX),
    (e) =>
      e instanceof TransportError && e.code === "decode" &&
      e.message === 'Acme: unsupported start.media_format.encoding "OPUS"',
  );
  assert.throws(
    () => readMediaFormat(format('{"sample_rate":11025}'), TELNYX),
    (e) =>
      e instanceof TransportError && e.message === "Acme: start.media_format.sample_rate is 11025",
  );
  assert.throws(() => readMediaFormat(format('{"encoding":5}'), TELNYX), TransportError);
});

Deno.test("`readMediaPayload` takes the inbound tracks only, and requires a payload", () => {
  const media = (json: string) => JsonReader.parse(`{"event":"media","media":${json}}`, "Acme");
  const inboundTracks = ["inbound", "inbound_track"];
  assert.equal(readMediaPayload(media('{"payload":"AA=="}'), { inboundTracks }), "AA==");
  assert.equal(
    readMediaPayload(media('{"track":"inbound_track","payload":"AA=="}'), { inboundTracks }),
    "AA==",
  );
  assert.equal(
    readMediaPayload(media('{"track":"outbound","payload":"AA=="}'), { inboundTracks }),
    null,
  );
  assert.equal(readMediaPayload(media('{"track":"outbound","payload":"AA=="}')), "AA==");
  assert.throws(
    () => readMediaPayload(media('{"track":"outbound"}'), { inboundTracks }),
    /media\.payload is not a string/,
  );
  assert.throws(
    () => readMediaPayload(media('{"track":1,"payload":"AA=="}')),
    /media\.track is not a string/,
  );
});
