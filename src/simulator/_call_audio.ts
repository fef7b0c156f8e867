/**
 * The audio side of one call: the far end's playout buffer and speaker, the detectors that cut
 * the caller's and the bot's audio into talk spurts, the recorder, and the barge-in schedule.
 *
 * @module
 */

import { TalkSpurtDetector } from "./_talk_spurts.ts";
import type { ResolvedCallOptions } from "./_call_options.ts";
import { CallRecorder } from "./call_recorder.ts";
import type { FarEnd } from "./far_end.ts";
import { PlayoutBuffer } from "./playout_buffer.ts";
import type { BargeInOptions } from "./simulate_call.ts";

/** The bot's pauses within an answer are shorter than this; a longer silence ends a spurt. */
const BOT_HANGOVER_MS = 250;
/**
 * The caller's pauses within an utterance are shorter than this: the call's detector, and the
 * one that finds what the caller never got to say (`_unsaid_utterances.ts`), must cut alike.
 */
export const CALLER_HANGOVER_MS = 500;

/** A barge-in the caller makes, in call time. */
export interface BargeInSpeech {
  startMs: number;
  endMs: number;
}

/** Playout, detection, recording and barge-in state of one call. */
export class CallAudioTimeline {
  /** The far end's playout buffer; its speaker's time 0 is the call's start. */
  readonly buffer: PlayoutBuffer;
  /** Talk spurts of what the caller heard (the speaker), in call time. */
  readonly bot: TalkSpurtDetector;
  /** Talk spurts of the caller's own audio, in caller-audio time; `null` when segments are known. */
  readonly caller: TalkSpurtDetector | null;
  /** The barge-ins made so far. */
  readonly bargeIns: BargeInSpeech[] = [];
  readonly #recorder: CallRecorder | null;
  /** The caller audio's known speech segments, in caller-audio time. */
  readonly knownSegments: { startMs: number; endMs: number }[] | undefined;
  readonly #speed: number;
  #bargeIn: BargeInSpeech | null = null;
  /** The caller-audio position where the barge-in under way ends (its call time may move). */
  #bargeInEndPosition = 0;
  #lastBargedSpurt: number | null = null;
  #callerStartMs = 0;
  /**
   * Where the caller's audio ended (its caller position) and the call time it ended at: the
   * silence after it goes in real time whatever the speed (see `simulateCall`'s `speed`).
   */
  #silenceFrom: { position: number; atMs: number } | null = null;
  /** How many utterances of its own the caller had begun at the last barge-in. */
  #spokenAtBargeIn = 0;
  /** The bot's answer to the last barge-in has begun (and was not barged in on). */
  #answerHeardOut = false;

  constructor(
    farEnd: FarEnd,
    options: ResolvedCallOptions,
    speechSegments?: { startMs: number; endMs: number }[],
  ) {
    this.#speed = options.speed;
    this.knownSegments = speechSegments;
    this.#recorder = options.record
      ? new CallRecorder({ callerRate: farEnd.caller.sampleRate, heardRate: farEnd.playbackRate })
      : null;
    this.bot = new TalkSpurtDetector({
      sampleRate: farEnd.playbackRate,
      thresholdDbfs: options.speechThresholdDbfs,
      hangoverMs: BOT_HANGOVER_MS,
      originMs: 0,
    });
    this.caller = speechSegments ? null : new TalkSpurtDetector({
      sampleRate: farEnd.caller.sampleRate,
      thresholdDbfs: options.speechThresholdDbfs,
      hangoverMs: CALLER_HANGOVER_MS,
      originMs: 0,
    });
    const recorder = this.#recorder;
    const bot = this.bot;
    this.buffer = new PlayoutBuffer({
      sampleRate: farEnd.playbackRate,
      maxUnderrunMs: options.maxUnderrunMs,
      earlyMs: options.earlyMs,
      // What the bot hung up over is judged as its talk is: a tail under the speech threshold
      // (breath, room noise) is no goodbye unheard.
      audibleDbfs: options.speechThresholdDbfs,
      onPlay: (played) => {
        if (typeof played === "number") bot.pushSilence(played);
        else bot.push(played);
        recorder?.heard(played);
      },
    });
  }

  /** Whether the caller hears the bot now (an audible spurt is under way). */
  get botSounding(): boolean {
    return this.bot.active;
  }

  /** How long the bot's spurt detector stays active after the bot's last sound. */
  get botHangoverMs(): number {
    return BOT_HANGOVER_MS;
  }

  /** Whether a barge-in is being spoken. */
  get bargingIn(): boolean {
    return this.#bargeIn !== null;
  }

  /** The bot's audio arrived at `now`: `samples`, `times` over (held once, see `enqueue`). */
  play(samples: Int16Array, now: number, times = 1): void {
    this.buffer.enqueue(samples, now, times);
  }

  /** Plays what is due at `now`. */
  advance(now: number): void {
    this.buffer.advance(now);
  }

  /** The bot cleared its audio at `now`. */
  clear(now: number): void {
    this.buffer.clear(now);
  }

  /** The caller's audio starts at call time `atMs`. */
  callerStarts(atMs: number): void {
    this.#callerStartMs = atMs;
  }

  /** The caller's own audio (before any barge-in is mixed in). */
  callerSaid(samples: Int16Array): void {
    this.caller?.push(samples);
  }

