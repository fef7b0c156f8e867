import assert from "node:assert/strict";
import fc from "fast-check";
import { WebSocketTransport } from "@x/ws-transport";
import { FakeClock, MemorySocketPair } from "@x/ws-transport/testing";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import type { TransportError } from "../../src/errors.ts";
import { telnyxCall, telnyxIds, telnyxStart } from "./fixtures/telnyx_call.ts";
import {
  fakeFetch,
  fuzzDeserializer,
  hangingFetch,
  mediaField,
  playScript,
  toneRoundTrip,
} from "./fixtures/telephony_harness.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

const SETUP_8K = {
  inputSampleRate: 8000,
  inputChannels: 1,
  outputSampleRate: 8000,
  outputChannels: 1,
};

Deno.test("`TelnyxSerializer` plays a documented call message by message both ways", async () => {
  const telnyx = new TelnyxSerializer();
  const { context, counted: counts } = recordingContext();
  telnyx.bind(context);
  telnyx.setup(SETUP_8K);
  await playScript(telnyx, telnyxCall);
  assert.deepEqual(counts, { inboundMediaLate: 1 });
});

const OUTBOUND = { PCMU: "mulaw", PCMA: "alaw", L16: "pcm16be" } as const;

for (const [encoding, rate] of [["PCMU", 8000], ["PCMA", 8000], ["L16", 16000]] as const) {
  Deno.test(`\`TelnyxSerializer\` keeps a 1 kHz tone through ${encoding} at ${rate} Hz`, async () => {
    // Both ways in one codec: the application set the bidirectional codec to the stream's.
    const telnyx = new TelnyxSerializer({
      outboundEncoding: OUTBOUND[encoding],
      outboundSampleRate: rate,
    });
    telnyx.setup({
      inputSampleRate: 16000,
      inputChannels: 1,
      outputSampleRate: 24000,
      outputChannels: 1,
    });
    telnyx.deserialize(telnyxStart(encoding, rate));
    let sequence = 1;
    await toneRoundTrip(telnyx, (sent) => {
      const payload = (sent.media as { payload: string }).payload;
      return JSON.stringify({
        event: "media",
        sequence_number: String(++sequence),
        media: { track: "inbound", payload },
      });
    }, { outRate: 24000, inRate: 16000 });
  });
}

Deno.test("`TelnyxSerializer` sends L16 big-endian", () => {
  const telnyx = new TelnyxSerializer({ outboundEncoding: "pcm16be" });
  telnyx.setup(SETUP_8K);
  telnyx.deserialize(telnyxStart("L16", 8000));
  // 20 ms (Telnyx's shortest message), its first sample 0x1234.
  const audio = new Uint8Array(320);
  audio.set([0x34, 0x12]);
  const sent = JSON.parse(
    telnyx.serialize({ type: "audio", audio, sampleRate: 8000, channels: 1 }) as string,
  );
  const payload = Uint8Array.fromBase64(sent.media.payload);
  assert.equal(payload.length, 320);
  assert.deepEqual([...payload.subarray(0, 2)], [0x12, 0x34]);
});

Deno.test("`TelnyxSerializer` reports an unsupported codec as a decode error", () => {
  const telnyx = new TelnyxSerializer();
  assert.throws(
    () => telnyx.deserialize(telnyxStart("OPUS")),
    /unsupported start.media_format.encoding "OPUS"/,
  );
  assert.throws(() => telnyx.deserialize(telnyxStart("PCMU", 11025)), { code: "decode" });
});

Deno.test("`TelnyxSerializer` answers every fuzzed message with frames or a decode error", async () => {
  const telnyx = new TelnyxSerializer();
  telnyx.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  telnyx.deserialize(telnyxStart());
  const { errors, frames } = await fuzzDeserializer(telnyx, {
    events: ["connected", "start", "media", "dtmf", "mark", "stop", "error"],
    fields: {
      sequence_number: fc.oneof(fc.nat().map(String), fc.string(), fc.nat()),
      stream_id: fc.string(),
      media: mediaField,
      start: fc.record({
        call_control_id: fc.oneof(fc.string(), fc.integer()),
        client_state: fc.oneof(fc.string(), fc.integer()),
        custom_parameters: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.object())),
        media_format: fc.record({
          encoding: fc.constantFrom("PCMU", "PCMA", "L16", "G722", 1),
          sample_rate: fc.constantFrom(8000, 16000, "8000", 0, -1, 44.5, 12345),
        }, { requiredKeys: [] }),
      }, { requiredKeys: [] }),
      dtmf: fc.record({ digit: fc.oneof(fc.constantFrom("1", "#", "a"), fc.integer()) }),
      payload: fc.record({ digit: fc.string() }),
      mark: fc.record({ name: fc.oneof(fc.string(), fc.integer()) }),
    },
  });
  assert.ok(errors > 1000 && frames > 1000, `errors ${errors}, frames ${frames}`);
});

