/**
 * The cost of speech detection on inbound audio: `SpeechDetector` over 20 s of 16 kHz mono (1000
 * frames of 20 ms, speech bursts in noise) next to a bare loop that only reads every sample and
 * sums its square (the floor of any energy measure), and `SpeechDetectorStream` next to a
 * `TransformStream` that only passes each frame on (the floor of any stream that looks at frames).
 * Real-time factor = 20 s / time per iteration. A third case: 20 s of a caller typing digits (the
 * detector's keypad-tone test runs at every tone's window).
 *
 * Run: `npx deno bench --allow-all tests/bench/speech_detector_bench.ts`
 *
 * @module
 */

import {
  type AudioFrame,
  type Frame,
  SpeechDetector,
  SpeechDetectorStream,
  type SpeechEvent,
} from "@x/ws-transport";

const FRAMES = 1000;
const SAMPLES = 320;
// Noise, with a -20 dBFS tone for 1 s in every 3 s: detections happen, as on a real call.
const frames: AudioFrame[] = Array.from({ length: FRAMES }, (_, n) => {
  const loud = n % 150 < 50;
  const samples = new Int16Array(SAMPLES).map((_, i) =>
    (((n * SAMPLES + i) * 7919) % 61) - 30 +
    (loud ? 4634 * Math.sin((2 * Math.PI * 440 * (n * SAMPLES + i)) / 16000) : 0)
  );
  return { type: "audio", audio: new Uint8Array(samples.buffer), sampleRate: 16000, channels: 1 };
});

// A caller typing digits the whole 20 s over the same noise (100 ms tones, 40 ms gaps, -10 dBFS
// each): every tone's window is tested as a keypad tone, as none is while speech goes on.
const keypad: AudioFrame[] = Array.from({ length: FRAMES }, (_, n) => {
  const samples = new Int16Array(SAMPLES).map((_, i) => {
    const at = n * SAMPLES + i;
    const [row, column] = [[697, 1209], [770, 1336], [852, 1477], [941, 1633]][
      Math.floor(at / 2240) % 4
    ]!;
    const tone = at % 2240 < 1600
      ? 4634 * (Math.sin((2 * Math.PI * row! * at) / 16000) +
        Math.sin((2 * Math.PI * column! * at) / 16000))
      : 0;
    return ((at * 7919) % 61) - 30 + tone;
  });
  return { type: "audio", audio: new Uint8Array(samples.buffer), sampleRate: 16000, channels: 1 };
});

let events = 0;
const emit = (_event: SpeechEvent) => void events++;
let sink = 0;

Deno.bench("read every sample, sum of squares", { group: "core", baseline: true }, () => {
  let sum = 0;
  for (const frame of frames) {
    const bytes = frame.audio;
    for (let i = 0; i + 1 < bytes.length; i += 2) {
      const sample = ((bytes[i]! | (bytes[i + 1]! << 8)) << 16) >> 16;
      sum += sample * sample;
    }
  }
  sink += sum;
});

Deno.bench("SpeechDetector, 20 s of 16 kHz mono", { group: "core" }, () => {
  const detector = new SpeechDetector();
  for (const frame of frames) detector.push(frame, emit);
  detector.flush(emit);
});

Deno.bench("SpeechDetector, 20 s of 16 kHz mono, a caller typing digits", { group: "core" }, () => {
  const detector = new SpeechDetector();
  for (const frame of keypad) detector.push(frame, emit);
  detector.flush(emit);
});

async function drain(stream: TransformStream<Frame, Frame>): Promise<void> {
  for await (const _ of ReadableStream.from(frames).pipeThrough(stream)) sink++;
}

Deno.bench("pass-through TransformStream", { group: "stream", baseline: true }, async () => {
  await drain(new TransformStream({ transform: (frame, controller) => controller.enqueue(frame) }));
});

Deno.bench("SpeechDetectorStream", { group: "stream" }, async () => {
  await drain(new SpeechDetectorStream({ onSpeech: emit }));
});
