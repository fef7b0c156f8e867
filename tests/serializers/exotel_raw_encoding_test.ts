import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";

// Exotel's page "Working with the Stream and Voicebot Applet", section "WebSocket Message
// Protocol" → "Start" (https://developer.exotel.com/docs/agentstream/stream-voicebot-applet, as
// copied in github.com/rahulkumar-exo/exotel-docs, docs/agentstream/stream-voicebot-applet.md),
// announces the applet's "raw/slin (16-bit, 8kHz, mono PCM little-endian)" audio as
// `"encoding": "raw"` with `"bit_rate": "128"`, and numbers `sequence_number` and `chunk` as JSON
// numbers. The far end below sends exactly that: its audio must be read as PCM16 little-endian,
// not refused as an unknown encoding.

const STREAM = "MZ0123456789abcdef";

const exotelStart = {
  event: "start",
  sequence_number: 1,
  stream_sid: STREAM,
  start: {
    stream_sid: STREAM,
    call_sid: "CA0123456789abcdef",
    account_sid: "exotel-account",
    from: "+919876543210",
    to: "+911234567890",
    custom_parameters: { key1: "value1", key2: "value2" },
    media_format: { encoding: "raw", sample_rate: "8000", bit_rate: "128" },
  },
};

/** The same page's "Media" example, carrying `samples` as base64 PCM16 little-endian. */
function exotelMedia(samples: number[]) {
  const bytes = new Uint8Array(new Int16Array(samples).buffer);
  return {
    event: "media",
    sequence_number: 3,
    stream_sid: STREAM,
    media: { chunk: 2, timestamp: "10", payload: btoa(String.fromCharCode(...bytes)) },
  };
}

Deno.test('`ExotelSerializer` reads the applet page\'s `encoding: "raw"` start and its PCM16 media', () => {
  const exotel = new ExotelSerializer();
  // The wire's own rate both ways: the frames carry the samples as they came.
  exotel.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  assert.deepEqual(exotel.deserialize(JSON.stringify(exotelStart)), {
    type: "start",
    streamId: STREAM,
    callId: "CA0123456789abcdef",
    params: { key1: "value1", key2: "value2" },
  });
  // 20 ms of a ramp, each sample's two bytes in little-endian order.
  const samples = Array.from({ length: 160 }, (_, i) => (i - 80) * 300);
  const frames = [exotel.deserialize(JSON.stringify(exotelMedia(samples)))].flat() as Frame[];
  assert.equal(frames.length, 1);
  const frame = frames[0]!;
  assert.equal(frame.type, "audio");
  if (frame.type !== "audio") return;
  assert.equal(frame.sampleRate, 8000);
  const read = new Int16Array(frame.audio.buffer, frame.audio.byteOffset, frame.audio.length / 2);
  assert.deepEqual([...read], samples);
});

// Exotel's older support article "Working with the Stream Applet" (support.exotel.com, solution
// 3000108630) shows the start's media format as `"encoding": "base64"`, `"bit_rate": "128kbps"`:
// the payload's carriage, the audio being the applet's raw/slin PCM16 (8 kHz × 16 bits). Read as
// that at the stream's rate, not refused (refused, every packet of the call was dropped).
Deno.test("`ExotelSerializer` reads the older article's `encoding: \"base64\"` start as the applet's PCM16", () => {
  const exotel = new ExotelSerializer({ sampleRate: 16000 });
  exotel.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  const start = structuredClone(exotelStart);
  start.start.media_format = { encoding: "base64", sample_rate: "16000", bit_rate: "128kbps" };
  const started = exotel.deserialize(JSON.stringify(start));
  assert.equal(!Array.isArray(started) && started?.type, "start");
  const samples = Array.from({ length: 320 }, (_, i) => (i - 160) * 150);
  const frames = [exotel.deserialize(JSON.stringify(exotelMedia(samples)))].flat() as Frame[];
  assert.equal(frames.length, 1);
  const frame = frames[0]!;
  assert.ok(frame.type === "audio" && frame.sampleRate === 16000);
  const read = new Int16Array(frame.audio.buffer, frame.audio.byteOffset, frame.audio.length / 2);
  assert.deepEqual([...read], samples);
});
