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
