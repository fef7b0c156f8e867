// A streamed background in another rate than the transport's goes through a resampler, which
// holds back its filter's delay (0.25–2.3 ms) until it is told the stream has ended: the stream's
// last samples, played only once the resampler is flushed — at the stream's end, and where its
// frames change format (the old format's last samples, before the new one's).
import assert from "node:assert/strict";
import { type AudioFrame, BackgroundAudio, type BackgroundSource } from "../../mod.ts";
import { Resampler } from "../../src/audio/mod.ts";

const samplesOf = (f: AudioFrame) =>
  new Int16Array(f.audio.buffer, f.audio.byteOffset, f.audio.length / 2);

/** Settles the stream's pending reads (its chunks come from an array: no timer in them). */
const settleReads = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A 440 Hz tone at `rate`, `frames` long, loud to its last sample. */
function tone(rate: number, frames: number): Int16Array {
  return new Int16Array(frames).map((_, i) =>
    Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / rate) + 6000)
  );
}

/** `samples` at `from` Hz resampled to `to` Hz as one whole stream: every sample, flushed. */
function resampledWhole(samples: Int16Array, from: number, to: number): Int16Array {
  const resampler = new Resampler({ inputRate: from, outputRate: to });
  const head = resampler.process(samples);
  const tail = resampler.flush();
  const all = new Int16Array(head.length + tail.length);
  all.set(head);
  all.set(tail, head.length);
  return all;
}

/** Everything a background streamed from `source` plays at `rate`, until it has ended. */
async function playedToEnd(source: BackgroundSource, rate: number): Promise<number[]> {
  let ended = false;
  const background = new BackgroundAudio(source, {
    sampleRate: 16000, // of the byte streams
    volume: 1,
    fadeMs: 0,
    onEnded: () => ended = true,
    onError: (error) => assert.fail(error),
  });
  background.attach({ sampleRate: rate, channels: 1, chunkMs: 20 }, () => {});
  const played: number[] = [];
  for (let turn = 0; turn < 200 && !ended; turn++) {
    await settleReads();
    const chunk = background.fill();
    if (chunk !== undefined) played.push(...samplesOf(chunk));
  }
  assert.ok(ended, "the stream played to its end");
  background.detach();
  return played;
}

const bytesOf = (samples: Int16Array) => new Uint8Array(samples.buffer);

Deno.test("`BackgroundAudio` streamed at another rate plays the stream's last samples, the resampler flushed at its end", async () => {
  for (const rate of [8000, 24000, 22050]) {
    const track = tone(16000, 3210); // not a whole number of 20 ms chunks at any rate
    const played = await playedToEnd(ReadableStream.from([bytesOf(track)]), rate);
    const whole = resampledWhole(track, 16000, rate);
    assert.deepEqual(
      played.slice(0, whole.length),
      Array.from(whole),
      `16000 → ${rate} Hz: the stream resampled whole, to its last sample`,
    );
    assert.ok(played.slice(whole.length).every((s) => s === 0), "and silence after it");
  }
});

Deno.test("`BackgroundAudio` streamed in frames that change rate plays the last samples of the first rate before the next", async () => {
  const first = tone(16000, 1610), second = tone(24000, 2400);
  const frame = (samples: Int16Array, sampleRate: number): AudioFrame => ({
    type: "audio",
    audio: bytesOf(samples),
    sampleRate,
    channels: 1,
  });
  const played = await playedToEnd(
    ReadableStream.from([frame(first, 16000), frame(second, 24000)]),
    8000,
  );
  const expected = [...resampledWhole(first, 16000, 8000), ...resampledWhole(second, 24000, 8000)];
  assert.deepEqual(played.slice(0, expected.length), expected, "each stretch whole, in turn");
});
