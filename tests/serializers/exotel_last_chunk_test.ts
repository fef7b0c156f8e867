// The last chunk of a reply to Exotel. The transport cuts outbound audio into `audioOut.chunkMs`
// chunks and, when the bot stops, flushes what is left as a shorter one; Exotel wants every media
// message in its window. Exotel's "Working with the Stream Applet" article, section "Chunk size
// window for Bidirectional streaming use case"
// (https://support.exotel.com/support/solutions/articles/3000108630-working-with-the-stream-applet;
// the same window in developer.exotel.com/docs/agentstream/stream-voicebot-applet): minimum chunk
// size 3.2k (3,200 bytes), maximum 100k, and always a multiple of 320 bytes, else "the platform
// will wait for 20ms before sending next chunk" and audio suffers. The payload is raw PCM16
// little-endian mono ("audio/x-raw", bit_rate "16"; WebSocket protocol page), so its silence is
// zero bytes. The expectations below come from those figures, decoded from the JSON by hand.
import assert from "node:assert/strict";
import { WebSocketTransport } from "@x/ws-transport";
import { FakeClock, MemorySocketPair } from "@x/ws-transport/testing";
import type { TransportError } from "../../src/errors.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { syntheticCaller } from "../../src/simulator/mod.ts";
import { callBot } from "../simulator/_bot.ts";

const EXOTEL_MIN_CHUNK_BYTES = 3200;
const EXOTEL_CHUNK_MULTIPLE = 320;

/**
 * An Exotel serializer at `rate` on the wire, fed by a transport at the same rate (with chunks
 * of `chunkMs`, when given, and its errors to `report`).
 */
function exotelAt(
  rate: number,
  { chunkMs, report }: { chunkMs?: number; report?: (error: TransportError) => void } = {},
): ExotelSerializer {
  const exotel = new ExotelSerializer();
  if (report) exotel.bind({ send() {}, count() {}, report, pauseSending() {} });
  exotel.setup({
    inputSampleRate: rate,
    inputChannels: 1,
    outputSampleRate: rate,
    outputChannels: 1,
    ...(chunkMs === undefined ? {} : { outputChunkMs: chunkMs }),
  });
  // Exotel's `start`, as the WebSocket protocol page shows it, with the applet's `?sample-rate=`.
  exotel.deserialize(JSON.stringify({
    event: "start",
    sequence_number: "1",
    stream_sid: "MZ0123456789abcdef0123456789",
    start: {
      stream_sid: "MZ0123456789abcdef0123456789",
      call_sid: "CA0123456789abcdef0123456789",
      account_sid: "AC0123456789abcdef0123456789",
      from: "+919876543210",
      to: "+918047491899",
      custom_parameters: {},
      media_format: { encoding: "audio/x-raw", sample_rate: String(rate), bit_rate: "16" },
    },
  }));
  return exotel;
}

/** `bytes` of PCM16 speech-like audio: no sample is zero, so padding is told from it. */
function speech(bytes: number): Uint8Array {
  const samples = new Int16Array(bytes / 2);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = 1000 + Math.round(8000 * Math.sin((2 * Math.PI * i) / 37));
  }
  return new Uint8Array(samples.buffer);
}

