// A start's custom parameters of an odd shape must not cost the call its start.
//
// Twilio's "Media Streams - WebSocket Messages", "Start message": `start.customParameters` holds the
// `<Stream>`'s `<Parameter>` names and values. Telnyx's "Stream call media over WebSocket"
// reference, `start` frame: `start.custom_parameters`, set by the call command that starts the
// stream (whose SDKs take values of any type). Exotel's AgentStream "Working with the Stream and
// Voicebot Applet", `start` event: `start.custom_parameters`, the arbitrary key-value metadata of
// the stream's URL. One value that was no string, number or boolean (an object, a list, null), or
// a `custom_parameters` that was no object, made the whole `start` a decode error: the call's ids
// and media format were not taken, and each media message after it was refused (Twilio, Exotel)
// or decoded in the format before (Telnyx's PCMA as μ-law): the call's audio was lost. Now, as
// ConversationRelay's setup does, an odd value goes on as its JSON text and an odd field as no
// parameters, counted once in `decodeErrors` and reported.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import type { TransportError } from "../../src/errors.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

/** 20 ms of μ-law silence at 8 kHz: 0xFF is μ-law's zero. */
const MULAW_SILENCE = new Uint8Array(160).fill(0xff);
/** 20 ms of A-law at 8 kHz: 0xD5 is A-law's smallest positive level, +8. */
const ALAW_EIGHTS = new Uint8Array(160).fill(0xd5);
/** Four PCM16 little-endian samples: 1, -1, 256, -32768. */
const PCM16 = new Uint8Array([0x01, 0x00, 0xff, 0xff, 0x00, 0x01, 0x00, 0x80]);

const ODD = { customer_id: "c-1", tier: 2, profile: { plan: "gold" }, note: null, tags: ["a"] };
const ODD_AS_TEXT = {
  customer_id: "c-1",
  tier: "2",
  profile: '{"plan":"gold"}',
  note: "null",
  tags: '["a"]',
};

interface Provider {
  name: string;
  make(): FrameSerializer;
  /** The provider's `start` message whose custom parameters are `params`. */
  start(params: unknown): string;
  /** A media message of the stream, after that start. */
  media: string;
  /** The start frame the bot gets, with `params`. */
  startFrame(params: Record<string, string>): Frame;
  /** The audio frame the media message is, in the start's format. */
  audioFrame: Frame;
  /** The field as the report names it. */
  field: string;
}

const providers: Provider[] = [
  {
    name: "Twilio",
    make: () => new TwilioSerializer(),
    start: (params) =>
      JSON.stringify({
        event: "start",
        sequenceNumber: "1",
        start: {
          accountSid: "AC1",
          streamSid: "MZ1",
          callSid: "CA1",
          tracks: ["inbound"],
          customParameters: params,
          mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
        },
        streamSid: "MZ1",
      }),
    media: JSON.stringify({
      event: "media",
      sequenceNumber: "2",
      media: { track: "inbound", chunk: "1", timestamp: "5", payload: MULAW_SILENCE.toBase64() },
      streamSid: "MZ1",
    }),
    startFrame: (params) => ({ type: "start", streamId: "MZ1", callId: "CA1", params }),
    audioFrame: {
      type: "audio",
      audio: new Uint8Array(320),
      sampleRate: 8000,
      channels: 1,
      timestampMs: 0,
    },
    field: "start.customParameters",
  },
  {
    name: "Telnyx",
    make: () => new TelnyxSerializer(),
    // PCMA, not the PCMU a Telnyx stream is before its start: audio decoded as A-law shows the
    // start's format was taken.
    start: (params) =>
      JSON.stringify({
        event: "start",
        sequence_number: "1",
        stream_id: "ST1",
        start: {
          call_control_id: "v3:C1",
          custom_parameters: params,
          media_format: { encoding: "PCMA", sample_rate: 8000, channels: 1 },
        },
      }),
    media: JSON.stringify({
      event: "media",
      sequence_number: "2",
      media: { track: "inbound", chunk: "1", timestamp: "5", payload: ALAW_EIGHTS.toBase64() },
      stream_id: "ST1",
    }),
    startFrame: (params) => ({ type: "start", streamId: "ST1", callId: "v3:C1", params }),
    audioFrame: {
      type: "audio",
      audio: new Uint8Array(new Int16Array(160).fill(8).buffer),
      sampleRate: 8000,
      channels: 1,
      timestampMs: 0,
    },
    field: "start.custom_parameters",
  },
  {
    name: "Exotel",
    make: () => new ExotelSerializer(),
    // 16 kHz, not the 8 kHz an Exotel stream is before its start: the audio frame's rate shows
    // the start's format was taken.
    start: (params) =>
      JSON.stringify({
        event: "start",
        sequence_number: "1",
        stream_sid: "EX1",
        start: {
          stream_sid: "EX1",
          call_sid: "CAE1",
          account_sid: "ACE1",
          custom_parameters: params,
          media_format: { encoding: "audio/x-raw", sample_rate: "16000", bit_rate: "256kbps" },
        },
      }),
    media: JSON.stringify({
      event: "media",
      sequence_number: "2",
      stream_sid: "EX1",
      media: { chunk: "1", timestamp: "100", payload: PCM16.toBase64() },
    }),
    startFrame: (params) => ({ type: "start", streamId: "EX1", callId: "CAE1", params }),
    audioFrame: { type: "audio", audio: PCM16, sampleRate: 16000, channels: 1, timestampMs: 0 },
    field: "start.custom_parameters",
  },
];