  /** The caller's audio ended at caller position `position`, at call time `atMs`. */
  callerAudioEnded(position: number, atMs: number): void {
    this.#silenceFrom = { position, atMs };
    // A barge-in spoken over the audio's end goes on in real time with the silence after it.
    if (this.#bargeIn) this.#bargeIn.endMs = this.callTime(this.#bargeInEndPosition);
  }

  /** What the caller sent at call time `callTime`, for the recording. */
  recordSaid(samples: Int16Array, callTime: number): void {
    this.#recorder?.said(samples, callTime);
  }

  /**
   * The barge-in to mix into a frame spanning call times [`frameStart`, `frameEnd`): the one under
   * way, or a new one when the bot has been speaking for `afterMs`, is still audible (not just
   * within its detector's hangover), and the caller is quiet.
   * The bot's answer to a barge-in (its first sound after it, no utterance of the caller's own
   * between) is not barged in on: a caller that interrupted listens to what the bot says to it,
   * and a bot that answers every sound (an echo, a parrot) would otherwise be interrupted by its
   * own answers until the end.
   */
  bargeInPlan(
    frameStart: number,
    frameEnd: number,
    options: Required<BargeInOptions>,
  ): BargeInSpeech | null {
    if (this.#bargeIn) return this.#bargeIn;
    // A spurt that has sounded: a click (a pop, a step into a DC offset) is neither the bot's
    // answer heard out nor talk to barge in on, as it is no spurt in the report.
    const spurt = this.bot.soundedStartMs;
    if (spurt === null || spurt === this.#lastBargedSpurt) return null;
    if (this.bargeIns.length >= options.count) return null;
    const spoken = this.#ownUtterances(this.callerPosition(frameStart));
    const last = this.bargeIns.at(-1);
    if (
      last !== undefined && !this.#answerHeardOut && spurt >= last.endMs &&
      spoken === this.#spokenAtBargeIn
    ) {
      // The bot's first sound after the barge-in, with no word of the caller's between: its
      // answer to it, heard out. (Only that one: a bot speaking up later on its own is fair game.)
      this.#answerHeardOut = true;
      this.#lastBargedSpurt = spurt;
      return null;
    }
    const due = spurt + options.afterMs;
    if (due >= frameEnd) return null;
    const startMs = Math.max(due, frameStart);
    // Only over a bot audible then, as the report counts the caller's own utterances over the bot
    // (within a spurt's sound, not its hangover): one already silent is not talked over, and its
    // "stop" would read 0 ms. A pause is waited out: a later frame barges in if it speaks on.
    if (!this.bot.audibleAt(startMs)) return null;
    const endPosition = this.callerPosition(startMs) + options.durationMs;
    const endMs = this.callTime(endPosition);
    // Not over the caller's own words: not from when it was due (a due time already past when the
    // caller began an utterance meanwhile) and, where its speech is known, not before it ends.
    if (this.#callerSpeaksDuring(due, endMs)) return null;
    this.#lastBargedSpurt = spurt;
    this.#spokenAtBargeIn = spoken;
    this.#answerHeardOut = false;
    this.#bargeIn = { startMs, endMs };
    this.#bargeInEndPosition = endPosition;
    this.bargeIns.push(this.#bargeIn);
    return this.#bargeIn;
  }

  /** The barge-in under way has been spoken in full. */
  bargeInDone(): void {
    this.#bargeIn = null;
  }

  /** Caller utterances begun by caller-audio time `position` (segments or detected), and barge-ins. */
  callerUtterances(position: number): number {
    return this.#ownUtterances(position) + this.bargeIns.length;
  }

  /** Utterances of the caller's own audio begun by caller-audio time `position`. */
  #ownUtterances(position: number): number {
    // One under way once it has sounded: a click is no utterance (none in the report), and must
    // not end the bot's reply where it runs dry (an underrun after it went uncounted).
    if (this.caller) {
      return this.caller.spurts.length + (this.caller.soundedStartMs !== null ? 1 : 0);
    }
    // Counted in place: asked at every caller frame, where a filter would make an array each time.
    let begun = 0;
    for (const segment of this.knownSegments ?? []) if (segment.startMs < position) begun++;
    return begun;
  }

  /** Ends the timelines at call time `endMs`. */
  finish(endMs: number): void {
    this.buffer.advance(endMs);
    this.bot.finish();
    this.caller?.finish();
  }

  /** The stereo recording, when recording. */
  recording(): Uint8Array | undefined {
    return this.#recorder?.toWav();
  }

  /** The call time of caller-audio position `ms`: at the call's speed, then in real time. */
  callTime(ms: number): number {
    const silence = this.#silenceFrom;
    if (silence !== null && ms >= silence.position) return silence.atMs + (ms - silence.position);
    return this.#callerStartMs + ms / this.#speed;
  }

  /** The caller-audio position at call time `ms` (the inverse of {@linkcode callTime}). */
  callerPosition(ms: number): number {
    const silence = this.#silenceFrom;
    if (silence !== null && ms >= silence.atMs) return silence.position + (ms - silence.atMs);
    // At speed Infinity all of the audio is at the caller's start: position 0 there, not 0 × ∞.
    const position = ms <= this.#callerStartMs ? 0 : (ms - this.#callerStartMs) * this.#speed;
    return silence === null ? position : Math.min(position, silence.position);
  }

  /**
   * Whether the caller speaks within call times [`from`, `to`): now, where it is only detected,
   * once what it says has sounded (a click is no utterance, and held a barge-in back its hangover).
   */
  #callerSpeaksDuring(from: number, to: number): boolean {
    if (this.caller) return this.caller.soundedStartMs !== null;
    const start = this.callerPosition(from);
    const end = this.callerPosition(to);
    return this.knownSegments?.some((s) => s.startMs < end && start < s.endMs) ?? false;
  }
}
