/**
 * What is wrong with a frame handed to `send`, if anything: no frame at all, a type the
 * transport does not know, or audio that is not what it says.
 *
 * @module
 */

import { MAX_CHANNELS, MAX_SAMPLE_RATE } from "./audio/_frame_limits.ts";
import type { AudioFrame, FrameType } from "./frames.ts";

/** Every frame type but audio (what `send` takes): the record makes the checker list them all. */
const OTHER_FRAME_TYPES: ReadonlySet<string> = new Set(Object.keys(
  {
    interruption: true,
    cancel: true,
    end: true,
    message: true,
    text: true,
    transcription: true,
    dtmf: true,
    mark: true,
    start: true,
  } satisfies Record<Exclude<FrameType, "audio">, true>,
));

/**
 * Names what makes `value` no frame (not an object, or of a type no frame has), or returns
 * `undefined` for one. Audio, nearly every frame sent, is known without a lookup.
 */
export function notAFrameProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") {
    return `send takes a frame, got ${value === null ? "null" : typeof value}`;
  }
  const type = (value as { type?: unknown }).type;
  if (type === "audio" || OTHER_FRAME_TYPES.has(type as string)) return undefined;
  return `send takes a frame, got one of type ${JSON.stringify(type)}`;
}

/**
 * Names the first thing wrong with `frame` (bytes that are not a Uint8Array, a rate or channel
 * count that is not a positive integer or is beyond any audio format's, bytes that are not whole
 * PCM16 sample frames), or returns `undefined` when it is sound.
 */
export function audioFrameProblem(frame: AudioFrame): string | undefined {
  const { audio, sampleRate, channels } = frame;
  if (!(audio instanceof Uint8Array)) return "audio frame's audio is not a Uint8Array";
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > MAX_SAMPLE_RATE) {
    return `audio frame's sampleRate is ${sampleRate} (1 to ${MAX_SAMPLE_RATE} Hz)`;
  }
  if (!Number.isInteger(channels) || channels <= 0 || channels > MAX_CHANNELS) {
    return `audio frame's channels is ${channels} (1 to ${MAX_CHANNELS})`;
  }
  if (audio.length % (channels * 2) !== 0) {
    return `audio frame of ${audio.length} bytes is not whole ${channels}-channel PCM16 sample frames`;
  }
  return undefined;
}