Deno.test("`TelnyxSerializer` hangs up once with the API key, 422/90018 counting as ended", async () => {
  const fake = fakeFetch(() => new Response("{}"));
  const telnyx = new TelnyxSerializer({ apiKey: "KEY123", fetch: fake.fetch });
  telnyx.deserialize(telnyxStart());
  assert.equal(await telnyx.serialize({ type: "end" }), null);
  assert.equal(await telnyx.serialize({ type: "cancel" }), null);
  assert.equal(fake.calls.length, 1);
  assert.equal(
    fake.calls[0]!.url,
    `https://api.telnyx.com/v2/calls/${telnyxIds.call}/actions/hangup`,
  );
  assert.equal(fake.calls[0]!.init.method, "POST");
  assert.equal(new Headers(fake.calls[0]!.init.headers).get("authorization"), "Bearer KEY123");

  const ended = fakeFetch(() =>
    new Response('{"errors":[{"code":"90018","title":"Call has already ended"}]}', { status: 422 })
  );
  const a = new TelnyxSerializer({ apiKey: "k", callControlId: "v3:x", fetch: ended.fetch });
  assert.equal(await a.serialize({ type: "end" }), null);

  const invalid = fakeFetch(() => new Response('{"errors":[{"code":"90015"}]}', { status: 422 }));
  const b = new TelnyxSerializer({ apiKey: "k", callControlId: "v3:x", fetch: invalid.fetch });
  await assert.rejects(
    async () => await b.serialize({ type: "end" }),
    (e: TransportError) => e.code === "protocol" && e.message.includes("422"),
  );

  const slow = new TelnyxSerializer({
    apiKey: "k",
    callControlId: "v3:x",
    fetch: hangingFetch,
    hangUpTimeoutMs: 30,
  });
  await assert.rejects(async () => await slow.serialize({ type: "cancel" }), { code: "timeout" });
});

Deno.test("`TelnyxSerializer` sends PCMU at 8 kHz whatever the stream's codec, as Telnyx's bidirectional default", () => {
  // TeXML <Stream>: bidirectionalCodec defaults to PCMU and bidirectionalSamplingRate to 8000,
  // apart from `codec` (the streamed audio's). A PCMA or L16 16 kHz stream is answered in PCMU.
  for (const [encoding, rate] of [["PCMA", 8000], ["L16", 16000]] as const) {
    const telnyx = new TelnyxSerializer();
    telnyx.setup(SETUP_8K);
    telnyx.deserialize(telnyxStart(encoding, rate));
    const sent = JSON.parse(
      telnyx.serialize({
        type: "audio",
        audio: new Uint8Array(320),
        sampleRate: 8000,
        channels: 1,
      }) as string,
    );
    const payload = Uint8Array.fromBase64(sent.media.payload);
    assert.equal(payload.length, 160, `${encoding}: 20 ms at 8 kHz, one byte a sample`);
    assert.ok(payload.every((b) => b === 0xff), `${encoding}: μ-law silence`);
  }
});

// Call Control's "Start streaming": `stream_bidirectional_sampling_rate` "8000, 16000, 22050,
// 24000, 48000" (developers.telnyx.com/api-reference/call-commands/streaming-start).
Deno.test("`TelnyxSerializer` refuses a bidirectional rate Telnyx does not take: G.711 is 8 kHz, L16 8, 16, 22.05, 24 or 48", () => {
  assert.throws(() => new TelnyxSerializer({ outboundSampleRate: 16000 }), RangeError);
  assert.throws(
    () => new TelnyxSerializer({ outboundEncoding: "pcm16be", outboundSampleRate: 11025 }),
    RangeError,
  );
  for (const rate of [8000, 16000, 22050, 24000, 48000]) {
    new TelnyxSerializer({ outboundEncoding: "pcm16be", outboundSampleRate: rate });
  }
});

// Telnyx's AsyncAPI reference for media streaming: "RTP media chunks sent back to Telnyx can
// contain 20 milliseconds to 30 seconds of audio"
// (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket).
Deno.test("`TelnyxSerializer` sends no media message under 20 ms: a reply's short last chunk is padded with codec silence", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const sent: string[] = [];
  client.addEventListener("message", (e) => sent.push((e as MessageEvent).data));
  const telnyx = new TelnyxSerializer();
  const transport = new WebSocketTransport(server, { serializer: telnyx, clock }); // 40 ms chunks
  const errors: unknown[] = [];
  transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
  client.send(
    JSON.stringify({ event: "start", stream_id: "s1", start: { call_control_id: "v3:a" } }),
  );
  // 50 ms at 8 kHz of a level that is not silence in μ-law: a 40 ms chunk, then 10 ms left.
  const audio = new Uint8Array(new Int16Array(400).fill(1000).buffer);
  transport.send({ type: "audio", audio, sampleRate: 8000, channels: 1 });
  for (let i = 0; i < 50; i++) await clock.tick(20);
  const payloads = sent.map((m) => JSON.parse(m)).filter((m) => m.event === "media")
    .map((m) => Uint8Array.fromBase64(m.media.payload));
  await transport.close();
  await clock.tick(10_000);
  assert.deepEqual(errors, []);
  // PCMU 8 kHz (the bidirectional default): one byte a sample, 8 bytes a millisecond.
  assert.deepEqual(payloads.map((p) => p.length / 8), [40, 20]);
  const last = payloads[1]!;
  assert.ok(last.subarray(0, 80).every((b) => b !== 0xff), "the 10 ms of audio first");
  assert.ok(last.subarray(80).every((b) => b === 0xff), "then μ-law silence");
  assert.equal(telnyx.paddedMessages, 1);
  assert.equal(telnyx.paddingBytes, 80);
});

