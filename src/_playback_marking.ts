/**
 * The playback tracker's own marks, sent into the audio where the far end answers them: when one
 * goes (the cadence, spread out while the answers agree; the session's first; a reply's boundary
 * the packetizer held; the end of speech), what its answer teaches (the position played, the lag,
 * whether the cadence may spread), and what becomes of one never answered (given up by the
 * serializer, forgotten by the far end, cleared, left at the session's end). Apart from the
 * tracker because the marks' state is their own, written only here: the tracker tells what
 * happened to the audio (a chunk left, the queue ran dry, an interruption) and reads back what it
 * needs (the oldest mark waited for, where the last one stands).
 *
 * What a mark holds, how many may wait and how waiting ones move lie in `_playback_marks.ts`.
 *
 * @module
 */

import type { OutboundSender } from "./_outbound_sender.ts";
import type { PlayoutTimeline } from "./_playout_timeline.ts";
import type { Clock } from "./clock.ts";
import { PLAYOUT_END_MARK_PREFIX, PLAYOUT_MARK_PREFIX } from "./playback.ts";
import type { TransportStats } from "./transport_stats.ts";
import type { LagReadings } from "./_playback_lag.ts";
import {
  MAX_PENDING_MARKS,
  type PendingMark,
  replaceMarks,
  STEADY_LAG_MS,
} from "./_playback_marks.ts";
import { EPSILON, type Utterance } from "./_playback_utterance.ts";

/** What {@linkcode PlaybackMarks} is given of the session (the tracker's own options). */
export interface PlaybackMarksOptions {
  /** The session's pacing schedule and playout estimate: where a mark stands, when it plays. */
  timeline: PlayoutTimeline;
  /** Sends the marks; what it holds back of the audio has not left (see `heldAudioMs`). */
  sender: OutboundSender;
  /** For when a mark was sent and answered. */
  clock: Clock;
  /** Counters: marks sent, acknowledged and unanswered. */
  stats: TransportStats;
  /** Insert a mark after this much audio of a response; 0 inserts none (no acknowledgements). */
  markIntervalMs: number;
  /**
   * While acknowledgements agree with the estimate, the interval doubles after each, up to this
   * (equal to `markIntervalMs`: a fixed cadence). One that disagrees brings it back.
   */
  maxMarkIntervalMs: number;
}

/**
 * The playback tracker, as the marks see it: what they read of it, and what they tell it. The
 * `marks…` members are for {@linkcode PlaybackMarks} only.
 */
export interface PlaybackMarksHost {
  /** How far behind the pacing estimate the far end plays (`PlaybackTracker.lag`). */
  readonly lag: number;
  /** The pump's hook where a stretch of speech ends (`PlaybackTracker.stretchEnded`). */
  readonly stretchEnded: ((markFollows: boolean) => void) | undefined;
  /**
   * A mark standing at `position` was answered, and the answers now put the lag at `lag`: the
   * far end has played that far. The state is brought up to date (events may be dispatched).
   */
  marksAnswered(position: number, lag: number): void;
  /**
   * The far end has room for marks again, and an end-of-speech mark refused while too many
   * waited is owed: the quiet timer is armed again, to fire the quiet time after the queue ran
   * dry, if it is dry.
   */
  marksQuietAgain(now: number): void;
  /** The far end forgot marks: a response that waited for one's answer may end now. */
  marksForgotten(now: number): void;
}