/** A serializer of `provider` bound to a recording context, its bot's audio at the wire's rate. */
function boundTo(provider: Provider) {
  const serializer = provider.make();
  const recorded = recordingContext();
  serializer.bind?.(recorded.context);
  const rate = (provider.audioFrame as { sampleRate: number }).sampleRate;
  serializer.setup?.({
    inputSampleRate: rate,
    inputChannels: 1,
    outputSampleRate: rate,
    outputChannels: 1,
  });
  return { serializer, recorded };
}

function asList(frames: Frame | Frame[] | null | Promise<unknown>): Frame[] {
  assert.ok(!(frames instanceof Promise), "answered at once");
  return frames === null ? [] : Array.isArray(frames) ? frames : [frames];
}

for (const provider of providers) {
  Deno.test(`${provider.name}: a start whose custom parameters hold an object, null and a list starts, its media decoded`, () => {
    const { serializer, recorded } = boundTo(provider);
    assert.deepEqual(asList(serializer.deserialize(provider.start(ODD))), [
      provider.startFrame(ODD_AS_TEXT),
    ]);
    assert.deepEqual(asList(serializer.deserialize(provider.media)), [provider.audioFrame]);
    assert.deepEqual(recorded.countCalls, [["decodeErrors", 1]], "one start repaired: one count");
    assert.equal(recorded.reported.length, 1);
    assert.equal(recorded.reported[0]!.code, "decode");
    assert.equal(
      recorded.reported[0]!.message,
      `${provider.name}: ${provider.field} profile, note, tags are not a string: passed on as JSON text`,
    );
  });

  Deno.test(`${provider.name}: a start whose custom parameters are a string starts with none, its media decoded`, () => {
    const { serializer, recorded } = boundTo(provider);
    assert.deepEqual(asList(serializer.deserialize(provider.start("customer_id=c-1"))), [
      provider.startFrame({}),
    ]);
    assert.deepEqual(asList(serializer.deserialize(provider.media)), [provider.audioFrame]);
    assert.deepEqual(recorded.countCalls, [["decodeErrors", 1]]);
    assert.equal(recorded.reported.length, 1);
    assert.equal(
      recorded.reported[0]!.message,
      `${provider.name}: ${provider.field} is not an object: "customer_id=c-1"; none kept`,
    );
  });

  Deno.test(`${provider.name}: a start whose custom parameters are strings, numbers and booleans counts nothing`, () => {
    const { serializer, recorded } = boundTo(provider);
    assert.deepEqual(asList(serializer.deserialize(provider.start({ a: "1", b: 2, c: true }))), [
      provider.startFrame({ a: "1", b: "2", c: "true" }),
    ]);
    assert.deepEqual(recorded.countCalls, []);
    assert.deepEqual(recorded.reported, []);
  });

  Deno.test(`${provider.name} through a transport: the odd start reaches the bot and its audio follows, counted once`, async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair();
    // 100 ms chunks: Exotel's smallest outbound message at 16 kHz (3,200 bytes), else reported.
    const transport = new WebSocketTransport(pair.server, {
      serializer: provider.make(),
      clock,
      audioOut: { chunkMs: 100 },
    });
    const frames: Frame[] = [];
    transport.receive((frame) => void frames.push(frame));
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push(e.error));
    await clock.tick(10);
    pair.client.send(provider.start({ order: { id: 7 } }));
    pair.client.send(provider.media);
    await clock.tick(10);
    assert.deepEqual(frames[0], provider.startFrame({ order: '{"id":7}' }));
    assert.ok(
      frames.some((frame) => frame.type === "audio"),
      "the call's audio reaches the bot",
    );
    assert.equal(transport.stats.decodeErrors, 1);
    assert.deepEqual(errors.map((e) => e.code), ["decode"]);
    await transport.close();
    await clock.tick(1000);
  });
}