Deno.test("`TelnyxSerializer` pads in the bidirectional codec's silence and reports a chunkMs under 20 at setup", () => {
  const setup = (telnyx: TelnyxSerializer, chunkMs: number, calls = recordingContext()) => {
    telnyx.bind(calls.context);
    telnyx.setup({ ...SETUP_8K, outputChunkMs: chunkMs });
    telnyx.deserialize(telnyxStart());
    return telnyx;
  };
  const payload = (telnyx: TelnyxSerializer, samples: number) =>
    Uint8Array.fromBase64(
      JSON.parse(
        telnyx.serialize({
          type: "audio",
          audio: new Uint8Array(new Int16Array(samples).fill(1000).buffer),
          sampleRate: 8000,
          channels: 1,
        }) as string,
      ).media.payload,
    );
  // A-law: 0xD5 is its silence; L16 at 16 kHz: zero bytes, two a sample (20 ms is 640 bytes).
  const alaw = payload(setup(new TelnyxSerializer({ outboundEncoding: "alaw" }), 40), 80);
  assert.equal(alaw.length, 160);
  assert.ok(alaw.subarray(80).every((b) => b === 0xd5));
  const l16 = setup(
    new TelnyxSerializer({ outboundEncoding: "pcm16be", outboundSampleRate: 16000 }),
    40,
  );
  const wide = payload(l16, 80); // 10 ms at 8 kHz, resampled to 16 kHz
  assert.equal(wide.length, 640);
  assert.ok(wide.subarray(320).every((b) => b === 0));
  assert.equal(l16.paddingBytes, 320);

  // 10 ms chunks: every message would be too short, and padding each would play the reply in 10 ms
  // pieces between silences. Reported, naming the chunkMs to use, and sent as they are.
  const calls = recordingContext();
  const short = setup(new TelnyxSerializer(), 10, calls);
  assert.equal(calls.reported.length, 1);
  assert.equal(calls.reported[0]!.code, "encode");
  assert.match(calls.reported[0]!.message, /chunkMs 10 .* use chunkMs 20/);
  assert.equal(payload(short, 80).length, 80);
  assert.equal(short.paddedMessages, 0);
});

Deno.test("`TelnyxSerializer` keeps the call ids of a start naming a codec it cannot decode, and refuses the media after it", async () => {
  // Telnyx's `stream_codec` may be G722, OPUS or AMR-WB
  // (https://developers.telnyx.com/api-reference/call-commands/streaming-start); OPUS and AMR-WB
  // we do not decode: the start is a decode error, but the call can still be hung up.
  const fake = fakeFetch(() => new Response("{}"));
  const { context, counted: counts } = recordingContext();
  const telnyx = new TelnyxSerializer({ apiKey: "k", fetch: fake.fetch });
  telnyx.bind(context);
  telnyx.setup({ ...SETUP_8K, inputSampleRate: 16000, outputSampleRate: 16000 });
  assert.throws(() =>
    telnyx.deserialize(JSON.stringify({
      event: "start",
      stream_id: "s1",
      start: {
        call_control_id: "v3:abc",
        media_format: { encoding: "OPUS", sample_rate: 48000, channels: 1 },
      },
    })), { code: "decode" });
  assert.equal(telnyx.callControlId, "v3:abc");
  assert.equal(telnyx.streamId, "s1");
  const payload = btoa(String.fromCharCode(...new Uint8Array(160).fill(0x55)));
  const media = (chunk: string) =>
    JSON.stringify({
      event: "media",
      stream_id: "s1",
      media: { track: "inbound", chunk, timestamp: "0", payload },
    });
  assert.throws(() => telnyx.deserialize(media("1")), {
    code: "decode",
    message: /OPUS/,
  });
  assert.deepEqual(counts, {}, "not taken in as media (no gaps filled, nothing reordered)");
  await telnyx.serialize({ type: "end" });
  assert.equal(fake.calls.length, 1);
  assert.match(fake.calls[0]!.url, /\/v2\/calls\/v3:abc\/actions\/hangup$/);
  // A start Telnyx streams PCMU in lets the media through again.
  telnyx.deserialize(telnyxStart("PCMU", 8000));
  assert.equal((telnyx.deserialize(media("2")) as unknown[]).length, 1);
});
