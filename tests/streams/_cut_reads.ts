// Audio cut at any byte, as a file or a socket read in PCM16 is cut wherever the read ended: the
// input of the tests that check a stream keeps samples whole across such cuts.
import type { AudioFrame, Frame } from "../../src/frames.ts";

/** `count` distinct samples (no two byte pairs alike), as little-endian PCM16 bytes. */
export function distinctSamples(
  count: number,
  first = 1,
): { samples: Int16Array; bytes: Uint8Array } {
  const values = Int16Array.from({ length: count }, (_, i) => ((first + i) * 257) % 32749 - 16000);
  return { samples: values, bytes: new Uint8Array(values.buffer) };
}

/** 16 kHz mono audio of `bytes`, with `extra` over that. */
export function audio(bytes: Uint8Array, extra: Partial<AudioFrame> = {}): AudioFrame {
  return { type: "audio", audio: bytes, sampleRate: 16000, channels: 1, ...extra };
}

/** `bytes` cut into frames at `cuts` (byte offsets), each frame's bytes its own buffer. */
export function cutAt(
  bytes: Uint8Array,
  cuts: number[],
  extra: Partial<AudioFrame> = {},
): AudioFrame[] {
  let start = 0;
  return [...cuts, bytes.length].map((end) => audio(bytes.slice(start, start = end), extra));
}

/** `frames` written through `stream`, all it gave. */
export function through(stream: TransformStream<Frame, Frame>, frames: Frame[]): Promise<Frame[]> {
  return Array.fromAsync(ReadableStream.from(frames).pipeThrough(stream));
}