/** The marks one tracker sends, and what their answers, or their want of one, teach it. */
export class PlaybackMarks {
  readonly #timeline: PlayoutTimeline;
  readonly #sender: OutboundSender;
  readonly #clock: Clock;
  readonly #stats: TransportStats;
  readonly #host: PlaybackMarksHost;
  /** The tracker's, shared with the far end's reports: the answers' measures of the lag. */
  readonly #readings: LagReadings;
  /** The tracker's responses not yet over, oldest first: read only (where speech ends). */
  readonly #utterances: readonly Utterance[];
  readonly #markIntervalMs: number;
  readonly #maxMarkIntervalMs: number;
  /** The cadence now: `markIntervalMs`, wider while the acknowledgements keep agreeing. */
  #interval: number;
  /**
   * A mark of the cadence has been answered (the session's first mark aside, see
   * {@linkcode #markFirst}): the next answer that agrees with it may spread the marks out.
   */
  #cadenceAnswered = false;
  /**
   * An answer has measured the lag: read it, or bounded it where none had read it yet (see
   * `PendingMark.boundsUntil`). Answers that bound it after that only lower it (but for a buffer
   * that grew, where none has read it: see {@linkcode answered}).
   */
  #lagMeasured = false;
  /** An answer has read the lag, not only bounded it (see `PendingMark.boundsUntil`). */
  #lagRead = false;
  /** The session's first mark, outside the cadence (see {@linkcode #markFirst}). */
  #firstMark: PendingMark | undefined;
  /**
   * The end of the response before, where a response began while the packetizer held that end
   * for a packet not yet whole: the mark of their boundary is owed there, sent once the packet
   * has left (see {@linkcode beforeChunk}). NaN: none owed.
   */
  #boundaryAt = NaN;
  #marks: PendingMark[] = [];
  /**
   * The furthest place of a mark the serializer gave up, never sent (see {@linkcode givenUp}): a
   * response ending there or before, with no mark waiting at or before its end, has no answer to
   * wait for (see {@linkcode unmarked}).
   */
  #unmarkedTo = -Infinity;
  /**
   * Background audio left since the last mark was sent: the far end has played on past it, and a
   * reply that begins after every response before it has stopped is marked at its start (see
   * {@linkcode beforeChunk}).
   */
  #filledSinceMark = false;
  /** Where the last mark of the cadence stands (the session's first mark is outside it). */
  #markedPosition = 0;
  /**
   * The last mark sent was an end-of-speech one (or nothing is held: none sent yet, or a clear):
   * the serializers that hold part of a frame or a batch have sent it out before that mark.
   */
  #markedEnd = true;
  #markCount = 0;
  /** An end-of-speech mark was refused while too many waited: sent at the next answer. */
  #endRefused = false;
  /**
   * The serializer gave up a mark of ours unsent (see {@linkcode givenUp}): the far end has no
   * room for one (mod_audio_fork's slots full of marks it does not answer while its media
   * stalls). The cadence waits for the far end's next answer to any mark, which frees a slot, or
   * a clear of its marks that frees them all ({@linkcode forgotten}): made every
   * `markIntervalMs` meanwhile, each was given up too, and a ten-second stall counted 40 marks
   * sent and unanswered that never reached the far end. One counts, as the stall's.
   */
  #noRoom = false;
  /**
   * The session is over (see {@linkcode end}): no mark is made any more. A send that waited for
   * the socket to drain ends only after it, and the pump, which runs on through the closing
   * handshake, tells of a drain then: a mark made at that drain's quiet time would go to a
   * socket that is closing, counted in `marksSent`, again in `marksUnanswered` and in
   * `framesDroppedOnClose`.
   */
  #ended = false;

  /**
   * Made once per tracker, its `host`; `readings`: the tracker's measures of the lag;
   * `utterances`: its responses not yet over (the list itself, which it keeps).
   */
  constructor(
    options: PlaybackMarksOptions,
    host: PlaybackMarksHost,
    readings: LagReadings,
    utterances: readonly Utterance[],
  ) {
    this.#timeline = options.timeline;
    this.#sender = options.sender;
    this.#clock = options.clock;
    this.#stats = options.stats;
    this.#host = host;
    this.#readings = readings;
    this.#utterances = utterances;
    this.#markIntervalMs = options.markIntervalMs;
    this.#maxMarkIntervalMs = Math.max(options.markIntervalMs, options.maxMarkIntervalMs);
    this.#interval = options.markIntervalMs;
  }

