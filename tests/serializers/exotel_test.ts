import assert from "node:assert/strict";
import fc from "fast-check";
import type { TransportError } from "../../src/errors.ts";
import type { Frame } from "../../src/frames.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { exotelAt8kHz, exotelCall, exotelIds } from "./fixtures/exotel_call.ts";
import {
  fuzzDeserializer,
  mediaField,
  playScript,
  type ScriptStep,
  toneRoundTrip,
} from "./fixtures/telephony_harness.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

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
const start = (sampleRate = "8000", format: Record<string, unknown> = {}) =>
  JSON.stringify({
    event: "start",
    stream_sid: exotelIds.stream,
    start: {
      stream_sid: exotelIds.stream,
      call_sid: exotelIds.call,
      media_format: { sample_rate: sampleRate, ...format },
    },
  });

/** An Exotel serializer set up for a 16 kHz mono bot. */
function exotelAt16kHz(): ExotelSerializer {
  const exotel = new ExotelSerializer();
  exotel.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  return exotel;
}

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
  // 11025 Hz is no rate Exotel streams (its extension guide, "1. Media Format":
  // https://developer.exotel.com/docs/agentstream/stream-voicebot-extension).
  const refused = new ExotelSerializer();
  assert.throws(() => refused.deserialize(start("11025")), { code: "decode" });
  // Its ids are kept; its media, at a rate we do not read, is refused: not decoded at 8 kHz.
  assert.equal(refused.streamSid, exotelIds.stream);
  const media = JSON.stringify({
    event: "media",
    media: { payload: btoa("\x10\x20".repeat(110)) },
  });
  assert.throws(() => refused.deserialize(media), { code: "decode", message: /11025/ });
  refused.deserialize(start("16000"));
  assert.equal((refused.deserialize(media) as unknown[]).length, 1);
  assert.throws(
    () =>
      new ExotelSerializer({ streamSid: exotelIds.stream })
        .deserialize('{"event":"media","media":{"payload":"AAAA"}}'),
    /odd length of 3 bytes/,
  );
});

// Exotel's media formats: the Voicebot applet streams "raw/slin (16-bit, 8kHz, mono PCM
// little-endian)", announced as `"encoding": "audio/x-raw"` ("Working with the Stream and Voicebot
// Applet", section "Audio Format", https://developer.exotel.com/docs/agentstream/stream-voicebot-applet;
// the `start` example of https://developer.exotel.com/docs/agentstream/websocket-protocol). The
// beta extension guide, section "1. Media Format"
// (https://developer.exotel.com/docs/agentstream/stream-voicebot-extension), adds the applet's
// MediaFormat `audio/x-mulaw;rate=8000` ("mulaw 8 kHz"), `audio/L16;rate=8000` and
// `audio/L16;rate=16000`; the Legs API's `start_stream` takes the same `content_type`, by default
// `audio/x-mulaw;rate=8000` (https://developer.exotel.com/docs/exoml/verbs/stream). No page shows
// the `start` of a μ-law stream: the one below is the protocol page's, with that encoding.

/** Exotel's `start` with `media_format.encoding` set to `encoding` at 8 kHz. */
const startIn = (encoding: string, bitRate: string) =>
  start("8000", { encoding, bit_rate: bitRate });

/** The bytes of one outbound `media` message, decoded here rather than by the code under test. */
function sentPayload(message: unknown): Uint8Array {
  const parsed = JSON.parse(message as string);
  assert.equal(parsed.event, "media");
  return Uint8Array.from(atob(parsed.media.payload), (c) => c.charCodeAt(0));
}

/** An audio frame of PCM16 little-endian `samples` at 8 kHz. */
function pcmFrame(samples: number[]) {
  const audio = new Uint8Array(new Int16Array(samples).buffer);
  return { type: "audio" as const, audio, sampleRate: 8000, channels: 1 };
}

