import assert from "node:assert/strict";
import { mulawEncode } from "../../src/audio/g711.ts";
import { CallerAudio } from "../../src/simulator/caller_audio.ts";

function wav(
  format: number,
  bits: number,
  rate: number,
  channels: number,
  data: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(44 + data.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode("RIFF"), 0);
  view.setUint32(4, 36 + data.length, true);
  out.set(new TextEncoder().encode("WAVEfmt "), 8);
  view.setUint32(16, 16, true);
  view.setUint16(20, format, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, (rate * channels * bits) / 8, true);
  view.setUint16(32, (channels * bits) / 8, true);
  view.setUint16(34, bits, true);
  out.set(new TextEncoder().encode("data"), 36);
  view.setUint32(40, data.length, true);
  out.set(data, 44);
  return out;
}

Deno.test("CallerAudio reads a μ-law WAV and mixes a stereo PCM WAV down to mono", async () => {
  const mulaw = new CallerAudio(wav(7, 8, 8000, 1, mulawEncode(new Int16Array(800).fill(1000))), {
    sampleRate: 8000,
  });
  assert.equal(mulaw.durationMs, 100);
  const first = await mulaw.read(160);
  assert.ok(first.every((s) => Math.abs(s - 1000) < 40));
  const stereo = new Int16Array([1000, 3000, 1000, 3000]);
  const mixed = new CallerAudio(wav(1, 16, 8000, 2, new Uint8Array(stereo.buffer)), {
    sampleRate: 8000,
  });
  assert.deepEqual([...(await mixed.read(2))], [2000, 2000]);
  assert.deepEqual([...(await mixed.read(2))], [0, 0]); // past the end: silence
  assert.equal(mixed.ended, true);
});

Deno.test("CallerAudio reads a PCM stream whose chunks split samples, resampled to the wire rate", async () => {
  const bytes = new Uint8Array(new Int16Array(1600).fill(500).buffer); // 100 ms at 16 kHz
  const chunks = [bytes.subarray(0, 3), bytes.subarray(3, 1001), bytes.subarray(1001)];
  const audio = new CallerAudio({ pcm: ReadableStream.from(chunks), sampleRate: 16000 }, {
    sampleRate: 8000,
  });
  assert.equal(audio.durationMs, undefined);
  const out = await audio.read(800);
  assert.equal(audio.ended, true);
  // 100 ms at 8 kHz, the level kept (to the filter's 0.05 dB of ripple) once the filter has
  // settled: an elliptic filter rings at its band edge for some 20 ms after a step.
  assert.ok(out.subarray(200, 780).every((s) => Math.abs(s - 500) <= 3));
});

Deno.test("CallerAudio refuses what is not a WAV file, naming the problem", () => {
  assert.throws(() => new CallerAudio(new Uint8Array(100), { sampleRate: 8000 }), /not a WAV file/);
  assert.throws(
    () => new CallerAudio(wav(2, 4, 8000, 1, new Uint8Array(10)), { sampleRate: 8000 }),
    /format 2 with 4 bits/,
  );
});

Deno.test("CallerAudio gives up a read when its signal aborts, consuming nothing, and keeps what comes later", async () => {
  let deliver!: (controller: ReadableStreamDefaultController<Uint8Array>) => void;
  const late = new Promise<void>((resolve) => {
    deliver = (controller) => {
      controller.enqueue(new Uint8Array(new Int16Array([3, 4]).buffer));
      controller.close();
      resolve();
    };
  });
  let pulls = 0;
  let source!: ReadableStreamDefaultController<Uint8Array>;
  const pcm = new ReadableStream<Uint8Array>({
    pull(controller) {
      source = controller;
      // The first chunk at once, then nothing until the test delivers it.
      if (pulls++ === 0) controller.enqueue(new Uint8Array(new Int16Array([1, 2]).buffer));
    },
  });
  const audio = new CallerAudio({ pcm, sampleRate: 8000 }, { sampleRate: 8000 });
  const stop = new AbortController();
  const read = audio.read(4, stop.signal);
  assert.equal(audio.ready(4), false);
  stop.abort();
  assert.equal(await read, null);
  // The two samples it had were not consumed, and the chunk that comes late is not lost either.
  deliver(source);
  await late;
  assert.deepEqual([...(await audio.read(4))], [1, 2, 3, 4]);
  assert.deepEqual([...(await audio.read(2))], [0, 0]); // then the end: silence
  assert.equal(audio.ended, true);
});

Deno.test("CallerAudio.cancel does not wait for a stream's cancel that never settles", () => {
  let cancelled = false;
  const pcm = new ReadableStream<Uint8Array>({
    cancel() {
      cancelled = true;
      return new Promise<void>(() => {});
    },
  });
  const audio = new CallerAudio({ pcm, sampleRate: 8000 }, { sampleRate: 8000 });
  // Returns at once (nothing to await), and the source was told.
  assert.equal(audio.cancel(), undefined);
  assert.ok(cancelled);
  assert.equal(audio.ready(160), true); // silence from now on
});
