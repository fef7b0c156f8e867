import assert from "node:assert/strict";
import fc from "fast-check";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { plivoCall, plivoIds } from "./fixtures/plivo_call.ts";
import {
  fakeFetch,
  fuzzDeserializer,
  hangingFetch,
  mediaField,
  playScript,
  toneRoundTrip,
} from "./fixtures/telephony_harness.ts";

const start = (encoding = "audio/x-mulaw", sampleRate = 8000) =>
  JSON.stringify({
    event: "start",
    start: {
      callId: plivoIds.call,
      streamId: plivoIds.stream,
      mediaFormat: { encoding, sampleRate },
    },
  });

/** A serializer set up for 8 kHz mono both ways. */
function plivoAt8kHz(): PlivoSerializer {
  const plivo = new PlivoSerializer();
  plivo.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  return plivo;
}

/** The playAudio message `plivo` sends for 20 ms of 8 kHz silence, parsed. */
function sentSilence(
  plivo: PlivoSerializer,
): { media: { contentType: string; sampleRate: number; payload: string } } {
  return JSON.parse(
    plivo.serialize({
      type: "audio",
      audio: new Uint8Array(320),
      sampleRate: 8000,
      channels: 1,
    }) as string,
  );
}

Deno.test("`PlivoSerializer` plays a documented call message by message both ways", async () => {
  const plivo = plivoAt8kHz();
  await playScript(plivo, plivoCall);
});

for (
  const [encoding, rate] of [["audio/x-mulaw", 8000], ["audio/x-l16", 16000], [
    "audio/x-l16",
    8000,
  ]] as const
) {
  Deno.test(`\`PlivoSerializer\` keeps a 1 kHz tone through ${encoding} at ${rate} Hz`, async () => {
    const plivo = new PlivoSerializer();
    plivo.setup({
      inputSampleRate: 16000,
      inputChannels: 1,
      outputSampleRate: 24000,
      outputChannels: 1,
    });
    plivo.deserialize(start(encoding, rate));
    await toneRoundTrip(plivo, (sent) => {
      const media = sent.media as { contentType: string; sampleRate: number; payload: string };
      assert.equal(media.contentType, encoding);
      assert.equal(media.sampleRate, rate);
      return JSON.stringify({
        event: "media",
        media: { track: "inbound", payload: media.payload },
      });
    }, { outRate: 24000, inRate: 16000 });
  });
}

Deno.test("`PlivoSerializer` answers every fuzzed message with frames or a decode error", async () => {
  const plivo = new PlivoSerializer();
  plivo.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  plivo.deserialize(start());
  const { errors, frames } = await fuzzDeserializer(plivo, {
    events: ["start", "media", "dtmf", "playedStream", "played", "clearedAudio", "stop"],
    fields: {
      media: mediaField,
      start: fc.record({
        callId: fc.oneof(fc.string(), fc.integer()),
        streamId: fc.oneof(fc.string(), fc.integer()),
        mediaFormat: fc.record({
          encoding: fc.constantFrom("audio/x-mulaw", "audio/x-l16", "audio/x-opus", 5),
          sampleRate: fc.constantFrom(8000, 16000, "16000", 0, 7, null),
        }, { requiredKeys: [] }),
      }, { requiredKeys: [] }),
      extra_headers: fc.oneof(fc.string(), fc.constant("a=1;b=2,c")),
      dtmf: fc.record({ digit: fc.oneof(fc.constantFrom("1", "#", "*"), fc.string()) }),
      name: fc.oneof(fc.string(), fc.integer()),
      streamId: fc.string(),
    },
  });
  assert.ok(errors > 1000 && frames > 1000, `errors ${errors}, frames ${frames}`);
});

// A bot presses keys over the stream: Plivo's "Stream Event Protocol" lists `sendDTMF` among the
// messages to Plivo (https://www.plivo.com/docs/voice/audio-streaming/audio-streaming.md,
// "Messages to Plivo"), shaped `{"event": "sendDTMF", "dtmf": "5"}` (Plivo's own
// plivo-labs/agent-transport, docs/livekit_interface_audio_stream.md, "Plivo WebSocket Commands").
Deno.test("`PlivoSerializer` sends a dtmf frame as `sendDTMF`", () => {
  const plivo = plivoAt8kHz();
  plivo.deserialize(start());
  for (const digit of ["5", "#", "*"]) {
    assert.deepEqual(JSON.parse(plivo.serialize({ type: "dtmf", digit }) as string), {
      event: "sendDTMF",
      dtmf: digit,
    });
  }
});

