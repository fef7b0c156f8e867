import assert from "node:assert/strict";
import fc from "fast-check";
import type { TransportError } from "../../src/errors.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { exotelCall, exotelIds } from "./fixtures/exotel_call.ts";
import {
  fuzzDeserializer,
  mediaField,
  playScript,
  type ScriptStep,
  toneRoundTrip,
} from "./fixtures/telephony_harness.ts";

/**
 * The documented call with our reply as Exotel takes it: a media payload of at least 3,200 bytes
 * in whole 320-byte units ("Chunk size window for Bidirectional streaming use case", Exotel's
 * "Working with the Stream Applet"), so the call's 8-byte reply goes out followed by PCM16
 * silence (zero bytes) up to 3,200.
 */
const exotelCallAsSent: ScriptStep[] = exotelCall.map((step) => {
  if ("from" in step || step.frame.type !== "audio") return step;
  const wire = step.wire as { media: { payload: string } };
  const padded = new Uint8Array(3200);
  padded.set(Uint8Array.from(atob(wire.media.payload), (c) => c.charCodeAt(0)));
  const payload = btoa(String.fromCharCode(...padded));
  return { ...step, wire: { ...wire, media: { ...wire.media, payload } } };
});

/** A start message; `format` adds to (or replaces) its media_format's sample rate. */
const start = (sampleRate = "8000", format: Record<string, string> = {}) =>
  JSON.stringify({
    event: "start",
    stream_sid: exotelIds.stream,
    start: {
      stream_sid: exotelIds.stream,
      call_sid: exotelIds.call,
      media_format: { sample_rate: sampleRate, ...format },
    },
  });

Deno.test("`ExotelSerializer` plays a documented call message by message both ways", async () => {
  const exotel = new ExotelSerializer();
  exotel.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  await playScript(exotel, exotelCallAsSent);
});

for (const rate of ["8000", "16000", "24000"]) {
  Deno.test(`\`ExotelSerializer\` keeps a 1 kHz tone at ${rate} Hz`, async () => {
    const exotel = new ExotelSerializer();
    exotel.setup({
      inputSampleRate: 16000,
      inputChannels: 1,
      outputSampleRate: 24000,
      outputChannels: 1,
    });
    exotel.deserialize(start(rate));
    // 200 ms chunks, as the README asks at 8 kHz: whole Exotel chunks at every rate, unpadded.
    await toneRoundTrip(exotel, (sent) => {
      const payload = (sent.media as { payload: string }).payload;
      return JSON.stringify({ event: "media", stream_sid: sent.stream_sid, media: { payload } });
    }, { outRate: 24000, inRate: 16000, chunkMs: 200 });
  });
}

Deno.test("`ExotelSerializer` refuses sample rates Exotel does not offer", () => {
  assert.throws(() => new ExotelSerializer({ sampleRate: 44100 }), RangeError);
  assert.throws(() => new ExotelSerializer().deserialize(start("11025")), { code: "decode" });
  assert.throws(
    () => new ExotelSerializer().deserialize('{"event":"media","media":{"payload":"AAAA"}}'),
    /odd length of 3 bytes/,
  );
});

Deno.test("`ExotelSerializer` refuses a start announcing an encoding other than raw PCM16, and the media after it", () => {
  // The Voicebot applet streams "raw/slin (16-bit, 8kHz, mono PCM little-endian)", announced as
  // `"encoding": "audio/x-raw"` (https://developer.exotel.com/docs/agentstream/stream-voicebot-applet,
  // https://developer.exotel.com/docs/agentstream/websocket-protocol). Exotel's beta extension guide
  // also names `audio/x-mulaw;rate=8000` and `audio/L16;rate=…`
  // (https://developer.exotel.com/docs/agentstream/stream-voicebot-extension): μ-law read as PCM16
  // is noise, and the byte order of its L16 is not documented, so both are refused.
  const counts: Record<string, number> = {};
  const exotel = new ExotelSerializer();
  exotel.bind({
    send() {},
    count: (counter, amount = 1) => void (counts[counter] = (counts[counter] ?? 0) + amount),
    report() {},
  });
  const startWith = (encoding: string) => start("8000", { encoding, bit_rate: "8" });
  assert.throws(
    () => exotel.deserialize(startWith("audio/x-mulaw")),
    (error: TransportError) =>
      error.code === "decode" && /start.media_format.encoding "audio\/x-mulaw"/.test(error.message),
  );
  // The ids are kept (marks and clear still reach the stream); the media is refused, not decoded.
  assert.equal(exotel.streamSid, exotelIds.stream);
  const media = JSON.stringify({
    event: "media",
    stream_sid: exotelIds.stream,
    media: { chunk: "1", timestamp: "0", payload: btoa("\x55".repeat(160)) },
  });
  assert.throws(() => exotel.deserialize(media), { code: "decode" });
  assert.deepEqual(counts, {}, "nothing taken in as media");
  assert.throws(() => exotel.deserialize(startWith("audio/L16;rate=8000")), { code: "decode" });
  // A start in raw PCM16 lets the media through again.
  exotel.deserialize(startWith("audio/x-raw"));
  assert.equal((exotel.deserialize(media) as unknown[]).length, 1);
});

Deno.test("`ExotelSerializer` answers every fuzzed message with frames or a decode error", async () => {
  const exotel = new ExotelSerializer();
  exotel.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  exotel.deserialize(start());
  const { errors, frames } = await fuzzDeserializer(exotel, {
    events: ["connected", "start", "media", "dtmf", "mark", "stop"],
    fields: {
      stream_sid: fc.string(),
      media: mediaField,
      start: fc.record({
        stream_sid: fc.oneof(fc.string(), fc.integer()),
        call_sid: fc.string(),
        custom_parameters: fc.dictionary(
          fc.string(),
          fc.oneof(fc.string(), fc.boolean(), fc.object()),
        ),
        media_format: fc.record({ sample_rate: fc.constantFrom("8000", "16000", 24000, "x", 1) }),
      }, { requiredKeys: [] }),
      dtmf: fc.record({ digit: fc.oneof(fc.constantFrom("1", "#"), fc.string(), fc.integer()) }),
      mark: fc.record({ name: fc.oneof(fc.string(), fc.integer()) }),
      stop: fc.record({ reason: fc.oneof(fc.string(), fc.integer()) }),
    },
  });
  assert.ok(errors > 1000 && frames > 1000, `errors ${errors}, frames ${frames}`);
});