Deno.test("`ExotelSerializer` speaks μ-law both ways when the start announces audio/x-mulaw", () => {
  const { exotel, reports } = exotelAt8kHz(400);
  exotel.deserialize(startIn("audio/x-mulaw;rate=8000", "8"));
  // G.711 μ-law (ITU-T G.711 table 2a): 0x80 is +32124, 0x00 is -32124, 0xFF and 0x7F are 0.
  const media = JSON.stringify({
    event: "media",
    stream_sid: exotelIds.stream,
    media: { chunk: "1", timestamp: "0", payload: btoa("\x80\x00\xff\x7f") },
  });
  const [frame] = exotel.deserialize(media) as { audio: Uint8Array }[];
  assert.deepEqual(
    Array.from(new Int16Array(frame!.audio.slice().buffer)),
    [32124, -32124, 0, 0],
  );
  // 400 ms of μ-law at 8 kHz is 3,200 bytes: a whole Exotel chunk, sent as is, one byte a sample.
  const whole = Array.from({ length: 3200 }, (_, i) => (i % 2 === 0 ? 32124 : -32124));
  assert.deepEqual(
    sentPayload(exotel.serialize(pcmFrame(whole))),
    Uint8Array.from({ length: 3200 }, (_, i) => (i % 2 === 0 ? 0x80 : 0x00)),
  );
  // A reply's last 10 ms, padded to 3,200 bytes with μ-law silence (0xFF), not with 0x00, which
  // is μ-law's loudest negative sample.
  const last = sentPayload(exotel.serialize(pcmFrame(new Array(80).fill(32124))));
  assert.deepEqual(last, Uint8Array.from({ length: 3200 }, (_, i) => (i < 80 ? 0x80 : 0xff)));
  assert.equal(exotel.paddingBytes, 3120);
  assert.deepEqual(reports, [], "chunkMs 400 makes whole 3,200-byte μ-law messages");
});

Deno.test("`ExotelSerializer` judges chunkMs in μ-law bytes after a μ-law start", () => {
  // 200 ms: 3,200 bytes of PCM16 at 8 kHz, but 1,600 of μ-law.
  const { exotel, reports } = exotelAt8kHz(200);
  exotel.deserialize(startIn("audio/x-mulaw", "8"));
  assert.equal(reports.length, 1);
  assert.match(reports[0]!.message, /1600-byte messages .* use chunkMs 400/);
});

