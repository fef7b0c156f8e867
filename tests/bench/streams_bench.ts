/**
 * Throughput of the four exported streams and their push-style cores, each beside a bare baseline
 * over the same frames: an identity `TransformStream` for the streams, a plain loop for the cores.
 *
 * Run: `npx deno bench --allow-all tests/bench/streams_bench.ts`
 * Medians, MB/s, frames/s and ratios as a Markdown table (what BENCHMARKS.md
 * holds): `npx deno run --allow-all tests/bench/streams_bench.ts --table`
 *
 * Every iteration moves the same fixture: 1000 audio frames of 30 ms at 16 kHz mono (960 bytes,
 * 960 000 bytes in all), so MB/s = 0.96 / (seconds per iteration) and frames/s = 1000 / (seconds
 * per iteration), counting input frames. Pacing runs on fake clocks: it measures the overhead of
 * scheduling, not real time.
 *
 * @module
 */

import { AudioChunker } from "../../src/streams/audio_chunker.ts";
import { Packetizer } from "../../src/streams/packetizer.ts";
import { Pacer } from "../../src/streams/pacer.ts";
import { wrapWav } from "../../src/audio/wav.ts";
import { durationMs } from "../../src/audio/pcm.ts";
import { AudioChunkerStream } from "../../src/streams/audio_chunker_stream.ts";
import { WavEncoderStream } from "../../src/streams/wav_encoder_stream.ts";
import { PacketizerStream } from "../../src/streams/packetizer_stream.ts";
import { PacerStream } from "../../src/streams/pacer_stream.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { Clock } from "../../src/clock.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";

const FRAME_COUNT = 1000;
const FRAME_BYTES = 960;

// One backing buffer with distinct content per frame, as a TTS would produce it.
const backing = Uint8Array.from({ length: FRAME_COUNT * FRAME_BYTES }, (_, i) => (i * 31) & 0xff);
const frames: AudioFrame[] = Array.from({ length: FRAME_COUNT }, (_, i) => ({
  type: "audio",
  audio: backing.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES),
  sampleRate: 16000,
  channels: 1,
}));

async function drain(stream: TransformStream<Frame, Frame>): Promise<number> {
  let count = 0;
  for await (const _ of ReadableStream.from(frames).pipeThrough(stream)) count++;
  return count;
}

/** A clock whose sleeps end at once and move the time on: PacerStream's cost per wait, alone. */
function instantClock(): Clock {
  let now = 0;
  return {
    now: () => now,
    sleep(ms) {
      now += ms;
      return Promise.resolve();
    },
    timer(callback) {
      // Fires on a microtask, the time moved on by the delay: a timer's cost, without waiting.
      let armed = false;
      return {
        arm(ms) {
          armed = true;
          queueMicrotask(() => {
            if (!armed) return;
            armed = false;
            now += ms;
            callback();
          });
        },
        cancel: () => void (armed = false),
        get armed() {
          return armed;
        },
      };
    },
  };
}

interface Workload {
  name: string;
  group: string;
  baseline: boolean;
  fn: () => void | Promise<unknown>;
}
const workloads: Workload[] = [];

function workload(
  name: string,
  group: string,
  baseline: boolean,
  fn: () => void | Promise<unknown>,
): void {
  workloads.push({ name, group, baseline, fn });
  Deno.bench(name, { group, baseline }, fn as () => void | Promise<void>);
}

// Streams.

workload("identity TransformStream (baseline)", "streams", true, async () => {
  await drain(new TransformStream());
});

workload("AudioChunkerStream 40 ms", "streams", false, async () => {
  await drain(new AudioChunkerStream({ chunkMs: 40 }));
});

workload("WavEncoderStream", "streams", false, async () => {
  await drain(new WavEncoderStream());
});

workload("PacketizerStream 640 B", "streams", false, async () => {
  await drain(new PacketizerStream({ packetSize: 640 }));
});

workload("PacerStream, real-time input (FakeClock, no waits)", "streams", false, async () => {
  // A send-ahead longer than the fixture: every frame may leave at once, as with real-time input.
  await drain(new PacerStream({ clock: new FakeClock(), sendAheadMs: 60_000 }));
});

workload("PacerStream, a wait per frame (FakeClock driven)", "streams", false, async () => {
  const clock = new FakeClock();
  let done = false;
  const draining = drain(new PacerStream({ clock, sendAheadMs: 0 })).then(() => (done = true));
  while (!done) if (!(await clock.next())) await clock.tick(0);
  await draining;
});

workload("PacerStream, a wait per frame (instant clock)", "streams", false, async () => {
  await drain(new PacerStream({ clock: instantClock(), sendAheadMs: 0 }));
});

// Cores.

let sink = 0;
const count = (part: Uint8Array | AudioFrame) => {
  sink += "audio" in part ? part.audio.length : part.length;
};

workload("plain loop, a callback per frame (baseline)", "cores", true, () => {
  for (const frame of frames) count(frame);
});

workload("plain loop, copying every byte once", "cores", false, () => {
  const out = new Uint8Array(FRAME_BYTES);
  for (const frame of frames) {
    out.set(frame.audio);
    count(out);
  }
});

workload("AudioChunker 40 ms", "cores", false, () => {
  const chunker = new AudioChunker({ chunkMs: 40 });
  for (const frame of frames) chunker.push(frame, count);
  chunker.flush(count);
});

workload("Packetizer 640 B", "cores", false, () => {
  const packetizer = new Packetizer({ packetSize: 640 });
  for (const frame of frames) packetizer.push(frame.audio, count);
  packetizer.flush(count);
});

workload("wrapWav", "cores", false, () => {
  for (const frame of frames) count(wrapWav(frame.audio, frame));
});

workload("Pacer.reserve", "cores", false, () => {
  const pacer = new Pacer({ clock: new FakeClock(), sendAheadMs: 0 });
  for (const frame of frames) sink += pacer.reserve(durationMs(frame.audio.length, frame));
});

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink); // keeps `sink` observable so no loop is optimised away
});

/** Times single iterations (after a warm-up) and prints medians as a Markdown table. */
async function table(): Promise<void> {
  const medians = new Map<string, number>();
  const rows: string[] = [
    "| group | benchmark | median / iter | MB/s | frames/s | × baseline time |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
  ];
  for (const w of workloads) {
    const budgetMs = 3000;
    const samples: number[] = [];
    // Sync workloads stay sync: awaiting them would add a microtask turn to each sample.
    const once = async () => {
      const result = w.fn();
      if (result instanceof Promise) await result;
    };
    for (let i = 0; i < 20; i++) await once();
    const start = performance.now();
    while (samples.length < 30 || (performance.now() - start < budgetMs && samples.length < 2000)) {
      const t0 = performance.now();
      await once();
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    const median = samples[samples.length >> 1]!;
    if (w.baseline) medians.set(w.group, median);
    const base = medians.get(w.group)!;
    const seconds = median / 1000;
    const mbps = (FRAME_COUNT * FRAME_BYTES) / 1e6 / seconds;
    const fps = FRAME_COUNT / seconds;
    const time = median >= 1 ? `${median.toFixed(2)} ms` : `${(median * 1000).toFixed(1)} µs`;
    rows.push(
      `| ${w.group} | ${w.name} | ${time} | ${mbps.toFixed(0)} | ${fps.toFixed(0)} | ${
        (median / base).toFixed(2)
      } |`,
    );
  }
  console.log(rows.join("\n"));
}

if (Deno.args.includes("--table")) await table();
