/**
 * The far end's playout buffer: the platform's queue of the bot's audio, played to the caller at
 * the platform's real rate. It is what makes "played" mean something: marks are acknowledged
 * when the audio before them has left it, a clear empties it (a far end's own drop,
 * {@linkcode PlayoutBuffer.dropQueued}, takes out part of it), and a bot that sends too late runs
 * it dry (an underrun the caller hears as a gap).
 *
 * @module
 */

import { checkPlayTimes } from "./_play_times.ts";
import { speechThreshold } from "./_call_options.ts";
import { type Distribution, Histogram } from "./_distribution.ts";

/** Options for {@linkcode PlayoutBuffer}. */
export interface PlayoutBufferOptions {
  /** The rate the platform plays at, in samples per second (mono). */
  sampleRate: number;
  /**
   * The time (on the caller's clock, in ms) of the speaker's first sample.
   *
   * @default {0}
   */
  originMs?: number;
  /**
   * Receives what the speaker plays, in order and without gaps: audio as samples (views, valid
   * during the call), silence as a count of samples.
   *
   * @default {undefined}
   */
  onPlay?: (played: Int16Array | number) => void;
  /**
   * A buffer that ran dry and got audio again within this many ms had an underrun (a gap in the
   * middle of the bot's reply); a longer silence ended the reply (a pause between turns), as does
   * a clear or the caller speaking ({@linkcode PlayoutBuffer.callerSpoke}). A platform's buffer
   * sees no reply boundaries, only audio, clears and marks, so silence and the caller's turns are
   * what tell them: a mark marks whatever place the bot chose (a transport marks its cadence, and
   * the end of what it sent, which a stalled sender's queue running dry also is), not a reply's
   * end.
   *
   * @default {1000}
   */
  maxUnderrunMs?: number;
  /**
   * A chunk that arrives with more than this many ms already queued ahead of it is early: the
   * bot is sending faster than real time (more to clear on barge-in).
   *
   * @default {1000}
   */
  earlyMs?: number;
  /**
   * The level above which queued audio is sound to {@linkcode PlayoutStats.unplayedAtEndMs}, in
   * dBFS: a 10 ms block's RMS about its own mean, as a call's talk spurts judge speech (a
   * simulated call gives its `speechThresholdDbfs`, so that a goodbye's tail of breath or room
   * noise under it, cut by the hang-up, is no goodbye unheard).
   *
   * @default {-60}
   *
   * @example A tail of noise under the level is no unplayed sound
   * ```ts
   * import { PlayoutBuffer } from "@x/ws-transport/simulator";
   * import assert from "node:assert/strict";
   *
   * const buffer = new PlayoutBuffer({ sampleRate: 8000, audibleDbfs: -45 });
   * buffer.enqueue(new Int16Array(800).map((_, i) => (i % 2 ? 3000 : -3000)), 0); // 100 ms, -21 dBFS
   * buffer.enqueue(new Int16Array(1600).map((_, i) => (i % 2 ? 60 : -60)), 0); // 200 ms, -55 dBFS
   * assert.equal(buffer.stats().unplayedAtEndMs, 100);
   * buffer.advance(100);
   * assert.equal(buffer.stats().unplayedAtEndMs, 0);
   * ```
   */
  audibleDbfs?: number;
}

