// A speech detector's format past what any audio frame may carry (`_frame_limits.ts`: 384,000 Hz,
// 32 channels; the transport refuses such a frame where it comes in) was taken, and its window's
// buffers sized from it as the first audio came: a `sampleRate` or `channels` of 2^40 failed
// there with the runtime's own "Array buffer allocation failed", naming nothing, and a million
// channels allocated 16 MB per window. Refused with the option's name, as the transport's own
// `audioIn`/`audioOut` formats are, at construction and at a frame's push.
import assert from "node:assert/strict";
import type { AudioFrame } from "../../src/frames.ts";
import { SpeechDetector } from "../../src/streams/speech_detector.ts";

const frameOf = (sampleRate: number, channels: number): AudioFrame => ({
  type: "audio",
  audio: new Uint8Array(4),
  sampleRate,
  channels,
});

for (
  const [name, options, message] of [
    ["sampleRate", { sampleRate: 2 ** 40 }, "sampleRate must be at most 384000, got 1099511627776"],
    ["sampleRate", { sampleRate: 384_001 }, "sampleRate must be at most 384000, got 384001"],
    ["channels", { channels: 1e9 }, "channels must be at most 32, got 1000000000"],
    ["channels", { channels: 33 }, "channels must be at most 32, got 33"],
  ] as const
) {
  Deno.test(`SpeechDetector: ${JSON.stringify(options)} is refused at construction, naming ${name}`, () => {
    assert.throws(() => new SpeechDetector(options), { name: "RangeError", message });
  });
}

Deno.test("SpeechDetector: a frame past the frame limits is refused at its push, naming the field", () => {
  const detector = new SpeechDetector();
  assert.throws(() => detector.push(frameOf(2 ** 40, 1), () => {}), {
    name: "RangeError",
    message: "sampleRate must be at most 384000, got 1099511627776",
  });
  assert.throws(() => detector.push(frameOf(16000, 1e9), () => {}), {
    name: "RangeError",
    message: "channels must be at most 32, got 1000000000",
  });
});

Deno.test("SpeechDetector: the frame limits themselves are taken", () => {
  const events: string[] = [];
  new SpeechDetector({ sampleRate: 384_000, channels: 32 }).push(new Uint8Array(64), () => {});
  new SpeechDetector().push(frameOf(384_000, 32), (event) => void events.push(event.type));
  assert.deepEqual(events, []);
});

Deno.test("SpeechDetector: windowMs is bounded, 1 to 1,000 ms, refused by name past either end", () => {
  for (const windowMs of [1e-9, 0.125, 0.999, 1000.5, 1e9, Infinity, NaN]) {
    assert.throws(
      () => new SpeechDetector({ windowMs }),
      (error: Error) =>
        error instanceof RangeError &&
        error.message === `windowMs must be from 1 to 1000, got ${windowMs}`,
      `windowMs ${windowMs}`,
    );
  }
  for (const windowMs of [1, 10, 1000]) new SpeechDetector({ windowMs });
});
