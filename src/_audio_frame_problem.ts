/**
 * What is wrong with an audio frame handed to the transport, if anything.
 *
 * @module
 */

import type { AudioFrame } from "./frames.ts";

/**
 * Names the first thing wrong with `frame` (bytes that are not a Uint8Array, a rate or channel
 * count that is not a positive integer, bytes that are not whole PCM16 sample frames), or
 * returns `undefined` when it is sound.
 */
export function audioFrameProblem(frame: AudioFrame): string | undefined {
  const { audio, sampleRate, channels } = frame;
  if (!(audio instanceof Uint8Array)) return "audio frame's audio is not a Uint8Array";
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    return `audio frame's sampleRate is ${sampleRate}`;
  }
  if (!Number.isInteger(channels) || channels <= 0) return `audio frame's channels is ${channels}`;
  if (audio.length % (channels * 2) !== 0) {
    return `audio frame of ${audio.length} bytes is not whole ${channels}-channel PCM16 sample frames`;
  }
  return undefined;
}