Deno.test("`ExotelSerializer` refuses Exotel's L16, whose byte order is not documented, and the media after it", () => {
  const { context, counted: counts } = recordingContext();
  const exotel = new ExotelSerializer();
  exotel.bind(context);
  assert.throws(
    () => exotel.deserialize(startIn("audio/L16;rate=8000", "16")),
    (error: TransportError) =>
      error.code === "decode" &&
      /start.media_format.encoding "audio\/L16;rate=8000"/.test(error.message) &&
      /audio\/x-raw .*audio\/x-mulaw/.test(error.message) &&
      /byte order/.test(error.message),
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
  assert.throws(() => exotel.deserialize(startIn("audio/x-alaw", "8")), { code: "decode" });
  // A start in a documented encoding lets the media through again.
  exotel.deserialize(startIn("audio/x-raw", "16"));
  assert.equal((exotel.deserialize(media) as unknown[]).length, 1);
});

Deno.test("`ExotelSerializer` hands on the old rate's last samples before a start that changes it", () => {
  const exotel = exotelAt16kHz();
  exotel.deserialize(start("8000"));
  const frames: Frame[] = [];
  for (let chunk = 1; chunk <= 10; chunk++) {
    frames.push(...exotel.deserialize(JSON.stringify({
      event: "media",
      stream_sid: exotelIds.stream,
      media: {
        chunk: String(chunk),
        timestamp: String((chunk - 1) * 20),
        payload: btoa("\x10\x20".repeat(160)),
      },
    })) as Frame[]);
  }
  // The start moves the stream to 16 kHz: what the 8 kHz resampler held comes out first.
  frames.push(...[exotel.deserialize(start("16000"))].flat() as Frame[]);
  assert.equal(frames.at(-1)?.type, "start");
  // 200 ms of PCM16 at 8 kHz is 3,200 samples at 16 kHz: every one reaches the bot.
  const samples = frames.reduce((n, f) => n + (f.type === "audio" ? f.audio.length / 2 : 0), 0);
  assert.equal(samples, 3200);
});

Deno.test("`ExotelSerializer` answers every fuzzed message with frames or a decode error", async () => {
  const exotel = exotelAt16kHz();
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

Deno.test("`ExotelSerializer` pads nothing inside a reply whose voice has another rate than the last", () => {
  const exotel = new ExotelSerializer();
  exotel.bind(recordingContext().context);
  exotel.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
    outputChunkMs: 200,
  });
  exotel.deserialize(start());
  const toneAt = (rate: number) => {
    const samples = new Int16Array(rate / 5); // 200 ms
    for (let i = 0; i < samples.length; i++) {
      samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
    }
    return {
      type: "audio" as const,
      audio: new Uint8Array(samples.buffer),
      sampleRate: rate,
      channels: 1,
    };
  };
  const sizes = [16000, 16000, 24000, 24000, 16000].map((rate) =>
    sentPayload(exotel.serialize(toneAt(rate))).length
  );
  assert.deepEqual(sizes, [3200, 3200, 3200, 3200, 3200], "whole 200 ms messages at 8 kHz");
  assert.equal(exotel.paddedMessages, 0);
});

// Exotel's "Track Selection" (developer.exotel.com/docs/agentstream/stream-voicebot-extension,
// section 2): with `both`, the tracks come interleaved and "each WebSocket message includes a
// track field indicating inbound or outbound"; outbound is "what the caller hears", the bot's own
// voice, never the caller's input.
/** Media message `chunk` of 20 ms PCM16 at 8 kHz, every sample `sample`, on `track` if given. */
const media = (chunk: number, track: string | undefined, sample: number) =>
  JSON.stringify({
    event: "media",
    stream_sid: exotelIds.stream,
    media: {
      chunk: String(chunk),
      timestamp: String((chunk - 1) * 20),
      payload: btoa(String.fromCharCode(...pcmFrame(new Array(160).fill(sample)).audio)),
      ...(track === undefined ? {} : { track }),
    },
  });

Deno.test("`ExotelSerializer` takes the caller's track only when both tracks are streamed", () => {
  const { exotel } = exotelAt8kHz(200);
  exotel.deserialize(start());
  const heard = [
    media(1, "inbound", 1000),
    media(1, "outbound", -1000),
    media(2, "outbound", -1000),
    media(2, "inbound", 1000),
    media(3, undefined, 1000), // a message naming no track is the caller's
  ].flatMap((message) => (exotel.deserialize(message) ?? []) as { audio: Uint8Array }[]);
  assert.equal(heard.length, 3);
  for (const frame of heard) {
    assert.deepEqual(new Set(new Int16Array(frame.audio.slice().buffer)), new Set([1000]));
  }
});

Deno.test("`ExotelSerializer` skips the outbound track of a refused stream, as of any stream: no decode error", () => {
  // The outbound track is "what the caller hears" (Track Selection, above): never media to decode,
  // so never media to refuse either.
  const exotel = new ExotelSerializer();
  assert.throws(() => exotel.deserialize(startIn("audio/L16;rate=8000", "16")), { code: "decode" });
  assert.equal(exotel.deserialize(media(1, "outbound", -1000)), null);
  assert.throws(() => exotel.deserialize(media(1, "inbound", 1000)), { code: "decode" });
});

Deno.test("`ExotelSerializer` refuses the media after a start whose media_format cannot be read", () => {
  // Exotel's start announces `media_format` with `encoding` a string ("audio/x-raw") and
  // `sample_rate` a number ("8000"; the `start` example of
  // https://developer.exotel.com/docs/agentstream/websocket-protocol). One that cannot be read
  // leaves the stream's format unknown: its media is refused, as after a format we do not read,
  // never decoded in the old one.
  const unreadable: [string, Record<string, unknown>][] = [
    ["an encoding that is no string", { encoding: 16 }],
    ["a sample_rate that is no number", { sample_rate: "fast" }],
    ["a sample_rate that is an object", { sample_rate: { hz: 16000 } }],
  ];
  for (const [name, format] of unreadable) {
    const exotel = new ExotelSerializer();
    exotel.deserialize(start("8000"));
    assert.equal((exotel.deserialize(media(1, undefined, 1000)) as unknown[]).length, 1, name);
    assert.throws(() => exotel.deserialize(start("16000", format)), { code: "decode" }, name);
    assert.throws(
      () => exotel.deserialize(media(1, undefined, 1000)),
      { code: "decode", message: /: start\.media_format\.\S+ is not a .*: its media is refused/ },
      name,
    );
    // A readable start lets the media through again.
    exotel.deserialize(start("16000"));
    assert.equal((exotel.deserialize(media(1, undefined, 1000)) as unknown[]).length, 1, name);
  }
});
