// A looped track is resampled as a loop, "so its seam has no edge" (README, "Background audio"):
// what plays must be the loop resampled as a stream, pass after pass. A loop whose length is no
// whole number of samples at the transport's rate (a 44.1 kHz loop at 8 kHz that is not a multiple
// of 10 ms: most lengths) was cut to the nearest sample, and went round up to half a sample early
// or late: at every seam the rest jumped (a 1 kHz tone 0.37 of its amplitude off), a click each
// pass, against the stream.
import assert from "node:assert/strict";
import { type AudioFrame, BackgroundAudio } from "../../mod.ts";
import { Resampler } from "../../src/audio/resampler.ts";

const samplesOf = (f: AudioFrame) =>
  new Int16Array(f.audio.buffer, f.audio.byteOffset, f.audio.length / 2);

Deno.test("`BackgroundAudio` plays a loop of any length as the loop resampled as a stream, every seam included", () => {
  // [input rate, output rate, loop frames, passes until a whole number of output samples]
  const cases = [
    [44100, 8000, 1000, 441], // 181.4 samples a pass: a loop shorter than a chunk
    [44100, 8000, 44373, 21], // a second and a bit, 8,049.52 samples a pass
    [48000, 8000, 1001, 6], // 166.83
    [44100, 16000, 4998, 3], // 1,813.3
    [8000, 22050, 805, 32], // 2,218.8: up
    [24000, 22050, 2005, 32], // 1,842.1
  ] as const;
  const wrong: string[] = [];
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (const [from, to, frames, passes] of cases) {
    const loop = new Int16Array(frames).map((_, i) =>
      // A tone of a whole number of periods (the loop is seamless at its own rate), and noise.
      Math.round(6000 * Math.sin((2 * Math.PI * 7 * i) / frames) + 3000 * (random() - 0.5))
    );
    // The truth: the loop, over and over, resampled as a stream. After `passes` passes the stream
    // is on a whole output sample again, and the loop's start: from there (the filter settled),
    // it is what a background that went round that many times plays next.
    const cycle = (passes * frames * to) / from;
    assert.ok(Number.isInteger(cycle));
    const repeats = Math.ceil((2.5 * cycle * from) / to / frames);
    const many = new Int16Array(repeats * frames);
    for (let k = 0; k < repeats; k++) many.set(loop, k * frames);
    const resampler = new Resampler({ inputRate: from, outputRate: to });
    const stream = [...resampler.process(many), ...resampler.flush()];
    const background = new BackgroundAudio(loop, { sampleRate: from, volume: 1, fadeMs: 0 });
    background.attach({ sampleRate: to, channels: 1, chunkMs: 20 }, () => {});
    const played: number[] = [];
    const length = Math.round(1.2 * cycle); // round the whole cycle, and on into the next
    while (played.length < length) played.push(...samplesOf(background.fill()!));
    let worst = 0, at = 0;
    for (let i = 0; i < length; i++) {
      const error = Math.abs(played[i]! - stream[cycle + i]!);
      if (error > worst) [worst, at] = [error, i];
    }
    if (worst > 1) {
      wrong.push(`${from} → ${to} Hz, ${frames} frames: ${worst} off at sample ${at}`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("`BackgroundAudio` loops a stereo track of any length on whole samples, both channels", () => {
  // 1,001 frames of 48 kHz stereo at 8 kHz: 166.83 samples a pass, 1,001 after six.
  const frames = 1001;
  const stereo = new Int16Array(2 * frames);
  for (let i = 0; i < frames; i++) {
    stereo[2 * i] = Math.round(8000 * Math.sin((2 * Math.PI * 5 * i) / frames));
    stereo[2 * i + 1] = Math.round(8000 * Math.cos((2 * Math.PI * 3 * i) / frames));
  }
  const truth = (channel: number) => {
    const many = new Int16Array(18 * frames);
    for (let k = 0; k < 18; k++) {
      for (let i = 0; i < frames; i++) many[k * frames + i] = stereo[2 * i + channel]!;
    }
    const resampler = new Resampler({ inputRate: 48000, outputRate: 8000 });
    return [...resampler.process(many), ...resampler.flush()].slice(1001, 2002);
  };
  const background = new BackgroundAudio(stereo, {
    sampleRate: 48000,
    channels: 2,
    volume: 1,
    fadeMs: 0,
  });
  background.attach({ sampleRate: 8000, channels: 2, chunkMs: 20 }, () => {});
  const played: number[] = [];
  while (played.length < 2 * 1001) played.push(...samplesOf(background.fill()!));
  for (const channel of [0, 1]) {
    const expected = truth(channel);
    const heard = played.slice(0, 2 * 1001).filter((_, i) => i % 2 === channel);
    const worst = Math.max(...heard.map((s, i) => Math.abs(s - expected[i]!)));
    assert.ok(worst <= 1, `channel ${channel}: ${worst} off`);
  }
});
