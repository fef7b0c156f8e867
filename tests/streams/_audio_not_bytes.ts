/**
 * The check every building-block stream makes of an audio frame's bytes, for their tests: from
 * JavaScript an `ArrayBuffer` or a string can be written as `audio`.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../src/frames.ts";

/** Audio that is no `Uint8Array` (40 ms of 16 kHz mono, were it bytes), and how it is named. */
const NOT_BYTES: [unknown, RegExp][] = [
  // It has no `length`: cut by one, it would vanish with no error; timed by one, go unpaced.
  [new ArrayBuffer(1280), /^audio frame's audio is an ArrayBuffer, not a Uint8Array$/],
  // It has a `length`: it would be passed on as if it were bytes, or fail on a method it lacks.
  ["x".repeat(1280), /^audio frame's audio is a string \(x+\), not a Uint8Array$/],
];

/** Asserts that `makeStream()` errors with a `TypeError` naming the field for each of them. */
export async function assertRefusesAudioNotBytes(
  makeStream: () => TransformStream<Frame, Frame>,
): Promise<void> {
  for (const [audio, message] of NOT_BYTES) {
    const frame = { type: "audio", audio, sampleRate: 16000, channels: 1 } as unknown as AudioFrame;
    await assert.rejects(
      Array.fromAsync(ReadableStream.from<Frame>([frame]).pipeThrough(makeStream())),
      (error) => error instanceof TypeError && message.test(error.message),
    );
  }
}
