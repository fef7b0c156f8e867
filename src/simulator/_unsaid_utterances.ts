/**
 * The utterances of the caller's audio that a call never got to: what its audio held past the
 * point where the call stopped saying it. One finder for every reason the caller stopped: the bot
 * ended the call first (`_not_reached.ts`), or the caller's own schedule did
 * (`_left_unsaid.ts`).
 *
 * @module
 */

import { CALLER_HANGOVER_MS } from "./_call_audio.ts";
import { TalkSpurtDetector } from "./_talk_spurts.ts";
import type { SpeechSegment } from "./caller_audio.ts";

/** Where the caller's utterances are found, as the call found those it said. */
export interface UnsaidAudio {
  /** How much of the caller's audio was said, in ms of the audio. */
  saidMs: number;
  /** The audio's known speech segments (the option's, or the audio's own), if any. */
  segments: readonly SpeechSegment[] | undefined;
  /** All of the caller's audio at `sampleRate`, when known (not for a stream). */
  samples: Int16Array | undefined;
  /** The rate of `samples`. */
  sampleRate: number;
  /** The speech threshold the call's detector used, in dBFS. */
  thresholdDbfs: number;
}

/**
 * The utterances of the caller's audio that start at or after `saidMs`, in ms of the audio:
 * the known segments there, or the detector's spurts over the whole audio (the same detector,
 * on the same samples, from the same origin as the call's own, so an utterance the caller had
 * begun is never counted again as one unsaid). `null` when not known: a stream without
 * segments, whose rest was never read.
 */
export function unsaidUtterances(audio: UnsaidAudio): SpeechSegment[] | null {
  const { saidMs } = audio;
  // From the audio's start, not from `saidMs`: a spurt under way (or within its hangover) where
  // the caller stopped is the one the call already has, not a new one.
  return allUtterances(audio)?.filter((s) => s.startMs >= saidMs) ?? null;
}

/**
 * The utterance of the caller's audio under way at `saidMs` (begun before it, its speech going on
 * to it or past it): the one a call that stopped there cut mid-sentence; `null` when none was,
 * `undefined` when not known (a stream without segments, whose rest was never read). One that
 * ends exactly at `saidMs` is among them: said in full, but the caller left the same instant,
 * with no time at all to hear an answer, so none is owed for it either.
 */
export function utteranceCutShort(audio: UnsaidAudio): SpeechSegment | null | undefined {
  const { saidMs } = audio;
  const all = allUtterances(audio);
  if (all === null) return undefined;
  return all.find((s) => s.startMs < saidMs && s.endMs >= saidMs) ?? null;
}

/** Every utterance of the caller's audio, in order; `null` when not known. */
function allUtterances(audio: UnsaidAudio): SpeechSegment[] | null {
  const { segments, samples } = audio;
  if (segments !== undefined) {
    return segments.map(({ startMs, endMs }) => ({ startMs, endMs }))
      .sort((a, b) => a.startMs - b.startMs);
  }
  if (samples === undefined) return null;
  // The same detector, on the same samples, from the same origin as the call's own.
  const detector = new TalkSpurtDetector({
    sampleRate: audio.sampleRate,
    thresholdDbfs: audio.thresholdDbfs,
    hangoverMs: CALLER_HANGOVER_MS,
    originMs: 0,
  });
  detector.push(samples);
  detector.finish();
  return detector.spurts.map(({ startMs, endMs }) => ({ startMs, endMs }));
}