/** What the buffer saw, for the report. */
export interface PlayoutStats {
  /** Audio messages queued. */
  chunks: number;
  /** Milliseconds of audio received. */
  receivedMs: number;
  /** Milliseconds of audio played to the caller. */
  playedMs: number;
  /**
   * Milliseconds of audio dropped before it played: by clears, and by the far end taking part of
   * its queue out ({@linkcode PlayoutBuffer.dropQueued}: ConversationRelay's preemptible talk
   * cycles giving way). Each sample once: what is kept plays on, it is not queued again.
   */
  clearedMs: number;
  /**
   * Gaps the caller heard inside the bot's reply: times the buffer ran dry (the reply not over)
   * and audio came again within `maxUnderrunMs`, with no clear between (silence after a clear is
   * the bot's choice) and the caller silent since the reply began (`callerSpoke`: what follows
   * answers them). A longer silence is the reply's end, and a gap of under 1 ms is rounding
   * between two chunks on time; neither counts.
   */
  underruns: number;
  /** Milliseconds of those gaps, all together. */
  underrunMs: number;
  /** The longest gap. */
  longestUnderrunMs: number;
  /** Chunks that arrived after their playing time (each ended an underrun). */
  lateChunks: number;
  /** Chunks that arrived more than `earlyMs` ahead of their playing time. */
  earlyChunks: number;
  /** How far ahead of its playing time each chunk arrived (the queue it found), in ms. */
  leadMs: Distribution | null;
  /** The most audio ever queued, in ms. */
  maxQueuedMs: number;
  /**
   * Milliseconds of audio still queued (received, neither played nor cleared), from the next
   * sample to play up to the end of the last audible 10 ms block (one whose RMS about its own
   * mean is above `audibleDbfs`, -60 dBFS by default: a DC offset, such as μ-law zero bytes, is
   * silence, as it is to the talk spurts): the silence, or the noise under the level, a bot
   * pads its audio with is no loss. Read after the call ended (the report's), it
   * is the bot's audio the caller never heard because the call ended first, pauses inside it
   * included. 0 when nothing audible is queued.
   */
  unplayedAtEndMs: number;
}

/**
 * `PlayoutBufferOptions.audibleDbfs` by default: -60 dBFS (an RMS of 32.8), above the codecs' own
 * silence (μ-law's decodes to 0 and A-law's to ±8), so a padded end of silence is not taken for
 * sound.
 */
const AUDIBLE_DBFS = -60;
/** The blocks, in ms, whose mean a sample is judged about (the talk spurts' blocks). */
const AUDIBLE_BLOCK_MS = 10;

// A gap shorter than this is clock rounding between two chunks that were on time.
const MIN_UNDERRUN_MS = 1;

/**
 * One message of the bot's audio in the queue: `samples`, `times` over, by reference. A looped
 * media (ConversationRelay's `play` of `loop: 0` is 1,000 one-second clips) is held as its one
 * clip, not a copy per loop: 16 KB where a copy would be 16 MB per play, per call. The clip is
 * only ever read (played out as views of it, cut as views of it), never written.
 */
interface QueuedAudio {
  samples: Int16Array;
  /** Repetitions still queued, the one playing included (it is `#head` into it). */
  times: number;
}

/**
 * A queue of PCM16 mono samples that plays at `sampleRate` on the caller's clock: each method
 * takes the current time and first plays everything due up to it. Time runs as a sample count
 * of the speaker (silence included), so nothing drifts over a long call.
 *
 * @example Audio plays at its real rate; a clear drops the rest
 * ```ts
 * import { PlayoutBuffer } from "@x/ws-transport/simulator";
 * import assert from "node:assert/strict";
 *
 * const buffer = new PlayoutBuffer({ sampleRate: 8000 });
 * buffer.enqueue(new Int16Array(8000).fill(1000), 0); // 1 s of audio at t = 0
 * assert.equal(buffer.timeOfPosition(buffer.position), 1000); // done playing at t = 1000
 * buffer.advance(250);
 * assert.equal(buffer.queuedMs, 750);
 * assert.equal(buffer.clear(250), 6000); // samples dropped
 * assert.equal(buffer.stats().clearedMs, 750);
 * ```
 */