  /** Whether the far end acknowledges playout here (marks are sent). */
  get #acks(): boolean {
    return this.#markIntervalMs > 0;
  }

  /**
   * The end of the audio that has left: the timeline's, but for what the packetizer holds for a
   * packet not yet whole (see `PlaybackTracker`'s `#leftPosition`): a mark goes after what has
   * left, the held packet after it.
   */
  get #leftPosition(): number {
    return this.#timeline.sentMs - this.#sender.heldAudioMs;
  }

  /** The oldest mark waited for: it bounds what is heard until its answer (or it is overdue). */
  get oldest(): PendingMark | undefined {
    return this.#marks[0];
  }

  /** Where the last mark of the cadence stands (0: none sent; after a clear, what was sent). */
  get markedPosition(): number {
    return this.#markedPosition;
  }

  /**
   * A chunk of response `id` is about to leave (`spoken`: some speech was sent in the session): a
   * new response's start is marked first, and the session's first chunk of speech, if no mark has
   * followed it yet (see {@linkcode #markFirst}). Only where marks are answered.
   */
  beforeChunk(id: string | undefined, spoken: boolean): void {
    const current = this.#utterances[this.#utterances.length - 1];
    if (current !== undefined && current.id !== id) {
      // The packetizer holds the end of the one before: a mark now, at what has left, stands
      // before that end, which the far end has long played if it ran dry meanwhile. Answered at
      // once, it confirms none of that end (the response before stays audible until the next
      // mark, its successor unstarted), and the wait for the packet reads as the far end's delay.
      // The mark goes after the packet that carries that end: with this chunk, or a later one.
      if (this.#leftPosition < current.end - EPSILON) this.#boundaryAt = current.end;
      else this.#mark(false, 2 * MAX_PENDING_MARKS);
    } else if (current === undefined && spoken && this.#filledSinceMark) {
      // No response plays on, but background filled the slots since the last mark: the far end
      // never ran dry, so no new spell put its delay back where the estimate has it, and that
      // delay drifts (mod_audio_fork plays in whole batches, and each reply's short last chunk
      // moves where they fall: 20 ms later a reply). The cadence, spread out while answers
      // agreed, sends no mark inside a short reply, and the end-of-speech mark is answered only
      // once the reply has played: the reply began and was heard by the delay learned a reply
      // before (20-40 ms early). A mark at its start bounds `heardMs` there until the far end
      // reaches it, and its answer reads the delay as the reply begins.
      this.#mark(false, 2 * MAX_PENDING_MARKS);
    }
    if (this.#markCount === 0 && spoken) this.#markFirst();
  }

  /**
   * A chunk of speech has left: the marks owed once it has, the held boundary's and the
   * cadence's (none while the far end has no room, see `#noRoom`). `now`: the clock as the
   * caller read it in the same turn, if it did. Only where marks are answered.
   */
  afterChunk(now: number | undefined): void {
    if (!Number.isNaN(this.#boundaryAt)) this.#markHeldBoundary(now);
    if (!this.#noRoom && this.#leftPosition - this.#markedPosition >= this.#interval) {
      this.#mark(false, MAX_PENDING_MARKS, false, now);
    }
  }

  /**
   * A chunk of background alone was sent (see `PlaybackTracker.chunkSent`): the far end plays on
   * past the last mark. Unless its send waits (`leavesLater`: see {@linkcode leftLate}), the end
   * of the speech before it is marked (see {@linkcode backgroundAfterSpeech}; `drained`: the
   * queue ran dry after it), and the held boundary's mark goes (the background too fills the
   * packet that held speech back, and sends it).
   */
  backgroundSent(drained: boolean, leavesLater: boolean, now: number | undefined): void {
    this.#filledSinceMark = true;
    if (leavesLater) return;
    this.backgroundAfterSpeech(drained, now);
    if (this.#acks && !Number.isNaN(this.#boundaryAt)) this.#markHeldBoundary(now);
  }

  /**
   * A chunk whose send waited has left now (see `PlaybackTracker.chunkLeft`): the marks owed
   * after it go (after background alone, only the held boundary's and the end of the speech
   * before it, `drained` as in {@linkcode backgroundSent}). Only where marks are answered.
   */
  leftLate(speech: boolean, drained: boolean, now: number): void {
    if (speech) return this.afterChunk(now);
    if (!Number.isNaN(this.#boundaryAt)) this.#markHeldBoundary(now);
    this.backgroundAfterSpeech(drained, now);
  }

  /**
   * A chunk of background alone takes a slot: if the speech ran out before it (`drained`: the
   * queue ran dry after the last response), its end is marked now, not
   * at the quiet time (see `PlaybackTracker.drained`), which with background filling the slots is
   * no quiet: the mark went after all the background of that time, and the reply's
   * `speakingstop`, which waits for its answer, came that much after the far end had played its
   * end (80 ms at the default pacing, every reply a bot writes ahead; one relayed in real time had
   * its end marked at once, its tail leaving at the quiet time). Called before the chunk leaves
   * (`PlaybackTracker.beforeBackground`), the mark stands at the end; called once it has (where
   * the end was still on its way before: a send that waits), a chunk past it. (A mark
   * mod_audio_fork declines at the end for want of a slot outlives the background chunk after
   * it, and goes once a slot frees: see `ForkMarks`.) Not while the packetizer holds that end (the
   * background's chunks fill its packet and send it: the next one looks again), nor where a mark
   * stands at the end already (the cadence's, at a reply whose last chunk it fell on). `now`: as
   * in {@linkcode afterChunk}.
   */
  backgroundAfterSpeech(drained: boolean, now?: number): void {
    if (!this.#acks || !drained) return;
    const u = this.#utterances[this.#utterances.length - 1];
    if (u === undefined || u.end <= this.#markedPosition + EPSILON) return;
    if (u.end > this.#leftPosition + EPSILON) return; // still held
    this.#mark(true, 2 * MAX_PENDING_MARKS, false, now);
  }

  /**
   * The packetizer's held audio left, or never will (flushed, dropped; a chunk refused late): the
   * held boundary's mark goes if owed (see `#boundaryAt`). Only where marks are answered.
   */
  heldAudioGone(now: number | undefined): void {
    if (!Number.isNaN(this.#boundaryAt)) this.#markHeldBoundary(now);
  }

  /**
   * The mark owed at a response's end the packetizer held (see `#boundaryAt`), once that end has
   * left (or never will: a policy or an interruption dropped it, and what did leave is its end).
   */
  #markHeldBoundary(now: number | undefined): void {
    const end = Math.min(this.#boundaryAt, this.#timeline.sentMs);
    if (this.#leftPosition < end - EPSILON) return; // still held
    this.#boundaryAt = NaN;
    this.#mark(false, 2 * MAX_PENDING_MARKS, false, now);
  }

  /**
   * The quiet time has passed with nothing queued: the stretch of speech ends (see
   * `PlaybackTracker.stretchEnded`), and its end is marked where the far end acknowledges marks
   * (`last`: the last response over, where none goes on).
   */
  quietPassed(last: Utterance | undefined): void {
    const marks = this.#acks &&
      !this.#speechEndMarked(this.#utterances[this.#utterances.length - 1] ?? last);
    this.#host.stretchEnded?.(marks);
    if (marks) this.#mark(true);
  }

  /**
   * An end-of-speech mark stands at or past the end of the last speech sent (`u`): only
   * background has left since (see {@linkcode backgroundAfterSpeech}), and a mark now would stand
   * inside it. So too a mark of the cadence that fell on the speech's last chunk, once background
   * has left after it: `backgroundAfterSpeech` sent none for an end marked already, and the
   * partial frame a serializer held behind that mark (Vonage, Asterisk) went on with the
   * background. An end-of-speech mark at the quiet time stood inside the background, and the
   * serializer padded what it held then, the background's, to a whole frame: a hole in the
   * background after the reply, its resampler begun again from silence.
   */
  #speechEndMarked(u: Utterance | undefined): boolean {
    if (u === undefined || u.end > this.#markedPosition + EPSILON) return false;
    return this.#markedEnd || this.#filledSinceMark;
  }

  /**
   * An `end` is next, all `sent` of it (see `PlaybackTracker.played`): never refused, the hang-up
   * waits for its answer (one mark more, once, at the end). An end-of-speech mark, even where a
   * mark stands at the end already: Vonage and Asterisk send a held partial frame, jambonz and
   * FreeSWITCH the silence completing a batch, only before one; else the far end answers before
   * that audio plays, and the hang-up cuts it off. Only where marks are answered.
   */
  markFinal(sent: number): void {
    if (this.#markedPosition >= sent - EPSILON && this.#markedEnd) return;
    this.#host.stretchEnded?.(true); // what the serializer holds goes before the mark, covering it
    this.#mark(true, Infinity, true);
  }

  /**
   * The session's first mark, right after its first chunk of speech rather than `markIntervalMs`
   * in, and outside the cadence (the marks after it stand where they would without it): one mark
   * more per call. Until an acknowledgement measures it, the far end's delay is unknown: the
   * estimate is the pacing alone (plus `playoutDelayMs`, 0 unless told, and a told one unchecked),
   * and a far end 450 ms behind has played none of the 260 ms that the first mark of the cadence
   * would let it count heard. This one bounds `heardMs` to the first chunk until the far end
   * reaches it, and its answer teaches the delay as early as it can come. `speakingstart` and
   * `playback.speaking` still go by the estimate, so that a caller who talks over a greeting is
   * heard as a barge-in at once.
   *
   * Sent as the next chunk of speech leaves, right before it, not as soon as the first has left:
   * FreeSWITCH's `mod_audio_fork` (jambonz, FreeSWITCH) answers a mark that no audio has followed
   * yet at once while its playout buffer is empty (`lws_glue.cpp:1035-1041`), as it is at a call's
   * start until 160 ms have gathered in its pre-buffer; a source writing in real time, its next
   * chunk 20 ms later, would have it answered before anything played, teaching a delay of the
   * network's round trip. With the next chunk right behind it, its marker goes into the audio.
   * Should none follow, the end-of-speech mark after the quiet time stands at the same place, as
   * it always did (and the module's pre-buffer is flushed with it: see `ForkMarks.tail`).
   */
  #markFirst(): void {
    const cadenceFrom = this.#markedPosition;
    const count = this.#markCount;
    const mark = this.#mark();
    // Nothing has left yet (all of it is held for a packet): the next chunk looks again.
    if (this.#markCount === count) return;
    // The mark itself, not the list's last: one the serializer gave up at once is off the list.
    this.#firstMark = mark;
    this.#markedPosition = cadenceFrom;
  }

  /**
   * A mark at what has left so far; `end`: nothing more was written for `quietMs`. `limit`: how
   * many may be pending already (see {@linkcode MAX_PENDING_MARKS}), more for the end of what was
   * sent. `now`: the clock as the caller read it in the same turn, if it did (a mark of the
   * cadence, sent as a chunk leaves, then costs no read). Returns the mark made, if any (the
   * serializer may have given it up already: see {@linkcode givenUp}).
   */
  #mark(
    end = false,
    limit = end ? 2 * MAX_PENDING_MARKS : MAX_PENDING_MARKS,
    again = false,
    now?: number,
  ): PendingMark | undefined {
    if (this.#ended) return; // it could only be dropped at the close (see `#ended`)
    // At what has left: a packet the packetizer holds goes after the mark (see `#leftPosition`).
    const position = this.#leftPosition;
    // `again`: a mark where the last one stands, to make it an end-of-speech one (see `markFinal`).
    if (position <= this.#markedPosition + EPSILON && !(again && position > EPSILON)) return;
    if (this.#marks.length >= limit) {
      this.#endRefused ||= end;
      return;
    }
    const prefix = end ? PLAYOUT_END_MARK_PREFIX : PLAYOUT_MARK_PREFIX;
    const name = `${prefix}${++this.#markCount}`;
    this.#markedPosition = position;
    this.#markedEnd = end;
    this.#filledSinceMark = false;
    const playsAt = this.#timeline.playsAt(position);
    // A clock read a mark (a few a second at most), not a chunk; none where the caller read it.
    const sentAt = now ?? this.#clock.now();
    const boundsUntil = sentAt > playsAt + EPSILON
      ? sentAt + Math.max(0, this.#host.lag) + STEADY_LAG_MS
      : -Infinity;
    const mark: PendingMark = { name, position, playsAt, boundsUntil };
    this.#marks.push(mark);
    if (position >= this.#boundaryAt - EPSILON) this.#boundaryAt = NaN; // the boundary's too
    this.#stats.marksSent++;
    void this.#sender.sendFrame({ type: "mark", name });
    return mark;
  }

  /** An answer to any mark came, the bot's too: it frees one of the far end's slots. */
  slotFreed(): void {
    this.#noRoom = false;
  }

  /**
   * The far end answered mark `name` (one of ours by its prefix, not a playback report): the
   * position it stood at has played, and how late the answer came teaches the lag (told to the
   * host, {@linkcode PlaybackMarksHost.marksAnswered}). An unknown one is from before a clear
   * (the far end acknowledges cleared marks too): nothing.
   */
  answered(name: string): void {
    const index = this.#marks.findIndex((m) => m.name === name);
    if (index < 0) return;
    const mark = this.#marks[index]!;
    this.#marks.splice(0, index + 1);
    this.#stats.marksAcknowledged++;
    this.#stats.marksUnanswered += index; // passed by this answer: played, never answered
    const now = this.#clock.now();
    const lag = now - mark.playsAt;
    const lagNow = this.#host.lag;
    const readings = this.#readings;
    // A far end that plays where the estimate says needs few marks: the estimate, corrected by
    // the last acknowledgement, fills in between them (and each pending mark still bounds it).
    // One that moved (a stall, a buffer that grew) is watched closely again.
    // The session's first mark measures the far end as its playout begins (a jitter buffer still
    // filling): its answer teaches the delay, but the cadence, and whether it may spread, goes by
    // the cadence's own answers, as it would without it.
    const bound = now <= mark.boundsUntil;
    if (mark !== this.#firstMark && !bound) {
      const steady = this.#cadenceAnswered && Math.abs(lag - readings.last) <= STEADY_LAG_MS;
      this.#interval = steady
        ? Math.min(this.#interval * 2, this.#maxMarkIntervalMs)
        : this.#markIntervalMs;
      this.#cadenceAnswered = true;
    }
    // A mark sent after its place played (an end-of-speech mark, sent the quiet time after the
    // last chunk left, where that chunk played at once) is answered as it arrives if the far end
    // has played all before it: its measure is how late it was sent, an upper bound of the lag,
    // not a reading of it, though it may be the lag (see `LagReadings.bound`). With no measure
    // yet, it is the best there is, and errs long, as a late read does; the bounds after it only
    // lower it.
    // Read as the lag (the smaller of the last two), they flipped the lag the observers are told
    // at most one-chunk replies (which send no mark but their end's) across a network of a few ms
    // of jitter: each bound is the mark's lateness plus that reply's round trip. An answer that
    // took longer than the network's round trip was held by the far end until its place played
    // (a buffer that grew): it reads the lag, and takes part in the cadence, as a timely one does;
    // short replies send no other mark once the cadence has spread past them. Where no answer has
    // read the lag yet, it is the first bound's measure, the mark's lateness in it, and a buffer
    // that grew by up to that much more holds the answers within `boundsUntil`: a bound more than
    // `STEADY_LAG_MS` above the lag is no jitter then, and is learned as a read is, a rise once
    // the next confirms it (bounds that only lowered kept the lag 40 ms short for good after a
    // 60 ms growth, one-chunk replies at the default pacing).
    const grew = !this.#lagRead && lag > lagNow + STEADY_LAG_MS;
    const taught = bound && this.#lagMeasured && !grew
      ? readings.bound(lag, lagNow)
      : readings.read(lag, now, lagNow);
    this.#lagMeasured = true;
    if (!bound) this.#lagRead = true;
    this.#roomAgain(now);
    this.#host.marksAnswered(mark.position, taught);
  }

  /**
   * The far end forgot every mark of ours it was sent but `kept` (see
   * `FarEndHold.onMarksForgotten`: mod_audio_fork acting on a bot's `clearMarks`), and has room
   * again. Each forgotten one is counted unanswered now, once: no answer to it reaches the
   * tracker any more (the serializer drops those crossing the clear), and none passes it. As for
   * one given up ({@linkcode givenUp}), the place it stood goes by the estimate where no other
   * mark tells (see {@linkcode unmarked}). The cadence, paused for want of room (`#noRoom`) or at
   * its bound of marks waiting, goes on with the next chunk, and an end-of-speech mark refused
   * while too many waited goes (see {@linkcode #roomAgain}). Told from inside the send of the
   * bot's message: the events are looked at again on their timer, not here (a listener may send
   * or close).
   */
  forgotten(kept: string | undefined): void {
    if (this.#ended) return; // nothing is waited for, and no timer may be left (see `#ended`)
    this.#noRoom = false;
    let stillWaited: PendingMark | undefined;
    for (const mark of this.#marks) {
      if (mark.name === kept) {
        stillWaited = mark;
        continue;
      }
      this.#noAnswerFor(mark);
    }
    this.#marks = stillWaited === undefined ? [] : [stillWaited];
    const now = this.#clock.now();
    this.#roomAgain(now);
    this.#host.marksForgotten(now);
  }

  /**
   * The far end has room for marks again: the end of what was sent, if its mark was refused while
   * too many waited, goes once the quiet time has passed (the quiet timer that refused it does not
   * fire again).
   */
  #roomAgain(now: number): void {
    if (!this.#endRefused) return;
    this.#endRefused = false;
    this.#host.marksQuietAgain(now);
  }

  /**
   * The serializer gave up the tracker's mark `name`, never sent (see `FarEndHold.onMarkGivenUp`):
   * no answer comes for it. Counted unanswered now (where a later answer passing it, or the
   * session's end, counted it; the cadence then waits for an answer, see `#noRoom`), and waited
   * for no more: it no longer bounds `heardMs`, and the place it stood goes by the estimate where
   * no other mark tells (see {@linkcode unmarked}).
   * Told from inside the send of the mark itself (declined at once) or of the audio that followed
   * it: nothing is looked at here, the chunk's own update does that.
   */
  givenUp(name: string): void {
    const index = this.#marks.findIndex((m) => m.name === name);
    if (index < 0) return; // not waited for (a clear dropped it)
    this.#noAnswerFor(this.#marks.splice(index, 1)[0]!);
    this.#noRoom = true;
  }

  /**
   * `mark`, taken off the marks waited for, will never be answered: counted unanswered, and the
   * place it stood goes by the estimate where no other mark tells (see {@linkcode unmarked}).
   */
  #noAnswerFor(mark: PendingMark): void {
    this.#stats.marksUnanswered++;
    if (mark.position > this.#unmarkedTo) this.#unmarkedTo = mark.position;
  }

  /**
   * Whether a response ending at `end` has no answer to wait for: a mark at or past its end was
   * given up ({@linkcode givenUp}), and none waits at or before it. It then ends by the estimate,
   * as a far end that answers no marks has it, not at the answer to a mark of the next reply's
   * (whose start waited for that, `speakingstart` late by up to the cadence), nor
   * `playoutTimeoutMs` past it. A mark waiting at or before its end still tells (a far end that
   * stalled answers it late).
   */
  unmarked(end: number): boolean {
    if (end > this.#unmarkedTo + EPSILON) return false;
    const waiting = this.#marks[0];
    return waiting === undefined || waiting.position > end + EPSILON;
  }

  /**
   * What was sent from position `from` on was placed anew on the timeline: the marks not yet
   * answered inside it are placed with it (see `replaceMarks`).
   */
  replaced(from: number): void {
    replaceMarks(this.#marks, from, this.#timeline);
  }

  /**
   * An interruption: the boundary mark owed where the packetizer held a response's end (see
   * `#boundaryAt`) was for the response after it, none of whose audio has left: dropped, cleared
   * or not. Not cleared, its mark still went out with the next audio, after the interruption, and
   * was answered for a response nobody heard. `farEndClears`: the far end drops what it buffered,
   * and answers of marks in it mean nothing now: they are counted unanswered, all before the clear
   * counts as acknowledged, and what a serializer held is dropped with it. (Not cleared, it plays
   * on, and the marks in it still tell when.)
   */
  interrupted(farEndClears: boolean): void {
    if (farEndClears) {
      this.#dropWaiting();
      this.#unmarkedTo = -Infinity; // all before the clear is acknowledged
      this.#markedPosition = this.#timeline.sentMs;
      this.#markedEnd = true; // the clear dropped what a serializer held
    }
    this.#boundaryAt = NaN;
  }

  /**
   * The clear of an interruption whose clear waited proved to be none (`interruptUntilCleared`,
   * "none"): the far end plays on all it was sent, up to `sent`, and answers the marks in it, but
   * those were dropped at the cut ({@linkcode interrupted}, counted unanswered): their answers are
   * unknown now. The places they stood go by the estimate (see {@linkcode unmarked}), as for a
   * mark given up, not `playoutTimeoutMs` past it.
   */
  notCleared(sent: number): void {
    if (sent > this.#unmarkedTo) this.#unmarkedTo = sent;
  }

  /** The session is over: no mark is made any more (see `#ended`). */
  end(): void {
    this.#ended = true;
  }

  /** The marks still waited for as the session ends are counted unanswered. */
  endWaiting(): void {
    this.#dropWaiting();
  }

  /** The marks waited for will never be answered (a clear, the session's end): counted so. */
  #dropWaiting(): void {
    this.#stats.marksUnanswered += this.#marks.length;
    this.#marks = [];
  }
}
