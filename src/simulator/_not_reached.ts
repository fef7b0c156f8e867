/**
 * The caller's utterances a call never reached: its audio held them, but the bot ended the call
 * before the caller got to say them. The report's `utterances` are what the caller said; without
 * these, a bot that closes the socket at once had "0/0 answered", nothing left unanswered, and
 * passed `--require-answer` for never letting the caller ask.
 *
 * @module
 */

import { CALLER_HANGOVER_MS } from "./_call_audio.ts";
import { TalkSpurtDetector } from "./_talk_spurts.ts";
import type { SpeechSegment } from "./caller_audio.ts";
import type { CallEnding } from "./report.ts";

/**
 * Whether the bot's side ended the call: it closed the socket (any code: 1000, 1005 and 4xxx
 * alike), ended it within the protocol (a Genesys `disconnect`, a ConversationRelay `end`), or
 * its connection dropped. Not the caller's hang-up (`hangUpAtMs`: what it left unsaid, it chose
 * to), the call's bound (`maxDurationMs`, the caller's setting), a failure to connect or the
 * caller's own audio failing (`error`), nor an abort.
 */
export function endedByBotSide(ended: CallEnding): boolean {
  return ended.by === "bot" || ended.by === "network";
}

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
 * begun is never counted again as one not reached). `null` when not known: a stream without
 * segments, whose rest was never read.
 */
export function unsaidUtterances(audio: UnsaidAudio): SpeechSegment[] | null {
  const { saidMs, segments, samples } = audio;
  if (segments !== undefined) {
    return segments.filter((s) => s.startMs >= saidMs)
      .map(({ startMs, endMs }) => ({ startMs, endMs }))
      .sort((a, b) => a.startMs - b.startMs);
  }
  if (samples === undefined) return null;
  // From the audio's start, not from `saidMs`: a spurt under way (or within its hangover) where
  // the caller stopped is the one the call already has, not a new one.
  const detector = new TalkSpurtDetector({
    sampleRate: audio.sampleRate,
    thresholdDbfs: audio.thresholdDbfs,
    hangoverMs: CALLER_HANGOVER_MS,
    originMs: 0,
  });
  detector.push(samples);
  detector.finish();
  return detector.spurts.filter((s) => s.startMs >= saidMs);
}

/** Who ended the call first, and when, in words: `the bot hung up at 0.30 s`. */
export function endedFirstBy(ended: CallEnding): string {
  const at = `${(ended.atMs / 1000).toFixed(2)} s`;
  return ended.by === "network" ? `the connection dropped at ${at}` : `the bot hung up at ${at}`;
}