export class PlayoutBuffer {
  readonly #rate: number;
  /** Samples in a block of AUDIBLE_BLOCK_MS. */
  readonly #audibleBlock: number;
  /** `audibleDbfs` as an RMS, in sample units. */
  readonly #audibleLevel: number;
  readonly #origin: number;
  readonly #onPlay: ((played: Int16Array | number) => void) | undefined;
  readonly #maxUnderrunMs: number;
  readonly #earlyMs: number;
  #queue: QueuedAudio[] = [];
  /** Samples of the first entry's current repetition already taken out. */
  #head = 0;
  #queued = 0;
  /** Samples ever queued, and ever taken out (played or cleared). */
  #enqueued = 0;
  #consumed = 0;
  /** Samples the speaker has played, silence included: the speaker's clock. */
  #speaker = 0;
  /** The speaker sample at which the queue last ran dry, if it did since audio last came. */
  #dryAt: number | null = null;
  /**
   * The caller began to speak since the bot's reply began: the reply is over once the queue runs
   * dry (what follows the silence answers the caller, however soon).
   */
  #callerSpoke = false;
  #played = 0;
  #cleared = 0;
  #chunks = 0;
  #underruns = 0;
  #underrunMs = 0;
  #longestUnderrunMs = 0;
  #late = 0;
  #early = 0;
  #maxQueued = 0;
  #leads = new Histogram();

  /** Makes an empty buffer; see {@linkcode PlayoutBufferOptions}. */
  constructor(options: PlayoutBufferOptions) {
    if (!Number.isInteger(options.sampleRate) || options.sampleRate <= 0) {
      throw new RangeError(`sampleRate must be a positive integer, got ${options.sampleRate}`);
    }
    const { originMs = 0, onPlay, maxUnderrunMs = 1000, earlyMs = 1000 } = options;
    const { audibleDbfs = AUDIBLE_DBFS } = options;
    // NaN would silently stop the speaker (no sample is ever due) or the counting of underruns
    // and early chunks; these are refused here rather than read as something else.
    if (typeof originMs !== "number" || !Number.isFinite(originMs)) {
      throw new RangeError(`originMs must be a finite number, got ${originMs}`);
    }
    if (onPlay !== undefined && typeof onPlay !== "function") {
      throw new TypeError(`onPlay must be a function, got ${typeof onPlay}`);
    }
    atLeastZero(maxUnderrunMs, "maxUnderrunMs");
    atLeastZero(earlyMs, "earlyMs");
    this.#audibleLevel = 32768 * 10 ** (speechThreshold(audibleDbfs, "audibleDbfs") / 20);
    this.#rate = options.sampleRate;
    this.#audibleBlock = Math.max(1, Math.round((options.sampleRate * AUDIBLE_BLOCK_MS) / 1000));
    this.#origin = originMs;
    this.#onPlay = onPlay;
    this.#maxUnderrunMs = maxUnderrunMs;
    this.#earlyMs = earlyMs;
  }

  /** Samples ever queued: a mark placed now is reached when the speaker gets this far. */
  get position(): number {
    return this.#enqueued;
  }

  /** Samples of queued audio that have left the queue (played or cleared). */
  get consumed(): number {
    return this.#consumed;
  }

