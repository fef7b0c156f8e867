/**
 * The one check of known speech segments, wherever they are given: `simulateCall`'s
 * `speechSegments` or the audio's own (`CallerPcm.speechSegments`). The report's utterances are
 * taken from them as they are, so a segment that ends before it starts must be refused up front.
 *
 * @module
 */

import type { SpeechSegment } from "./caller_audio.ts";

/**
 * Throws a `RangeError` unless every segment has `0 <= startMs < endMs`; `name` says where they
 * were given.
 */
export function assertSpeechSegments(segments: readonly SpeechSegment[], name: string): void {
  for (const segment of segments) {
    if (!(segment.endMs > segment.startMs) || !(segment.startMs >= 0)) {
      throw new RangeError(
        `${name}: speech segment ${JSON.stringify(segment)} must have 0 <= startMs < endMs`,
      );
    }
  }
}
