import assert from "node:assert/strict";
import {
  assertPcmFormat,
  BYTES_PER_SAMPLE,
  bytesForDuration,
  bytesPerSecond,
  durationMs,
  pcm16Bytes,
  pcm16Samples,
} from "../../src/audio/pcm.ts";

Deno.test("`bytesPerSecond` is rate × channels × 2", () => {
  assert.equal(BYTES_PER_SAMPLE, 2);
  assert.equal(bytesPerSecond({ sampleRate: 8000, channels: 1 }), 16000);
  assert.equal(bytesPerSecond({ sampleRate: 16000, channels: 1 }), 32000);
  assert.equal(bytesPerSecond({ sampleRate: 24000, channels: 2 }), 96000);
  assert.equal(bytesPerSecond({ sampleRate: 44100, channels: 2 }), 176400);
});

Deno.test("`durationMs` gives stereo and 8 kHz audio their true duration", () => {
  assert.equal(durationMs(320, { sampleRate: 8000, channels: 1 }), 20);
  assert.equal(durationMs(640, { sampleRate: 8000, channels: 2 }), 20);
  assert.equal(durationMs(1920, { sampleRate: 24000, channels: 1 }), 40);
  assert.equal(durationMs(3840, { sampleRate: 24000, channels: 2 }), 40);
  assert.equal(durationMs(0, { sampleRate: 16000, channels: 1 }), 0);
});

Deno.test("`bytesForDuration` rounds down to whole sample frames, never below one", () => {
  assert.equal(bytesForDuration(20, { sampleRate: 8000, channels: 1 }), 320);
  assert.equal(bytesForDuration(40, { sampleRate: 48000, channels: 2 }), 7680);
  assert.equal(bytesForDuration(20, { sampleRate: 22050, channels: 2 }), 1764); // 441 frames
  assert.equal(bytesForDuration(10, { sampleRate: 11025, channels: 1 }), 220); // 110.25 → 110
  assert.equal(bytesForDuration(0.01, { sampleRate: 8000, channels: 2 }), 4); // one frame
  assert.equal(bytesForDuration(0.01, { sampleRate: 8000, channels: 2 }) % 4, 0);
});

Deno.test("`bytesForDuration` refuses a duration or format that makes no whole frame", () => {
  const mono = { sampleRate: 16000, channels: 1 };
  // Before, NaN bytes (an empty `new Uint8Array(NaN)` downstream, no error) and 0 bytes.
  assert.throws(
    () => bytesForDuration(Number.NaN, mono),
    /ms must be a finite number >= 0, got NaN/,
  );
  assert.throws(() => bytesForDuration(Infinity, mono), RangeError);
  assert.throws(() => bytesForDuration(-20, mono), /got -20/);
  assert.throws(() => bytesForDuration(20, { sampleRate: 16000, channels: 0 }), /channels.*0/);
  assert.throws(() => bytesForDuration(20, { sampleRate: Number.NaN, channels: 1 }), /sampleRate/);
  assert.equal(bytesForDuration(0, mono), 2); // 0 ms: still the one frame the doc promises
});

Deno.test("`assertPcmFormat` rejects bad rates and channel counts, naming them", () => {
  assertPcmFormat({ sampleRate: 16000, channels: 1 });
  assert.throws(() => assertPcmFormat({ sampleRate: 0, channels: 1 }), /format\.sampleRate.*0/);
  assert.throws(() => assertPcmFormat({ sampleRate: 8000.5, channels: 1 }), RangeError);
  assert.throws(
    () => assertPcmFormat({ sampleRate: 8000, channels: -2 }, "audioOut"),
    /audioOut\.channels.*-2/,
  );
  assert.throws(() => assertPcmFormat({ sampleRate: Number.NaN, channels: 1 }), RangeError);
});

Deno.test("`pcm16Samples` views aligned bytes without a copy", () => {
  const bytes = new Uint8Array([0, 0, 0x01, 0x00, 0xff, 0x7f, 0x00, 0x80]);
  const samples = pcm16Samples(bytes.subarray(2));
  assert.deepEqual([...samples], [1, 32767, -32768]);
  assert.equal(samples.buffer, bytes.buffer);
  assert.equal(samples.byteOffset, 2);
});

Deno.test("`pcm16Samples` copies bytes at an odd offset and ignores a trailing odd byte", () => {
  const bytes = new Uint8Array([9, 0x02, 0x00, 0xfe, 0xff, 7]);
  const samples = pcm16Samples(bytes.subarray(1));
  assert.deepEqual([...samples], [2, -2]);
  assert.notEqual(samples.buffer, bytes.buffer);
  assert.deepEqual([...pcm16Samples(new Uint8Array([1, 0, 5]))], [1]);
});

Deno.test("`pcm16Bytes` views the samples' memory little-endian", () => {
  const samples = new Int16Array([0, 258, -1]).subarray(1);
  const bytes = pcm16Bytes(samples);
  assert.deepEqual([...bytes], [0x02, 0x01, 0xff, 0xff]);
  assert.equal(bytes.buffer, samples.buffer);
  assert.equal(bytes.byteOffset, 2);
});