  /** Milliseconds of audio waiting to play. */
  get queuedMs(): number {
    return (this.#queued * 1000) / this.#rate;
  }

  /** Whether audio is playing (queued audio is left). */
  get playing(): boolean {
    return this.#queued > 0;
  }

  /**
   * Milliseconds of queued audio the speaker has played (silence and cleared audio not counted):
   * `stats().playedMs`, without building the rest of the summary. A reader polling a call while
   * it runs (the command line's progress line, four times a second per call) reads this:
   * `stats()` summarises the lead-time histogram (10,001 bins) at every call.
   *
   * @example What the caller has heard so far
   * ```ts
   * import { PlayoutBuffer } from "@x/ws-transport/simulator";
   * import assert from "node:assert/strict";
   *
   * const buffer = new PlayoutBuffer({ sampleRate: 8000 });
   * buffer.enqueue(new Int16Array(4000), 100); // 500 ms of audio, after 100 ms of silence
   * buffer.advance(350);
   * assert.equal(buffer.playedMs, 250);
   * buffer.clear(400); // the last 200 ms dropped, never heard
   * buffer.advance(1000);
   * assert.equal(buffer.playedMs, 300);
   * assert.equal(buffer.stats().playedMs, buffer.playedMs);
   * ```
   */
  get playedMs(): number {
    return (this.#played * 1000) / this.#rate;
  }

  /** The time the speaker has played up to. */
  get playedUntilMs(): number {
    return this.#origin + (this.#speaker * 1000) / this.#rate;
  }

  /**
   * When queued position `position` will have played, if nothing is cleared before: the speaker
   * plays queued audio without a break.
   */
  timeOfPosition(position: number): number {
    return this.playedUntilMs + (Math.max(0, position - this.#consumed) * 1000) / this.#rate;
  }

  /**
   * Plays what is due at `nowMs`, then queues `samples` behind what is left, `times` over (a
   * looped media: one message, one chunk in the figures, whose audio is `times` copies of
   * `samples` back to back). The samples are kept by reference, not copied, and never written:
   * a caller must not change them until they have played.
   *
   * @example A clip looped three times is held once and plays three times
   * ```ts
   * import { PlayoutBuffer } from "@x/ws-transport/simulator";
   * import assert from "node:assert/strict";
   *
   * const buffer = new PlayoutBuffer({ sampleRate: 8000 });
   * buffer.enqueue(new Int16Array(8000).fill(1000), 0, 3); // 1 s of audio, 3 times
   * assert.equal(buffer.queuedMs, 3000);
   * assert.equal(buffer.stats().chunks, 1);
   * ```
   */
  enqueue(samples: Int16Array, nowMs: number, times = 1): void {
    checkPlayTimes(samples, times); // before anything plays: a refused message changes nothing
    this.advance(nowMs);
    if (samples.length === 0) return;
    const leadMs = this.queuedMs;
    this.#chunks++;
    this.#leads.add(leadMs);
    if (leadMs > this.#earlyMs) this.#early++;
    if (this.#queued === 0 && this.#dryAt !== null && !this.#callerSpoke) {
      const gapMs = ((this.#speaker - this.#dryAt) * 1000) / this.#rate;
      if (gapMs >= MIN_UNDERRUN_MS && gapMs <= this.#maxUnderrunMs) {
        this.#underruns++;
        this.#late++;
        this.#underrunMs += gapMs;
        this.#longestUnderrunMs = Math.max(this.#longestUnderrunMs, gapMs);
      }
    }
    // Audio into an empty queue begins a reply (or goes on with one after a gap): the caller's
    // speech before it is answered. Into a queue still playing, the reply goes on, and speech
    // over it (a barge-in the bot did not clear for) still ends it where it runs dry.
    if (this.#queued === 0) this.#callerSpoke = false;
    this.#dryAt = null;
    this.#queue.push({ samples, times });
    const total = samples.length * times;
    this.#queued += total;
    this.#enqueued += total;
    this.#maxQueued = Math.max(this.#maxQueued, this.#queued);
  }

  /** Plays everything due up to `nowMs` (silence where nothing is queued). */
  advance(nowMs: number): void {
    // The small epsilon keeps float error from holding back a sample that is exactly due.
    const target = Math.floor(((nowMs - this.#origin) * this.#rate) / 1000 + 1e-6);
    while (this.#speaker < target) {
      const want = target - this.#speaker;
      if (this.#queued === 0) {
        this.#onPlay?.(want);
        this.#speaker += want;
        break;
      }
      const piece = this.#take(Math.min(want, this.#queued));
      this.#played += piece.length;
      this.#speaker += piece.length;
      this.#onPlay?.(piece);
      if (this.#queued === 0) this.#dryAt = this.#speaker;
    }
  }

  /**
   * The caller began to speak at `nowMs`: the bot's reply playing now, or the one that last ran
   * dry, is over where the buffer runs dry. The silence the caller spoke into is their turn, not
   * a gap in the reply, however soon the bot answers (a quick answer to a short "yes" must not
   * read as an underrun of the reply before).
   */
  callerSpoke(nowMs: number): void {
    this.advance(nowMs);
    this.#callerSpoke = true;
  }

  /** Plays what is due at `nowMs`, then drops all queued audio; returns the samples dropped. */
  clear(nowMs: number): number {
    this.advance(nowMs);
    const dropped = this.#queued;
    this.#consumed += dropped;
    this.#cleared += dropped;
    this.#queue = [];
    this.#head = 0;
    this.#queued = 0;
    // Silence after a clear is the bot's choice, not an underrun.
    this.#dryAt = null;
    return dropped;
  }

  /**
   * Plays what is due at `nowMs`, then takes out the queued audio from `fromMs` to `toMs` into
   * what is left (0 is the next sample to play; `Infinity` reaches the end): the far end's own
   * drop of part of its queue (ConversationRelay dropping a preemptible talk cycle queued behind
   * speech that plays on), where a clear would drop it all. What is before and after plays on
   * without a break; the dropped audio counts in `clearedMs`, and leaves the queue (`consumed`)
   * at once. Returns the queued positions it spanned (as `position` numbered them before the
   * drop): a mark at or before `from` is reached `to - from` samples later in `consumed`, one
   * within the span where the span was, one at or after `to` where it was.
   *
   * @example A middle part dropped; the rest plays on
   * ```ts
   * import { PlayoutBuffer } from "@x/ws-transport/simulator";
   * import assert from "node:assert/strict";
   *
   * const buffer = new PlayoutBuffer({ sampleRate: 8000 });
   * buffer.enqueue(new Int16Array(8000), 0); // 1 s at t = 0
   * buffer.advance(200);
   * assert.deepEqual(buffer.dropQueued(300, 500, 200), { from: 4000, to: 5600 });
   * assert.equal(buffer.queuedMs, 600);
   * assert.equal(buffer.stats().clearedMs, 200);
   * assert.equal(buffer.timeOfPosition(buffer.position), 800);
   * ```
   */
  dropQueued(fromMs: number, toMs: number, nowMs: number): { from: number; to: number } {
    if (typeof fromMs !== "number" || !Number.isFinite(fromMs) || fromMs < 0) {
      throw new RangeError(`fromMs must be a finite number >= 0, got ${fromMs}`);
    }
    if (typeof toMs !== "number" || !(toMs >= fromMs)) {
      throw new RangeError(`toMs must be a number >= fromMs (${fromMs}), got ${toMs}`);
    }
    this.advance(nowMs);
    const sample = (ms: number) => Math.min(this.#queued, Math.round((ms * this.#rate) / 1000));
    const start = sample(fromMs);
    const end = sample(toMs);
    const span = { from: this.#consumed + start, to: this.#consumed + end };
    if (end === start) return span;
    const kept: QueuedAudio[] = [];
    // Where each entry's first sample lies, from the next sample to play: the first entry's
    // repetition under way began `#head` samples before it.
    let base = -this.#head;
    for (const entry of this.#queue) {
      const entryStart = base;
      const entryEnd = base + entry.samples.length * entry.times;
      base = entryEnd;
      const visible = Math.max(entryStart, 0);
      // What is kept of it, as spans of the entry's own audio: before the drop, and after it.
      kept.push(...piecesOf(entry, visible - entryStart, Math.min(start, entryEnd) - entryStart));
      kept.push(...piecesOf(entry, Math.max(end, visible) - entryStart, entryEnd - entryStart));
    }
    this.#queue = kept;
    this.#head = 0;
    const dropped = end - start;
    this.#queued -= dropped;
    this.#consumed += dropped;
    this.#cleared += dropped;
    // A drop that empties the queue leaves `#dryAt` null (it is while audio is queued): the
    // silence after is the far end's doing, not an underrun, as after a clear.
    return span;
  }

  /** The buffer's figures so far. */
  stats(): PlayoutStats {
    const ms = (samples: number) => (samples * 1000) / this.#rate;
    return {
      chunks: this.#chunks,
      receivedMs: ms(this.#enqueued),
      playedMs: this.playedMs,
      clearedMs: ms(this.#cleared),
      underruns: this.#underruns,
      underrunMs: this.#underrunMs,
      longestUnderrunMs: this.#longestUnderrunMs,
      lateChunks: this.#late,
      earlyChunks: this.#early,
      leadMs: this.#leads.summary(),
      maxQueuedMs: ms(this.#maxQueued),
      unplayedAtEndMs: ms(this.#queuedUntilAudible()),
    };
  }

  /**
   * Samples from the next to play up to the last audible one queued (0 when none is): scanned
   * from the end of the queue, so only the silence after the last sound is read past. A looped
   * clip is read once: its last repetition ends as each does.
   */
  #queuedUntilAudible(): number {
    let after = 0; // queued samples after the last audible one found so far
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const { samples, times } = this.#queue[i]!;
      // The first entry's repetition under way has `#head` samples played already.
      const from = i === 0 && times === 1 ? this.#head : 0;
      const last = lastAudible(samples, from, this.#audibleBlock, this.#audibleLevel);
      if (last >= 0) return this.#queued - after - (samples.length - 1 - last);
      after += i === 0 ? samples.length * times - this.#head : samples.length * times;
    }
    return 0;
  }

  /**
   * Up to `count` queued samples, in order, as a view where one repetition of one chunk holds
   * them (a view of the queued samples, never a copy, never written).
   */
  #take(count: number): Int16Array {
    const first = this.#queue[0]!;
    const available = first.samples.length - this.#head;
    let piece: Int16Array;
    if (available <= count) {
      piece = first.samples.subarray(this.#head);
      this.#head = 0;
      // The entry is the buffer's own record: counting down its repetitions writes no samples.
      if (--first.times === 0) this.#queue.shift();
    } else {
      piece = first.samples.subarray(this.#head, this.#head + count);
      this.#head += count;
    }
    this.#queued -= piece.length;
    this.#consumed += piece.length;
    return piece;
  }
}

/**
 * Samples `from` to `to` of `entry`'s audio (its `samples`, `times` over) as entries: a partial
 * repetition at either end as a view, the whole ones between as the one clip repeated, so that
 * a cut into a looped media keeps holding its one clip.
 */
function piecesOf(entry: QueuedAudio, from: number, to: number): QueuedAudio[] {
  const { samples } = entry;
  const length = samples.length;
  const pieces: QueuedAudio[] = [];
  let at = from;
  const into = at % length;
  if (at < to && into !== 0) {
    const stop = Math.min(to, at - into + length);
    pieces.push({ samples: samples.subarray(into, into + stop - at), times: 1 });
    at = stop;
  }
  const whole = Math.floor((to - at) / length);
  if (whole > 0) {
    pieces.push({ samples, times: whole });
    at += whole * length;
  }
  if (at < to) pieces.push({ samples: samples.subarray(0, to - at), times: 1 });
  return pieces;
}

/**
 * The index of the last sample of `samples`, from `from` on, of the last block (`block` samples,
 * counted from the end) whose RMS about its own mean is above `level`; else -1. To the block, as
 * the talk spurts time sound. About the mean, as they judge it: a goodbye played whole and then
 * μ-law zero bytes (a constant -32124) left that tail counted as unheard audio. By the block's
 * RMS, at the call's speech threshold, as they judge speech: a tail of breath or room noise
 * under it (-55 dBFS against -45), judged sample by sample against -60 dBFS, was a goodbye
 * unheard, every word of it heard.
 */
function lastAudible(samples: Int16Array, from: number, block: number, level: number): number {
  for (let end = samples.length; end > from; end -= block) {
    const start = Math.max(from, end - block);
    let sum = 0;
    let energy = 0;
    for (let i = start; i < end; i++) {
      sum += samples[i]!;
      energy += samples[i]! * samples[i]!;
    }
    if ((energy - (sum * sum) / (end - start)) / (end - start) > level * level) return end - 1;
  }
  return -1;
}

/** Throws a `RangeError` naming `name` unless `value` is a number >= 0 (Infinity: no limit). */
function atLeastZero(value: number, name: string): void {
  if (typeof value !== "number" || !(value >= 0)) {
    throw new RangeError(`${name} must be a number >= 0, got ${value}`);
  }
}