/** The bytes of one outbound `media` message, decoded here rather than by the code under test. */
function mediaPayload(message: unknown): Uint8Array {
  assert.equal(typeof message, "string");
  const parsed = JSON.parse(message as string);
  assert.equal(parsed.event, "media");
  assert.equal(parsed.stream_sid, "MZ0123456789abcdef0123456789");
  const binary = atob(parsed.media.payload);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function assertInExotelWindow(payload: Uint8Array): void {
  assert.ok(payload.length >= EXOTEL_MIN_CHUNK_BYTES, `${payload.length} bytes, under 3,200`);
  assert.equal(payload.length % EXOTEL_CHUNK_MULTIPLE, 0, `${payload.length} bytes`);
}

for (
  const { rate, bytes, expected } of [
    // 100 ms at 8 kHz: the remainder of a 900 ms reply in 200 ms chunks.
    { rate: 8000, bytes: 1600, expected: 3200 },
    // 40 ms at 24 kHz: the remainder of an 840 ms reply in 200 ms chunks.
    { rate: 24000, bytes: 1920, expected: 3200 },
    // Above the minimum but not whole 320-byte units: up to the next one.
    { rate: 8000, bytes: 4000, expected: 4160 },
  ]
) {
  Deno.test(`\`ExotelSerializer\` pads a ${bytes}-byte last chunk at ${rate} Hz with silence to ${expected} bytes`, () => {
    const exotel = exotelAt(rate);
    // A reply: a full 200 ms chunk, then what was left when the bot stopped.
    const full = speech(rate * 2 / 5);
    assert.deepEqual(
      mediaPayload(exotel.serialize({ type: "audio", audio: full, sampleRate: rate, channels: 1 })),
      full,
    );
    const audio = speech(bytes);
    const payload = mediaPayload(
      exotel.serialize({ type: "audio", audio, sampleRate: rate, channels: 1 }),
    );
    assertInExotelWindow(payload);
    assert.equal(payload.length, expected);
    assert.deepEqual(payload.subarray(0, bytes), audio, "the audio itself, unchanged, first");
    assert.ok(payload.subarray(bytes).every((b) => b === 0), "then PCM16 silence");
    // Counted once: the full chunk was not padded.
    assert.equal(exotel.paddedMessages, 1);
    assert.equal(exotel.paddingBytes, expected - bytes);
  });
}

for (const { rate, bytes } of [{ rate: 8000, bytes: 3200 }, { rate: 24000, bytes: 9600 }]) {
  Deno.test(`\`ExotelSerializer\` sends a valid ${bytes}-byte chunk at ${rate} Hz unchanged`, () => {
    const exotel = exotelAt(rate);
    const audio = speech(bytes);
    const payload = mediaPayload(
      exotel.serialize({ type: "audio", audio, sampleRate: rate, channels: 1 }),
    );
    assertInExotelWindow(payload);
    assert.deepEqual(payload, audio);
  });
}

for (
  const { rate, answerMs, lastChunk } of [
    { rate: 8000, answerMs: 900, lastChunk: "1,600 bytes" },
    { rate: 24000, answerMs: 840, lastChunk: "1,920 bytes" },
  ]
) {
  Deno.test(`simulateCall as exotel at ${rate} Hz finds no short last chunk from a README bot (${lastChunk} before padding)`, async () => {
    // The bot as the README says for Exotel: `audioOut.chunkMs: 200`, at the wire's rate. Its
    // answers are not whole chunks long, so each ends with a short chunk that the serializer pads.
    const { report } = await callBot({
      serializer: () => new ExotelSerializer(),
      sampleRate: rate,
      answerDelayMs: 500,
      answerMs,
      transport: { audioOut: { sampleRate: rate, channels: 1, chunkMs: 200 } },
    }, {
      protocol: "exotel",
      platform: { sampleRate: rate },
      audio: syntheticCaller({ utterancesMs: [1000, 1200], pauseMs: 2000 }),
      lingerMs: 1500,
    });
    assert.equal(report.utterances.length, 2);
    assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
    assert.equal(report.marks.acked, 2);
  });
}

Deno.test("`ExotelSerializer` reports a chunkMs Exotel cannot take, naming the one to use, and pads nothing then", () => {
  // 10 ms at 8 kHz is 160 bytes a message: every message would be padded to 3,200 bytes, playing
  // the audio as 10 ms pieces between 190 ms silences. Sent as they are, the far end flags them.
  const reported: TransportError[] = [];
  const exotel = exotelAt(8000, { chunkMs: 10, report: (error) => reported.push(error) });
  assert.equal(reported.length, 1);
  assert.equal(reported[0]!.code, "encode");
  assert.match(reported[0]!.message, /chunkMs 10 makes 160-byte messages at 8000 Hz/);
  assert.match(reported[0]!.message, /use chunkMs 200/);
  const message = exotel.serialize({
    type: "audio",
    audio: speech(160),
    sampleRate: 8000,
    channels: 1,
  });
  assert.equal(mediaPayload(message).length, 160, "not padded");
  assert.equal(exotel.paddedMessages, 0);

  // The README's 200 ms: nothing to report, and a reply's shorter last chunk is padded.
  const none: TransportError[] = [];
  const fine = exotelAt(8000, { chunkMs: 200, report: (error) => none.push(error) });
  assert.deepEqual(none, []);
  const last = fine.serialize({
    type: "audio",
    audio: speech(1600),
    sampleRate: 8000,
    channels: 1,
  });
  assert.equal(mediaPayload(last).length, EXOTEL_MIN_CHUNK_BYTES);
});

/**
 * A 450 ms reply in 100 ms chunks through a transport to an Exotel serializer built with
 * `sampleRate: optionRate` (or without it), whose `start` announces `wireRate` (Exotel's
 * `?sample-rate=`; WebSocket protocol page,
 * https://developer.exotel.com/docs/agentstream/websocket-protocol): the sizes of the media
 * payloads sent, the errors reported and the bytes of audio written.
 */
async function exotelReply(optionRate: number | undefined, wireRate: number) {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const sent: string[] = [];
  client.addEventListener("message", (e) => sent.push((e as MessageEvent).data));
  const exotel = new ExotelSerializer(optionRate === undefined ? {} : { sampleRate: optionRate });
  const transport = new WebSocketTransport(server, {
    serializer: exotel,
    clock,
    audioOut: { sampleRate: wireRate, chunkMs: 100 },
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
  client.send(JSON.stringify({
    event: "start",
    stream_sid: "st1",
    start: {
      stream_sid: "st1",
      call_sid: "c",
      media_format: { encoding: "audio/x-raw", sample_rate: String(wireRate), bit_rate: "16" },
    },
  }));
  await clock.tick(1);
  const bytes = wireRate * 0.45 * 2; // 450 ms of PCM16
  transport.send({ type: "audio", audio: speech(bytes), sampleRate: wireRate, channels: 1 });
  for (let i = 0; i < 100; i++) await clock.tick(20);
  const sizes = sent.map((m) => JSON.parse(m)).filter((m) => m.event === "media")
    .map((m) => atob(m.media.payload).length);
  await transport.close();
  await clock.tick(10_000);
  return { errors, sizes, bytes, exotel };
}

Deno.test("`ExotelSerializer` judges chunkMs at the rate Exotel's start announces: 16 kHz with chunkMs 100 and the option left at 8 kHz is no error, and its last chunk is padded", async () => {
  // `?sample-rate=16000` in the applet's URL, `sampleRate` left at its default: 100 ms is 3,200
  // bytes at 16 kHz, Exotel's minimum, so nothing is wrong, and the 50 ms left at the end of the
  // reply (1,600 bytes) goes padded to 3,200 (Stream applet article, chunk size window).
  const { errors, sizes, exotel } = await exotelReply(undefined, 16000);
  assert.deepEqual(errors.map((e) => e.message), []);
  assert.deepEqual(sizes, [3200, 3200, 3200, 3200, 3200]);
  assert.equal(exotel.paddedMessages, 1);
  assert.equal(exotel.paddingBytes, 1600);
});

Deno.test("`ExotelSerializer` given 16 kHz but started at 8 kHz with chunkMs 100 reports the chunkMs at start and does not cut the audio into pieces with silence", async () => {
  // 100 ms at 8 kHz is 1,600 bytes, under Exotel's 3,200: padding every chunk would play 100 ms of
  // audio, 100 ms of silence, and so on. Reported once the start has said the rate, and sent as is.
  const { errors, sizes, bytes, exotel } = await exotelReply(16000, 8000);
  const total = sizes.reduce((a, b) => a + b, 0);
  assert.equal(total, bytes, `sent ${total} bytes for ${bytes} bytes of audio`);
  assert.equal(exotel.paddedMessages, 0);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, "encode");
  assert.match(errors[0]!.message, /chunkMs 100 makes 1600-byte messages at 8000 Hz/);
  assert.match(errors[0]!.message, /use chunkMs 200/);
});