Deno.test("`PlivoSerializer` hangs up once with DELETE, 404 counting as ended", async () => {
  const fake = fakeFetch(() => new Response(null, { status: 204 }));
  const plivo = new PlivoSerializer({ authId: "MAXXXX", authToken: "tok", fetch: fake.fetch });
  plivo.deserialize(start());
  assert.equal(await plivo.serialize({ type: "cancel" }), null);
  assert.equal(await plivo.serialize({ type: "end" }), null);
  assert.equal(fake.calls.length, 1);
  assert.equal(
    fake.calls[0]!.url,
    `https://api.plivo.com/v1/Account/MAXXXX/Call/${plivoIds.call}/`,
  );
  assert.equal(fake.calls[0]!.init.method, "DELETE");
  assert.equal(
    new Headers(fake.calls[0]!.init.headers).get("authorization"),
    `Basic ${btoa("MAXXXX:tok")}`,
  );

  const gone = fakeFetch(() => new Response('{"error":"not found"}', { status: 404 }));
  const a = new PlivoSerializer({ authId: "M", authToken: "t", callId: "c", fetch: gone.fetch });
  assert.equal(await a.serialize({ type: "end" }), null);

  const broken = fakeFetch(() => new Response("oops", { status: 500 }));
  const b = new PlivoSerializer({ authId: "M", authToken: "t", callId: "c", fetch: broken.fetch });
  await assert.rejects(async () => await b.serialize({ type: "end" }), /HTTP 500 oops/);

  const slow = new PlivoSerializer({
    authId: "M",
    authToken: "t",
    callId: "c",
    fetch: hangingFetch,
    hangUpTimeoutMs: 30,
  });
  await assert.rejects(async () => await slow.serialize({ type: "end" }), { code: "timeout" });
});

// Plivo streams and plays back audio/x-mulaw (8 kHz) and audio/x-l16 (8 or 16 kHz) only: the
// `<Stream>` contentType and playAudio's media.contentType allow no other
// (https://docs.plivo.com/docs/voice/xml/audiostream, "contentType"; and
// https://docs.plivo.com/docs/voice/xml/audiostream/stream-events-to-plivo/play-audio-event).
Deno.test("`PlivoSerializer` refuses an encoding its playAudio cannot name", () => {
  const plivo = plivoAt8kHz();
  plivo.deserialize(start());
  assert.throws(() => plivo.deserialize(start("audio/x-alaw")), {
    code: "decode",
    message: /start\.mediaFormat\.encoding "audio\/x-alaw"/,
  });
  // The stream stays as it was: μ-law, so labelled, its silence 0xFF bytes.
  const sent = sentSilence(plivo);
  assert.equal(sent.media.contentType, "audio/x-mulaw");
  assert.deepEqual(new Set(atob(sent.media.payload)), new Set(["\xff"]));

  for (const encoding of ["alaw", "pcm16be"] as const) {
    assert.throws(() => new PlivoSerializer({ encoding }), RangeError);
  }
});

// playAudio's `sampleRate` — "Allowed values: audio/x-l16: 8000, 16000; audio/x-mulaw: 8000"
// (https://docs.plivo.com/docs/voice/xml/audiostream/stream-events-to-plivo/play-audio-event),
// and `<Stream>`'s contentType is one of audio/x-l16;rate=8000, audio/x-l16;rate=16000 and
// audio/x-mulaw;rate=8000 (https://docs.plivo.com/docs/voice/xml/audiostream, "contentType").
Deno.test("`PlivoSerializer` refuses a rate Plivo does not play in its encoding", () => {
  for (
    const [encoding, sampleRate] of [
      ["mulaw", 16000],
      ["mulaw", 24000],
      ["pcm16le", 24000],
      ["pcm16le", 48000],
    ] as const
  ) {
    assert.throws(() => new PlivoSerializer({ encoding, sampleRate }), RangeError);
  }
  const plivo = plivoAt8kHz();
  plivo.deserialize(start());
  assert.throws(() => plivo.deserialize(start("audio/x-l16", 24000)), {
    code: "decode",
    message: /24000/,
  });
  assert.throws(() => plivo.deserialize(start("audio/x-mulaw", 16000)), { code: "decode" });
  // μ-law announced alone is at its only rate, 8 kHz, not the stream's 16 (as Twilio's, Telnyx's
  // and Exotel's serializers read it: plivo_lone_encoding_test.ts): taken, not refused.
  const wideband = new PlivoSerializer({ encoding: "pcm16le", sampleRate: 16000 });
  wideband.deserialize(JSON.stringify({
    event: "start",
    start: { streamId: plivoIds.stream, mediaFormat: { encoding: "audio/x-mulaw" } },
  }));
  assert.equal(sentSilence(wideband).media.sampleRate, 8000);
  // The stream stays as it was, and playAudio names only what Plivo plays.
  const sent = sentSilence(plivo);
  assert.equal(sent.media.contentType, "audio/x-mulaw");
  assert.equal(sent.media.sampleRate, 8000);
});

Deno.test("`PlivoSerializer` keeps a refused start's ids and refuses the media after it", () => {
  const plivo = plivoAt8kHz();
  assert.throws(() => plivo.deserialize(start("audio/x-alaw")), { code: "decode" });
  // The ids are learned (playAudio, checkpoints and clearAudio reach the stream; the call can be
  // hung up); the media is refused until a start we decode, not read as the old format's noise.
  assert.equal(plivo.streamId, plivoIds.stream);
  assert.equal(plivo.callId, plivoIds.call);
  const media = JSON.stringify({
    event: "media",
    streamId: plivoIds.stream,
    media: {
      track: "inbound",
      timestamp: "1705312200000",
      chunk: 1,
      payload: btoa("\x55".repeat(160)),
    },
  });
  assert.throws(() => plivo.deserialize(media), { code: "decode", message: /refused/ });
  plivo.deserialize(start());
  assert.equal((plivo.deserialize(media) as unknown[]).length, 1);
});
