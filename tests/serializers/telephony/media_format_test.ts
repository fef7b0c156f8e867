import assert from "node:assert/strict";
import { TransportError } from "../../../src/errors.ts";
import { JsonReader } from "../../../src/serializers/telephony/json_reader.ts";
import { readMediaFormat } from "../../../src/serializers/telephony/media_format.ts";
import { readMediaMessage } from "../../../src/serializers/telephony/media_message.ts";

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
  // A provider that streams fewer encodings than the kit speaks: another is refused as unknown,
  // with what it does stream.
  const plivo = { ...PLIVO, encodings: ["mulaw", "pcm16le"] as const, streams: "it streams two" };
  assert.throws(
    () => readMediaFormat(format('{"encoding":"audio/x-alaw"}'), plivo),
    (e) =>
      e instanceof TransportError && e.code === "decode" &&
      e.message === 'Acme: unsupported start.media_format.encoding "audio/x-alaw": it streams two',
  );
  assert.deepEqual(readMediaFormat(format('{"encoding":"audio/x-mulaw"}'), plivo), {
    encoding: "mulaw",
  });
});

Deno.test("`readMediaMessage` takes the inbound tracks only, requires a payload, reads number and time", () => {
  const media = (json: string) => JsonReader.parse(`{"event":"media","media":${json}}`, "Acme");
  const inboundTracks = ["inbound", "inbound_track"];
  const payloadOf = (json: string, options?: { inboundTracks: string[] }) =>
    readMediaMessage(media(json), options)?.payload ?? null;
  assert.equal(payloadOf('{"payload":"AA=="}', { inboundTracks }), "AA==");
  assert.equal(payloadOf('{"track":"inbound_track","payload":"AA=="}', { inboundTracks }), "AA==");
  assert.equal(payloadOf('{"track":"outbound","payload":"AA=="}', { inboundTracks }), null);
  assert.equal(payloadOf('{"track":"outbound","payload":"AA=="}'), "AA==");
  assert.deepEqual(readMediaMessage(media('{"chunk":"7","timestamp":140,"payload":"AA=="}')), {
    sequence: 7,
    timestampMs: 140,
    payload: "AA==",
  });
  assert.deepEqual(readMediaMessage(media('{"payload":"AA=="}')), {
    sequence: undefined,
    timestampMs: undefined,
    payload: "AA==",
  });
  assert.throws(
    () => readMediaMessage(media('{"track":"outbound"}'), { inboundTracks }),
    /media\.payload is not a string/,
  );
  assert.throws(
    () => readMediaMessage(media('{"track":1,"payload":"AA=="}')),
    /media\.track is not a string/,
  );
  assert.throws(
    () => readMediaMessage(media('{"chunk":"x","payload":"AA=="}')),
    /media\.chunk is not a number/,
  );
});
