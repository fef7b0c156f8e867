/**
 * The one check of known speech segments, wherever they are given: `simulateCall`'s
 * `speechSegments` or the audio's own (`CallerPcm.speechSegments`). The report's utterances are
 * taken from them as they are, so a segment that ends before it starts must be refused up front,
 * so must two that overlap (one stretch of speech counted as two utterances), and so must one that
 * runs past the end of audio of known length: the silence the caller sends after its audio would
 * be counted as speech (an utterance the bot "never answered", or one whose latency is measured
 * from seconds after the caller's last word).
 *
 * @module
 */

import { kindOf } from "../_kind_of.ts";
import type { SpeechSegment } from "./caller_audio.ts";

/**
 * Throws a `TypeError` unless every segment is an object whose `startMs` and `endMs` are numbers,
 * and a `RangeError` unless every one has `0 <= startMs < endMs` and no two overlap (they may
 * touch, and come in any order); `name` says where they were given.
 */
export function assertSpeechSegments(segments: readonly SpeechSegment[], name: string): void {
  for (const segment of segments) assertNumbers(segment, name);
  for (const segment of segments) {
    if (!(segment.endMs > segment.startMs) || !(segment.startMs >= 0)) {
      throw new RangeError(
        `${name}: speech segment ${JSON.stringify(segment)} must have 0 <= startMs < endMs`,
      );
    }
  }
  // Each segment is one utterance: two that overlap are one stretch of speech told twice, and the
  // bot's one answer would go to the one that ends first, leaving the other "unanswered".
  const ordered = [...segments].sort((a, b) => a.startMs - b.startMs);
  for (let i = 1; i < ordered.length; i++) {
    const before = ordered[i - 1]!;
    const segment = ordered[i]!;
    if (segment.startMs < before.endMs) {
      throw new RangeError(
        `${name}: speech segments ${JSON.stringify(before)} and ${JSON.stringify(segment)} ` +
          "overlap: each is one utterance, give one stretch of speech once",
      );
    }
  }
}

/**
 * Throws a `RangeError` if a segment ends after the audio does (`durationMs`, the audio's length;
 * a stream's is not known, and its segments are taken as given). `name` says where they were given.
 */
export function assertSpeechSegmentsWithin(
  segments: readonly SpeechSegment[],
  durationMs: number,
  name: string,
): void {
  // Resampling can leave the length a fraction of a millisecond short of what the file says.
  const endMs = Math.ceil(durationMs);
  for (const segment of segments) {
    if (segment.endMs > endMs) {
      throw new RangeError(
        `${name}: speech segment ${JSON.stringify(segment)} ends after the audio, ` +
          `which is ${endMs} ms long`,
      );
    }
  }
}

/**
 * Throws a `TypeError` unless `segment` is an object with numbers for `startMs` and `endMs`.
 * Compared as they came, times read from text were misjudged: strings compare letter by letter
 * (`{ startMs: "900", endMs: "1000" }` refused as ending before it starts, `"300"–"700"` and
 * `"1000"–"1400"` as overlapping), and `null` was taken for 0.
 */
function assertNumbers(segment: unknown, name: string): void {
  if (typeof segment !== "object" || segment === null) {
    throw new TypeError(
      `${name}: a speech segment must be { startMs, endMs }, got ${kindOf(segment)}`,
    );
  }
  for (const key of ["startMs", "endMs"] as const) {
    const value = (segment as Record<string, unknown>)[key];
    if (typeof value !== "number") {
      throw new TypeError(
        `${name}: a speech segment's ${key} must be a number of ms, got ${kindOf(value)}`,
      );
    }
  }
}
