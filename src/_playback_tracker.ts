/**
 * Playback truth: which response is audible at the far end, how much of it the caller heard, and
 * when it stopped. Built on the session's {@linkcode PlayoutTimeline} (where each chunk plays, by
 * pacing) and, where the protocol acknowledges playout, on marks the transport inserts itself:
 * an acknowledgement says "position p has played now", which both bounds what was heard and
 * teaches the tracker how far behind the estimate the far end really plays.
 *
 * This file is when things happen: chunks taken, answers and reports taken, speaking events
 * fired. What stands apart from that is beside it: a response's audio and what of it lies before
 * a position (`_playback_utterance.ts`), the tracker's own marks, when they go and what an answer
 * to one teaches (`_playback_marking.ts`, with what a mark holds in `_playback_marks.ts`), the
 * lag the answers teach (`_playback_lag.ts`), and the interruptions whose clear waits, and what
 * waits behind them (`_playback_clear_waits.ts`).
 *
 * @module
 */

import type { OutboundSender } from "./_outbound_sender.ts";
import type { PlayoutTimeline } from "./_playout_timeline.ts";
import type { FarEndHold } from "./serializers/_far_end_holds.ts";
import type { Clock, ClockTimer } from "./clock.ts";
import type { AudioFrame } from "./frames.ts";
import {
  type InterruptResult,
  type PlaybackState,
  PLAYOUT_MARK_PREFIX,
  SpeakingEvent,
  type SpeakingStopReason,
} from "./playback.ts";
import type { TransportStats } from "./transport_stats.ts";
import { type PlaybackReport, readPlaybackReport } from "./_playback_reports.ts";
import { LagReadings } from "./_playback_lag.ts";
import {
  PlaybackMarks,
  type PlaybackMarksHost,
  type PlaybackMarksOptions,
} from "./_playback_marking.ts";
import type { PendingMark } from "./_playback_marks.ts";
import { type ClearFate, ClearWaits, type ClearWaitsHost } from "./_playback_clear_waits.ts";
import {
  addGap,
  EPSILON,
  heardOf,
  NO_GAPS,
  ownMsTo,
  sentOf,
  type Utterance,
} from "./_playback_utterance.ts";

export type { ClearFate } from "./_playback_clear_waits.ts";

/**
 * An interruption whose clear waited, once the clear's fate is known (see
 * `PlaybackTracker.interruptUntilCleared`): its result, and the timeline position heard then
 * (past it, nothing of what the interruption cut was heard: what the observers are told).
 */
export interface ClearKnown {
  result: InterruptResult;
  heardPosition: number;
}

/** An interruption's cut: its result, the response it names, the position heard, and when. */
interface InterruptCut {
  result: InterruptResult;
  current: Utterance | undefined;
  heard: number;
  at: number;
}

/**
 * How late the tracker's timers (speaking events, the mark after a quiet time) may fire: one
 * 20 ms chunk. While a response streams, the moment its end would play moves on with every chunk;
 * a timer per session chasing it at its own millisecond woke the event loop ~15 times a second per
 * session. Timers that may be late are swept together by the system clock (`_swept_timer.ts`):
 * moving one later costs nothing, and hundreds of sessions share one wake-up per 20 ms (measured
 * at 150 sessions: 10 ms cost 5 % more CPU than 20, and 20 as much as no events timer at all).
 */
const TIMER_TOLERANCE_MS = 20;

/**
 * A far end's report of where its playback ended is placed by milliseconds of audio counted on
 * the wire; the end of a response it matches is a sum of the timeline's own (see `EPSILON`),
 * and resampling rounds the two apart by a sample or so. Within this, they are the same place.
 */
const REPORT_MATCH_MS = 1;

/**
 * How long past the estimate a reply waits for a far end's word that it began to play (Genesys'
 * `playback_started`, see `PlaybackTracker.#started`) before it begins by the estimate: the
 * estimate already holds the delay the far end's last report measured, so this is the report's
 * jitter, plus the hold of a `fixedAudioPacketSize` packet (Genesys' 1,600 bytes of PCMU: 200 ms,
 * 160 more than the default 40 ms chunk), which a reply's first audio waits in and the delay
 * measured at a reply's end does not hold. Meanwhile nothing of the reply counts heard.
 */
const START_REPORT_SLACK_MS = 250;

/** A {@linkcode PlaybackTracker.played} wait: resolved once playout is done, or at `deadline`. */
interface PlayedWaiter {
  resolve: () => void;
  deadline: number;
}

/**
 * Options for {@linkcode PlaybackTracker}: its marks' (the timeline, the sender, the clock, also
 * for event times and the tracker's timers, the stats, the cadence), and its own.
 */
export interface PlaybackTrackerOptions extends PlaybackMarksOptions {
  /** How long after the queue runs dry to mark the end of what was sent. */
  quietMs: number;
  /** How far behind the pacing estimate the far end plays, until acknowledgements say. */
  playoutDelayMs: number;
  /** How long past the estimated end of playout to wait for an acknowledgement that is late. */
  playoutTimeoutMs: number;
  /**
   * Whether the serializer hands on the far end's playback reports (`FrameSerializer`'s
   * `playbackReports`): without it, a mark named as one is no report (see {@linkcode #report}).
   */
  playbackReports?: boolean;
  /** Dispatches "speakingstart" and "speakingstop". */
  dispatch: (event: Event) => void;
  /**
   * Told, after the tracker, that what was sent from position `from` on was placed anew (see
   * {@linkcode PlaybackTracker.replaced}): the observers told of it before hear of the move.
   */
  onReplaced?: (from: number) => void;
  /**
   * Told, after the tracker, that the far end holds its playout from position `position`
   * (`held`), or plays on from it (see {@linkcode PlaybackTracker.farEndHeld}): the observers hear
   * of it. Playing on, before the audio it held is placed anew (`onReplaced`).
   */
  onHeld?: (held: boolean, position: number) => void;
}

/** Follows the far end's playout of one session's audio. */
export class PlaybackTracker implements PlaybackMarksHost, ClearWaitsHost {
  readonly #timeline: PlayoutTimeline;
  readonly #sender: OutboundSender;
  /**
   * Where the far end holds back audio that left (see `FarEndHold`): none of it heard yet. Where
   * marks are answered only: there the end-of-speech mark's silence lets it go (the pump places
   * it then); without them nothing may until the next reply, and the estimate goes on as it was.
   */
  readonly #farEndHold: FarEndHold | undefined;
  readonly #clock: Clock;
  readonly #stats: TransportStats;
  /** Marks are sent, and answered (`markIntervalMs` > 0): see {@linkcode acks}. */
  readonly #acks: boolean;
  /** The tracker's own marks: when they go, what their answers teach (see `PlaybackMarks`). */
  readonly #marks: PlaybackMarks;
  readonly #quietMs: number;
  readonly #playoutTimeoutMs: number;
  readonly #dispatch: (event: Event) => void;
  readonly #onReplaced: ((from: number) => void) | undefined;
  readonly #onHeld: ((held: boolean, position: number) => void) | undefined;
  /**
   * Called after a pass of an update that dispatched a speaking event, with the clock as read
   * before it: the listeners' synchronous work may hold what this turn sent past its slot (see
   * `OutboundPump`). Set once, by the pump.
   */
  afterDispatch: ((before: number) => void) | undefined;
  /**
   * Called where a stretch of speech ends for the tracker: the quiet time after the queue ran dry
   * (whether or not an end-of-speech mark goes then: one may stand at the end already, too many
   * may wait, or none are sent), and before the end-of-speech mark that {@linkcode played} sends.
   * What the serializer still holds of it (`FrameSerializer.audioEnds`) goes then, before any
   * such mark, which covers it. `markFollows`: an end-of-speech mark goes right after (else
   * background audio filling the slots carries on what the serializer holds: see the pump).
   * Set once, by the pump, where the serializer takes it: the quiet timer is then armed at every
   * drain, marks or not.
   */
  stretchEnded: ((markFollows: boolean) => void) | undefined;
  /** Utterances not yet over, oldest first; the last one ended is kept for `state`. */
  #utterances: Utterance[] = [];
  #last: Utterance | undefined;
  /** What was heard of `#last` when it stopped: all of it, or up to an interruption's cut. */
  #lastHeardMs = 0;
  /** Whether `#last` stopped because it had all played (not interrupted, not ended). */
  #lastPlayedOut = false;
  /** Whether that was by the estimate alone, its acknowledgement overdue (see `#stillPlaying`). */
  #lastByEstimate = false;
  /**
   * Milliseconds the far end plays behind the pacing estimate, learned from acknowledgements (a
   * rise once confirmed), moved only past the jitter: see {@linkcode LagReadings.read}.
   */
  #lag: number;
  /**
   * The lag for what has played by now (`heardMs`, whether all has, how long to wait for it): the
   * answers' own last measure, where the lag in use waits for a rise to be confirmed or keeps out
   * of the jitter (see {@linkcode LagReadings.heard}). Set as each answer moves it (`#setLag`),
   * so that the updates, which read it every pass, read a field rather than call for it.
   */
  #heardLag: number;
  /** The answers' measures of the lag, and what they confirm (see {@linkcode LagReadings}). */
  readonly #readings = new LagReadings();
  #acknowledged = false;
  /**
   * Where the session's first chunk of speech ended (NaN: none sent yet; Infinity: a clear came
   * first): until the far end's first answer, no more counts heard (see `#unansweredBound`).
   */
  #firstChunkEnd = NaN;
  /** The heard position is past an unanswered mark: by the estimate, the mark's bound passed. */
  #pastMark = false;
  /**
   * A clear dropped the marks waited for while the far end answered none, heard past one overdue
   * (`#pastMark`): those sent since are not waited for either, until one is answered. Else each
   * reply after a barge-in waited `playoutTimeoutMs` again, as such a far end's first one does.
   */
  #answersStopped = false;
  /** Position the far end has acknowledged as played. */
  #ackedPosition = 0;
  /**
   * The far end reports its own playback (see {@linkcode #report}): said it began or that it has
   * played all it had. Its silence before that tells nothing (a client that never reports).
   */
  #reports = false;
  /** A report placed the position acknowledged (for {@linkcode #reportedAt}). */
  #reported = false;
  /**
   * Where the far end, reporting its playback, had nothing left to play (NaN: not known): the
   * session's start, and where a `completed` report placed its end. Audio sent from there on is
   * what its next `started` report is about (see {@linkcode #report}). Not after a clear: whether
   * the far end reports again then is not known.
   */
  #idleAt = 0;
  /** Whether the last response's stop rested on a report (what `state` says once it is over). */
  #lastReported = false;
  /** The session's end found the goodbye still playing (see {@linkcode #holdsGoodbye}). */
  #goodbyeHeld = false;
  /**
   * The session is over ({@linkcode end}, not holding a goodbye): no mark is made any more (see
   * `PlaybackMarks.end`), and no timer armed. A send that waited for the socket to drain ends
   * only after it (the wait ends as the session does, or past `sendTimeoutMs`), and the pump,
   * which runs on through the closing handshake, tells of a drain then.
   */
  #ended = false;
  /** The serializer hands on the far end's playback reports (see {@linkcode #report}). */
  readonly #takesReports: boolean;
  /**
   * The timeline's end once the first background audio that followed speech in a slot of its own
   * left: a response that ends before it was followed by more audio, which the far end plays on
   * (kept only where the far end reports its playback). Its end is no longer the end of all that
   * left, even while the packetizer holds that audio.
   */
  #filledAt = -Infinity;
  /** Nothing is queued or being cut into chunks: the audio sent so far is all there is. */
  #drained = true;
  /** When the queue last ran dry after a chunk (a response's end counts once it stays so). */
  #drainedAt = -Infinity;
  /** An `end` is next: what was sent is all there will ever be (see {@linkcode played}). */
  #final = false;
  readonly #events: ClockTimer;
  readonly #quiet: ClockTimer;
  /** The {@linkcode played} waits under way: each ends once all sent has played, or `deadline`. */
  #played: PlayedWaiter[] = [];
  /**
   * A {@linkcode played} wait ended at its signal's abort (the session ending under it), not
   * by playout or its bound: the session's end then is no goodbye's (see `#holdsGoodbye`).
   */
  #waitAborted = false;
  /** Whether anyone listens for "speakingstart"/"speakingstop" (the timer is only for them). */
  #wantsEvents = false;
  /** When the events timer is armed for (Infinity: not armed). */
  #eventsDue = Infinity;
  #cutPosition = 0;
  /**
   * An event waits for audio the packetizer holds (a response's first or last audio): it comes
   * once that audio leaves, when a chunk is sent or the held packet is flushed, not at a time.
   */
  #waitsForHeld = false;
  /** An update is under way: one asked for meanwhile (see {@linkcode #update}) waits for it. */
  #updating = false;
  /** The update under way dispatched an event, or another was asked for: it looks again. */
  #updateAgain = false;
  /** The serial of the last utterance begun (see `Utterance.serial`). */
  #serial = 0;
  /**
   * The stops an interruption owes (see {@linkcode interrupt}): the utterances up to this serial
   * (0: none owed), what was heard, whether what was sent plays on, and whether acknowledged.
   */
  #owedThrough = 0;
  #owedHeard = 0;
  #owedPlaysOn = false;
  #owedAcknowledged = false;
  /**
   * The interruptions whose clear waits, and what waits behind them (see
   * {@linkcode interruptUntilCleared}): made at the first such clear, which most sessions never
   * have.
   */
  #clearWaits: ClearWaits | undefined;

  /**
   * The far end holds its playout (see {@linkcode farEndHeld}) at this position: nothing past it
   * is heard until it plays on. NaN: it plays.
   */
  #heldPosition = NaN;

  /** Makes a tracker; marks are inserted only when `markIntervalMs` > 0. */
  constructor(options: PlaybackTrackerOptions) {
    this.#timeline = options.timeline;
    this.#sender = options.sender;
    this.#clock = options.clock;
    this.#stats = options.stats;
    this.#acks = options.markIntervalMs > 0;
    this.#quietMs = options.quietMs;
    this.#playoutTimeoutMs = options.playoutTimeoutMs;
    this.#lag = options.playoutDelayMs;
    this.#heardLag = options.playoutDelayMs; // no answer yet: the lag in use
    this.#takesReports = options.playbackReports === true && options.markIntervalMs === 0;
    this.#dispatch = options.dispatch;
    this.#onReplaced = options.onReplaced;
    this.#onHeld = options.onHeld;
    const tolerance = { toleranceMs: TIMER_TOLERANCE_MS };
    this.#events = options.clock.timer(() => this.#update(), tolerance);
    this.#quiet = options.clock.timer(() => this.#quietPassed(), tolerance);
    const marks = new PlaybackMarks(options, this, this.#readings, this.#utterances);
    this.#marks = marks;
    this.#farEndHold = this.acks ? options.sender.farEndHold : undefined;
    if (this.#farEndHold !== undefined) {
      this.#farEndHold.onMarkGivenUp = (name) => marks.givenUp(name);
      this.#farEndHold.onMarksForgotten = (kept) => marks.forgotten(kept);
    }
  }

  /**
   * For {@linkcode PlaybackMarks} only: an answer to the mark at `position` came, and the lag
   * is now `lag` (see `PlaybackMarks.answered`).
   */
  marksAnswered(position: number, lag: number): void {
    this.#ackedPosition = Math.max(this.#ackedPosition, position);
    this.#answersStopped = false;
    this.#setLag(lag);
    this.#acknowledged = true;
    this.#update();
  }

  /**
   * For {@linkcode PlaybackMarks} only: the far end has room for marks again, and the end of
   * what was sent, its mark refused while too many waited, goes once the quiet time has passed
   * (the quiet timer that refused it does not fire again).
   */
  marksQuietAgain(now: number): void {
    if (this.#drained) this.#quiet.arm(Math.max(0, this.#drainedAt + this.#quietMs - now), now);
  }

  /**
   * For {@linkcode PlaybackMarks} only: the far end forgot marks (see `PlaybackMarks.forgotten`).
   * A response that waited for a forgotten mark's answer ends by the estimate: look again, on the
   * events timer (told from inside a send: a listener may send or close).
   */
  marksForgotten(now: number): void {
    if (this.#toldOfChanges) {
      this.#events.arm(0, now);
      this.#eventsDue = now;
    }
  }

  /**
   * Whether anyone is told of playback as it happens: a speaking listener, or a `played` waiter.
   * Without one, the state is brought up to date only when read (`state`, `interrupt`, an
   * acknowledgement, a new response), not each time the queue runs dry for nobody: with the
   * update once per chunk that this replaced, about 2 % of a push echo's CPU at 100 sessions
   * (Node, the two builds side by side).
   */
  get #toldOfChanges(): boolean {
    return this.#wantsEvents || this.#played.length > 0;
  }

  /**
   * The far end holds its playout (`held`: Asterisk's `PAUSE_MEDIA`, the bot's own), keeping what
   * it is sent queued, or plays on. While it holds, nothing past the position playing then is
   * heard, no response begins or ends by the estimate past it, and no mark's answer is overdue
   * for it. As it plays on, everything sent from that position on is placed anew, to play from
   * now on (`PlayoutTimeline.resumeFrom`): the responses, the marks waiting, the observers and
   * the pacing schedule with it. Without that, the hold read as the far end's lag (the marks in
   * it answered that much late), learned for the next reply, which then began that much late by
   * the estimate (a barge-in in it heard nothing), and `heardMs` ran on through a hold longer
   * than `playoutTimeoutMs`. The pacing holds with it (`PlayoutTimeline.holdAt`): nothing leaves
   * more than `sendAheadMs` past the position held at until it plays on. Called at the command's
   * send and at most once a change: no cost per chunk.
   */
  farEndHeld(held: boolean): void {
    if (this.#ended || held === !Number.isNaN(this.#heldPosition)) return;
    const now = this.#clock.now();
    const timeline = this.#timeline;
    if (held) {
      const left = this.#leftPosition;
      const playing = timeline.playedAt(now - this.#heardLag);
      this.#heldPosition = playing < left ? playing : left;
      // Sending holds too, `sendAheadMs` past it: the far end's queue must not grow by the hold.
      timeline.holdAt(this.#heldPosition, now);
      // Told as it begins, not only as it ends (the move at the end): an observer that writes out
      // what played (a recorder) holds that audio back meanwhile, not where the estimate had it.
      this.#onHeld?.(true, this.#heldPosition);
      return;
    }
    const from = this.#heldPosition;
    this.#heldPosition = NaN;
    const moves = timeline.sentMs > from + EPSILON;
    // What was playing at the hold plays now, as far behind the estimate as the far end plays;
    // with nothing sent past it, nothing to place anew: the pacing goes on from here.
    if (moves) timeline.resumeFrom(from, now - this.#heardLag);
    else timeline.endHold();
    // Told even where nothing moves: an observer holding what comes from `from` on lets go of it.
    this.#onHeld?.(false, from);
    if (moves) this.replaced(from);
    this.#update(now);
  }

  /** Whether the far end holds its playout at or before `position` (see `farEndHeld`). */
  #heldAt(position: number): boolean {
    return position >= this.#heldPosition - EPSILON; // NaN: not held
  }

  /**
   * Milliseconds of the audio sent that the far end's hold keeps unplayed (see
   * {@linkcode farEndHeld}): what left past the position it holds at. 0 while it plays. Read
   * as the session ends (`OutboundPath`, whatever ends it): that audio was sent and never
   * heard, which no byte counter holds (they count what the transport did with the bot's audio,
   * and all of this left): counted in `stats.audioMsUnplayedAtEnd`, and an `end`'s error says it.
   */
  get heldUnplayedMs(): number {
    const unplayed = this.#timeline.sentMs - this.#heldPosition;
    return unplayed > 0 ? unplayed : 0; // NaN: not held
  }

  /** Whether the far end acknowledges playout here (the tracker inserts marks). */
  get acks(): boolean {
    return this.#acks;
  }

  /**
   * A chunk of response `id` is about to leave: a new response's start is marked first, and the
   * session's first chunk of speech, if no mark has followed it yet (see `PlaybackMarks`).
   */
  beforeChunk(id: string | undefined): void {
    if (this.acks) this.#marks.beforeChunk(id, this.#serial > 0);
  }

  /**
   * Whether the far end still plays what has left at `now`: by the estimate, as far behind it as
   * the far end plays (the confirmed lag: a read that rose, such as an end-of-speech mark's
   * answered only once the far end had run dry, may overstate it), until it acknowledged (or
   * reported) the end of it.
   */
  playsOn(now: number): boolean {
    const left = this.#leftPosition;
    if (this.acks ? this.#ackedPosition >= left - EPSILON : this.#reportedAt(left)) return false;
    return this.#timeline.playsAt(left) + Math.max(0, this.#lag) > now; // NaN: cut, false
  }

  /** How far behind the pacing estimate the far end plays, as measured and confirmed (ms). */
  get lag(): number {
    return this.#lag;
  }

  /**
   * The timeline position heard when the last interruption came (for one whose clear waits, see
   * {@linkcode interruptUntilCleared} for the position heard once its fate is known).
   */
  get cutPosition(): number {
    return this.#cutPosition;
  }

  /**
   * A chunk has left and sits on the timeline (committed); background alone is not speech.
   * `now`: the clock as the caller read it in the same turn, if it did. `leavesLater`: its send
   * waits (a serializer that answers later, a full socket): the marks that follow it go once it
   * has left ({@linkcode chunkLeft}), not now.
   */
  chunkSent(
    chunk: AudioFrame,
    durationMs: number,
    speech: boolean,
    now?: number,
    leavesLater = false,
  ): void {
    if (!speech) {
      // Background alone: it too fills the packet that held speech back, and sends it (its
      // marks: see `PlaybackMarks.backgroundSent`); and a far end reporting its playback plays it
      // on after the speech (see #filled).
      this.#marks.backgroundSent(this.#drained, leavesLater, now);
      if ((this.#takesReports && this.#filled()) || this.#waitsForHeld) this.#update(now);
      return;
    }
    // The quiet timer is not cancelled here: re-armed at the next drain, it just fires later,
    // and firing while audio is still going does nothing (see #quietPassed).
    this.#drained = false;
    const position = this.#timeline.lastPosition;
    let current = this.#utterances[this.#utterances.length - 1];
    let begun = false;
    if (current === undefined || current.id !== chunk.responseId) {
      // The same (tagged) response after its spell played out: it goes on where that one ended
      // (not after an interruption: what comes then under the same id starts it over).
      const before = current ?? (this.#lastPlayedOut ? this.#last : undefined);
      const resumed = chunk.responseId !== undefined && before?.id === chunk.responseId;
      current = {
        id: chunk.responseId,
        start: position,
        startPlaysAt: this.#timeline.playsAt(position),
        sentMs: 0,
        end: position,
        endPlaysAt: NaN,
        priorMs: resumed ? before!.priorMs + before!.sentMs : 0,
        gaps: NO_GAPS,
        started: false,
        serial: ++this.#serial,
      };
      this.#utterances.push(current);
      begun = true;
    } else if (position > current.end + EPSILON) {
      // Other audio left since its last chunk (background, padding): not this response's.
      addGap(current, current.end, position);
    }
    current.sentMs += durationMs;
    current.end = this.#timeline.sentMs;
    if (Number.isNaN(this.#firstChunkEnd)) this.#firstChunkEnd = current.end;
    current.endPlaysAt = this.#timeline.playsAt(current.end);
    if (this.acks && !leavesLater) this.#marks.afterChunk(now);
    // Only a response's first chunk can bring an event closer (its start; the end of the one
    // before it): a later chunk moves its own end later, which the events timer, firing early,
    // finds and follows, and which drained() follows at once when the queue runs dry. So the
    // state is brought up to date here once a response (which also lets go of the utterances
    // that have ended), and otherwise when it is read.
    if (begun || this.#waitsForHeld) this.#update(now);
  }

  /**
   * A chunk whose send waited ({@linkcode chunkSent}'s `leavesLater`) has left now (`now`, as
   * read then; `speech`: as told to `chunkSent`): the marks owed after it go (after background
   * alone, only the held boundary's, as in `chunkSent`). Sent as its send began, a mark overtook
   * it (the serializer's answer for the mark came first) and stood a chunk early on the wire:
   * its answer read the lag a chunk short, `heardMs` as far ahead, and a mark at a reply's end
   * (as the cadence falls) left the reply with no mark at its real end, nor an end-of-speech one
   * after it. Once per chunk whose send waited, never on a send that did not.
   */
  chunkLeft(now: number, speech: boolean): void {
    if (!this.acks) return;
    this.#marks.leftLate(speech, this.#drained, now);
  }

  /**
   * The chunk whose send waited ({@linkcode chunkSent}'s `leavesLater`) was refused by the
   * serializer's late answer (see `OutboundSender.refusedLate`), and the pump took it off the
   * timeline again (it never left): it comes off the response it belonged to too (sent, and so
   * heard, is what left). No mark of the cadence goes for it: one would stand past what the far
   * end has, its answer counting the refused audio heard. Instead of {@linkcode chunkLeft}.
   */
  chunkNeverLeft(now: number): void {
    this.#trimToSent();
    if (this.acks) this.#marks.heldAudioGone(now);
    this.#update(now);
  }

  /**
   * A chunk of background alone is about to take a slot (told by the pump before it reserves it):
   * the end of the speech before it, if not marked yet, is marked now, where it stands, so that
   * `speakingstop` comes as the far end plays the reply's last sample, not a chunk later (see
   * `PlaybackMarks.backgroundAfterSpeech`). `now`: as in chunkSent.
   */
  beforeBackground(now: number): void {
    this.#marks.backgroundAfterSpeech(this.#drained, now);
  }

  /**
   * The packetizer's held audio was flushed or dropped (`now`: as in chunkSent). `droppedMs`:
   * dropped by the `lastPacket` policy, already taken off the timeline; the responses it belonged
   * to lose it too (sent, and so heard, is what left), and one all of whose audio it was never
   * plays: it goes unseen, as one an interruption drops before it began.
   */
  heldAudioGone(droppedMs: number, now?: number): void {
    if (this.acks) this.#marks.heldAudioGone(now);
    if (droppedMs > 0) this.#trimToSent();
    else if (this.#takesReports) this.#padded(this.#sender.paddedMs);
    if (this.#waitsForHeld || droppedMs > 0) this.#update(now);
  }

  /**
   * Background audio left in a slot of its own, where the far end reports its playback: the
   * speech sent before it is followed by more audio, which the far end plays on, saying nothing
   * at the speech's end (see {@linkcode #report}). Returns whether the state must be looked at
   * again: at the first such slot after a response's audio, whose end no longer waits for a
   * report (the timer for that wait would fire `playoutTimeoutMs` late). Later slots: a compare.
   */
  #filled(): boolean {
    const u = this.#utterances[this.#utterances.length - 1];
    if (u === undefined || u.end <= this.#filledAt + EPSILON) return false;
    this.#filledAt = this.#timeline.sentMs;
    return this.#reports;
  }

  /**
   * The packetizer padded the packet that held the end of what left with `ms` of silence, which
   * the far end plays after it: a far end reporting its playback runs dry that much later.
   */
  #padded(ms: number): void {
    const u = this.#utterances[this.#utterances.length - 1];
    if (!(ms > 0) || u === undefined) return;
    u.paddedMs = ms;
    u.paddedAt = u.end;
  }

  /**
   * Takes what is past the end of the timeline (audio that never left) off the utterances, and
   * off the first-answer bound (see `#firstChunkEnd`): a call's first reply dropped whole sent no
   * first chunk, and the first that does leave is the bound (what left of one cut short, too).
   */
  #trimToSent(): void {
    const sent = this.#timeline.sentMs;
    const first = this.#firstChunkEnd; // NaN: none yet; Infinity: a clear came, no bound
    if (first !== Infinity && first > sent + EPSILON) {
      this.#firstChunkEnd = sent > EPSILON ? sent : NaN;
    }
    const utterances = this.#utterances;
    for (let i = utterances.length - 1; i >= 0; i--) {
      const u = utterances[i]!;
      if (u.end <= sent + EPSILON) break; // the ones before it end earlier still
      u.end = Math.max(u.start, sent);
      u.sentMs = ownMsTo(u, u.end);
      u.endPlaysAt = this.#timeline.playsAt(u.end);
      if (u.sentMs > EPSILON || u.started) continue;
      utterances.splice(i, 1); // never audible: nothing of it left
      this.#lastPlayedOut = false; // cut off, as #stop says of one stopped unseen
      this.#lastByEstimate = false;
    }
  }

  /**
   * Nothing more is queued: what was sent is all there is, for now (`now`: as in chunkSent).
   * `quietPassed`: the queue ran dry the quiet time ago, and only the end held back then (the
   * chunker's partial chunk, the packetizer's partial packet) left now, at the pump's tail timer:
   * the stretch ends here, and its end-of-speech mark goes at once, right after that end. A quiet
   * time later, it went after its place had played (the tail's few milliseconds long before), and
   * its answer, taken for a bound (see `PendingMark.boundsUntil`), put `heardMs` short by the
   * quiet time less the tail until the next reply's first answered mark (up to 31 ms at the
   * default pacing, 1,000-byte packets). Sent before its place plays, its answer reads the lag.
   * The utterance still settles the quiet time from now (`speakingstop`), as before.
   */
  drained(now: number = this.#clock.now(), quietPassed = false): void {
    if (this.#ended) return; // no timer is left after the end, nor a mark made (see `#ended`)
    this.#drained = true;
    this.#drainedAt = now;
    if (quietPassed) {
      this.#quiet.cancel();
      this.#quietPassed();
    } else if (
      // Where the serializer takes the end of a stretch, at every drain, as a streaming source's
      // drains re-arm it anyway where marks are sent (a number written on the swept clock).
      this.stretchEnded !== undefined ||
      (this.acks && this.#marks.markedPosition < this.#leftPosition - EPSILON)
    ) this.#quiet.arm(this.#quietMs, now);
    if (this.#toldOfChanges) this.#update(now);
  }

  /**
   * What was sent from position `from` on was placed anew on the timeline (it left late): the
   * responses it belongs to end, and begin if they began there, where it now plays; and the marks
   * not yet answered inside it are placed with it (see `replaceMarks`). `tell`: the
   * observers hear of it (not past the pump's bound on moves told for one turn).
   */
  replaced(from: number, tell = true): void {
    const timeline = this.#timeline;
    for (let i = this.#utterances.length - 1; i >= 0; i--) {
      const u = this.#utterances[i]!;
      if (u.end <= from + EPSILON) break; // the ones before it end earlier still
      u.endPlaysAt = timeline.playsAt(u.end);
      if (u.start >= from - EPSILON) u.startPlaysAt = timeline.playsAt(u.start);
    }
    this.#marks.replaced(from);
    if (tell) this.#onReplaced?.(from);
  }

  /** Audio was queued: more is coming. */
  queued(): void {
    this.#drained = false;
  }

  /** An inbound mark; returns whether it was one of the tracker's own (to be hidden). */
  acknowledge(name: string): boolean {
    // Any answer, the bot's too, frees one of the far end's slots: the cadence goes on.
    this.#marks.slotFreed();
    if (!name.startsWith(PLAYOUT_MARK_PREFIX)) return false;
    const report = readPlaybackReport(name);
    if (report !== undefined) {
      this.#report(report);
      return true;
    }
    // One of the tracker's own marks (an unknown one is from before a clear): what it teaches
    // comes back in `marksAnswered`.
    this.#marks.answered(name);
    return true;
  }

  /**
   * A far end that reports its own playback rather than answering marks (Genesys's Audio
   * Connector) said it began to play after none, or that it has played all it received: all that
   * has left but the last `uncoveredMs`, which may have crossed the report. From its first report
   * on, a response's end that is the end of all that left is taken as played when such a report
   * says so (`speakingstop` then, acknowledged), or by the estimate once that is `playoutTimeoutMs`
   * overdue, as with marks; and the report teaches how far behind the estimate the far end plays.
   * A response followed by more audio (speech, or background in slots of its own) goes by the
   * estimate: the far end, playing on, says nothing at its end.
   *
   * A report is taken only where a response ends, and only the first there: elsewhere (a stray
   * or repeated `completed` while the next response plays, one whose place audio that crossed it
   * moved inside a response, one at the end of background audio, which is on the timeline too)
   * it places nothing the tracker knows, and moving the acknowledged position there would run
   * `heardMs` ahead of the far end.
   *
   * Only a serializer that says it makes reports (`playbackReports`) is heard: from any other far
   * end, or where marks are answered, a mark named as a report is hidden and means nothing.
   */
  #report(report: PlaybackReport): void {
    if (!this.#takesReports) return;
    this.#reports = true;
    if (report.type === "completed") {
      // Counted on the wire: the response's own end is the place (see REPORT_MATCH_MS).
      const ended = this.#endingAt(this.#leftPosition - report.uncoveredMs);
      if (ended !== undefined && ended.end > this.#ackedPosition + EPSILON) {
        this.#ackedPosition = ended.end;
        this.#reported = true;
        this.#idleAt = ended.end;
        // The far end ran dry at the end of a response, and after the silence a padded last
        // packet added: when that end plays by the estimate was taken as it left (its spell may
        // be over).
        if (Number.isFinite(ended.endPlaysAt)) {
          const now = this.#clock.now();
          const paddedMs = Math.abs((ended.paddedAt ?? NaN) - ended.end) <= EPSILON
            ? ended.paddedMs!
            : 0;
          this.#setLag(this.#readings.read(now - ended.endPlaysAt - paddedMs, now, this.#lag));
        }
      }
    } else this.#started();
    this.#update();
  }

  /**
   * The far end says it began to play (`playback_started`) after it had nothing to: the response
   * whose audio left first where it went idle (see `#idleAt`) is the one it plays. That response
   * begins on its word, and how far behind the estimate the far end plays is measured where it
   * begins, so `heardMs` through the response rests on this report rather than on the last one
   * (the response before, or none: a call's first response, `playoutDelayMs`). A report read late
   * (after a stall) measures the far end later than it is, never earlier: `heardMs` errs short,
   * as with every answer (see {@linkcode LagReadings.read}). Any other `started` (for background
   * audio, after a clear, a response already measured so) places nothing.
   */
  #started(): void {
    const idleAt = this.#idleAt;
    const u = this.#utterances.find((u) => Math.abs(u.start - idleAt) <= EPSILON);
    // Its audio must have left: what the packetizer holds has not reached the far end.
    if (u === undefined || u.startReported || u.start >= this.#leftPosition - EPSILON) return;
    u.startReported = true;
    if (Number.isFinite(u.startPlaysAt)) {
      const now = this.#clock.now();
      this.#setLag(this.#readings.read(now - u.startPlaysAt, now, this.#lag));
    }
  }

  /** Where the first reply not begun yet begins, if it waits for a `started` report; else ∞. */
  #awaitedStart(): number {
    const u = this.#utterances.find((u) => !u.started);
    return u !== undefined && this.#awaitsStartReport(u) ? u.start : Infinity;
  }

  /**
   * Whether `u` begins on the far end's `started` report, not the estimate: the far end reports
   * its playback, and `u`'s audio begins where it had nothing left to play.
   */
  #awaitsStartReport(u: Utterance): boolean {
    return this.#reports && !u.startReported && Math.abs(u.start - this.#idleAt) <= EPSILON;
  }

  /**
   * An answer moved the lag in use to `lag` (or left it: see {@linkcode LagReadings}), and with it
   * the lag for what has played.
   */
  #setLag(lag: number): void {
    this.#lag = lag;
    this.#heardLag = this.#readings.heard(lag);
  }

  /**
   * The response, going on or the last one over, whose end is at `position` (see
   * `REPORT_MATCH_MS`).
   */
  #endingAt(position: number): Utterance | undefined {
    for (let i = this.#utterances.length - 1; i >= 0; i--) {
      const u = this.#utterances[i]!;
      if (Math.abs(u.end - position) <= REPORT_MATCH_MS) return u;
    }
    const last = this.#last;
    return last !== undefined && Math.abs(last.end - position) <= REPORT_MATCH_MS
      ? last
      : undefined;
  }

  /**
   * Whether the far end's report says `position` has played: one placed the acknowledged position
   * there or past it. (A clear, which also moves it, is no report: what was heard then is the
   * estimate's.)
   */
  #reportedAt(position: number): boolean {
    return this.#reported && this.#ackedPosition >= position - EPSILON;
  }

  /**
   * Whether what was heard of `u` (none playing: the position `heard`) rests on the far end's word:
   * its acknowledgements, or its reports. A report tells only where a stretch ended: the figure
   * of a response that plays rests on it once all of the response has played.
   */
  #groundedAt(heard: number, u: Utterance | undefined): boolean {
    if (this.acks) return this.#grounded;
    return this.#reportedAt(u === undefined ? heard : u.end);
  }

  /** The playback state now. */
  state(queuedMs: number): PlaybackState {
    const heard = this.#heardPosition(this.#update());
    // Only the oldest utterance can have started (the next starts once it stopped). One sent but
    // not begun is not named: the state says what plays, or what last did, as the events do.
    const first = this.#utterances[0];
    const live = first !== undefined && first.started ? first : undefined;
    const current = live ?? this.#last;
    const left = this.#leftPosition;
    return {
      speaking: live !== undefined,
      responseId: current?.id,
      // A response that stopped keeps what was heard of it then: after an interruption the
      // positions past the cut were never heard, though the timeline has moved on.
      heardMs: live !== undefined
        ? heardOf(live, heard)
        : current === undefined
        ? 0
        : this.#lastHeardMs,
      sentMs: current === undefined ? 0 : sentOf(current, left),
      queuedMs,
      // A far end that reports its playback: what a response over was heard rests on its word
      // only if its stop did. One over by the estimate, all of it heard, only once its end is
      // acknowledged: a stall's late answers for the audio before it come first.
      acknowledged: !this.#reports
        ? this.#grounded &&
          !(live === undefined && this.#lastByEstimate &&
            this.#ackedPosition < current!.end - EPSILON)
        : live !== undefined
        ? this.#groundedAt(heard, live)
        : this.#lastReported,
    };
  }

  /**
   * An interruption, before the timeline is cut: what the caller heard of the response playing,
   * and what is dropped (`queuedMs` not yet sent, plus what was sent but not played). Every
   * audible response stops ("interrupted"). A far end that does not clear (`farEndClears`
   * false) plays all that was sent: that is heard, and only `queuedMs` is dropped; the result
   * names the response the sent audio ends with, and a response sent but not begun yet begins
   * (and stops) here too, so that its events say it was heard, as the result does. Those events
   * come once the interruption is through (see {@linkcode cleared}).
   */
  interrupt(queuedMs: number, farEndClears = true): InterruptResult {
    const { result } = this.#interrupt(queuedMs, farEndClears);
    // Cleared now, whatever an earlier clear that waited proves to be (see `ClearWaits`).
    this.#clearWaits?.interrupted(farEndClears, this.#ackedPosition);
    return result;
  }

  /**
   * {@linkcode interrupt} where the far end's clear leaves only later (taken behind an urgent
   * message whose asynchronous answer is due, or answered later itself: `OutboundSender.sendClear`;
   * each answer ahead of it bounded by `sendTimeoutMs`): the cut is made now (nothing more of the
   * interrupted responses leaves, its stops are told now), but the far end plays on what it was
   * sent until the clear reaches it; a response sent meanwhile leaves only behind the clear, and
   * begins ("speakingstart") only once its fate is known. Returns what to ask then: the
   * interruption's result, and the position heard (what the observers are told). "sent": what the
   * far end played meanwhile, by the estimate (no faster than real time, no further than what had
   * left or its hold lets it), counted heard, not dropped; "none": the serializer had no clear
   * after all, and all that left plays on, as where the protocol has none (`interrupt`'s
   * `farEndClears` false), a response sent but not begun at the cut beginning as it plays (see
   * `ClearWaits`); "ended": the session ended first, the far end playing on until then.
   * Asked again (the session's end asks "ended" of one still waiting), it answers as of then. Only
   * on the interrupt path; nothing per chunk. Returns the result as of now too, the one to tell
   * where the clear's fate is never asked.
   */
  interruptUntilCleared(
    queuedMs: number,
  ): { result: InterruptResult; then: (fate: ClearFate) => ClearKnown } {
    const left = this.#leftPosition;
    // How far the far end can play with nothing more sent: what left, short of what it holds back,
    // and of the speech chunk whose answer is due (placed as sent, it is dropped as it comes).
    const dueMs = this.#sender.clearedAnswerDueMs;
    let reach = left - dueMs;
    if (reach > this.#heldPosition) reach = this.#heldPosition; // NaN: not held
    const hold = this.#farEndHold;
    if (hold !== undefined && reach > left - hold.heldMs) reach = left - hold.heldMs;
    // When the end of what left is heard, by the estimate (NaN: all of it has played already).
    const endHeardAt = this.#timeline.playsAt(left) + this.#heardLag;
    let waits = this.#clearWaits;
    if (waits === undefined) {
      waits = this.#clearWaits = new ClearWaits(this.#timeline, this, this.#utterances);
      if (this.#ended) waits.end(); // as one made before the end would have been told
    }
    waits.cutComing(this.#ackedPosition);
    const { result, current, heard, at } = this.#interrupt(queuedMs, true);
    const reached = left - dueMs; // as far as it plays, should the clear prove to be none
    const taken = waits.wait(reached, reach, current !== undefined, this.#ackedPosition);
    // `result` is the caller's to complete (the response queued, where none had left yet).
    const then = (fate: ClearFate): ClearKnown => {
      const now = this.#clock.now();
      const byEstimate = Number.isNaN(endHeardAt) ? left : left - Math.max(0, endHeardAt - now);
      let heardThen = heard;
      if (fate === "none") heardThen = Math.max(heard, reached); // it all plays on
      else if (reach > heard) {
        heardThen = Math.max(heard, Math.min(reach, heard + (now - at), byEstimate));
      }
      // What the fate does to the playout: what played on, what waited, what begins after all.
      const clearedAt = taken(fate, now, byEstimate);
      // Sent while the far end played on what an earlier clear proving none left it: `heard`
      // was read on the timeline that earlier cut left dry (all that left), and the far end had
      // played only this far when this clear dropped the rest.
      const clearedPlayingOn = clearedAt < heardThen; // NaN: false
      if (clearedPlayingOn) heardThen = clearedAt;
      if (current === undefined) return { result, heardPosition: heardThen };
      if (fate !== "none" && !clearedPlayingOn && heardThen <= heard + EPSILON) {
        return { result, heardPosition: heard };
      }
      const heardMs = heardOf(current, heardThen);
      // What `transport.playback` says of it, unless a later response has begun since.
      if (this.#last === current) this.#lastHeardMs = heardMs;
      const known = {
        responseId: result.responseId,
        heardMs,
        droppedMs: queuedMs + Math.max(0, left - heardThen),
        acknowledged: false, // what was heard past the cut rests on the estimate alone
      };
      return { result: known, heardPosition: heardThen };
    };
    return { result, then };
  }

  /**
   * For {@linkcode ClearWaits} only: the clears proved to be none, and all that was sent up to
   * `ackedAtCut`, taken as acknowledged at the cut, plays on: unless an answer moved it since, the
   * position acknowledged goes back to `ackedBefore`, and the marks dropped at the cut go by the
   * estimate (see `PlaybackMarks.notCleared`).
   */
  clearsUncleared(ackedAtCut: number, ackedBefore: number): void {
    if (this.acks && this.#ackedPosition === ackedAtCut) {
      this.#ackedPosition = ackedBefore;
      this.#marks.notCleared(ackedAtCut);
    }
  }

  /** For {@linkcode ClearWaits} only: what waited behind a clear may begin or end now. */
  clearsLookAgain(now: number): void {
    this.#update(now);
  }

  /**
   * For {@linkcode ClearWaits} only: the responses put back at a clear that proved to be none are
   * the last sent, and closed to more audio (the interruption closed its gate to them): the last
   * of them, alone, is over once played, not a quiet time after the queue last ran dry (which it
   * did at the cut, where an answer was due until then: `speakingstop` up to `quietMs` late). As
   * though the queue had been dry for good; the next audio queued and sent drains anew. Not while
   * something is queued (not drained: it waits for that to leave, as any does). Only on this
   * rare path: nothing per chunk.
   */
  clearsPutBackLast(): void {
    if (this.#drained) this.#drainedAt = -Infinity;
  }

  /** The lag for what has played by now (see `#heardLag`): read where a clear's fate places it. */
  get heardLag(): number {
    return this.#heardLag;
  }

  /** Whether the far end holds its playout now (see {@linkcode farEndHeld}). */
  get farEndHolds(): boolean {
    return !Number.isNaN(this.#heldPosition);
  }

  /** See {@linkcode interrupt}; also the response it names, the position heard, and when. */
  #interrupt(queuedMs: number, farEndClears: boolean): InterruptCut {
    const now = this.#update(); // what began playing meanwhile, with no timer to say so
    // What the packetizer holds never left: it is in `queuedMs`, and dropped with the rest.
    const left = this.#leftPosition;
    const heard = farEndClears ? this.#heardPosition(now) : left;
    const current = farEndClears
      ? this.#audible(heard) ?? this.#utterances[0] ?? this.#stillPlaying(heard)
      : this.#lastLeft(left); // the one the sent audio ends with
    const result: InterruptResult = {
      responseId: current?.id,
      heardMs: current === undefined ? 0 : heardOf(current, heard),
      droppedMs: queuedMs + Math.max(0, left - heard),
      acknowledged: farEndClears && this.#groundedAt(heard, current),
    };
    this.#cutPosition = heard;
    if (current !== undefined && current === this.#last) {
      // Over by the estimate, yet still playing (`#stillPlaying`): it stops at the cut after all.
      this.#lastHeardMs = result.heardMs;
      this.#lastPlayedOut = this.#lastByEstimate = false;
    }
    // Every response there now stops, told once the interruption is through (see `cleared`).
    this.#trimToLeft(left);
    this.#owedThrough = this.#serial;
    this.#owedHeard = heard;
    this.#owedPlaysOn = !farEndClears;
    this.#owedAcknowledged = result.acknowledged;
    // The far end drops what it buffered, and the marks in it; the boundary mark owed is dropped,
    // cleared or not (see `PlaybackMarks.interrupted`).
    this.#marks.interrupted(farEndClears);
    if (farEndClears) {
      this.#answersStopped ||= this.#pastMark;
      // All before the clear is acknowledged. (Not cleared, it plays on, and the marks in it
      // still tell when.)
      this.#ackedPosition = this.#timeline.sentMs;
      this.#reported = false; // not the far end's word (see #reportedAt)
      // The bound of the call's first chunk is the call's start's: after a clear, what is heard
      // before an answer is bounded by the marks alone, as it was before that bound.
      this.#firstChunkEnd = Infinity;
      this.#idleAt = NaN; // whether it says `started` after a clear is not known
      // A clear does not end a hold (chan_websocket's FLUSH_MEDIA leaves `queue_paused` set): what
      // is sent after it waits for the far end to play on, unless its serializer ends the hold.
      if (!Number.isNaN(this.#heldPosition)) this.#heldPosition = this.#timeline.sentMs;
    }
    this.#drained = true;
    this.#quiet.cancel();
    this.#disarmEvents();
    if (this.#played.length > 0) {
      // An `end` waits for playout: look again once the timeline is cut (the far end has nothing
      // left to play) or, where it was not cleared, as what was sent plays on. Else nothing
      // would wake the wait: no chunk, no acknowledgement and no timer is left to.
      this.#events.arm(0, now);
      this.#eventsDue = now;
    }
    return { result, current, heard, at: now };
  }

  /**
   * Settles once the far end has played everything sent (acknowledged, where it acknowledges),
   * or `playoutTimeoutMs` past the estimated end; returns whether playout was confirmed so.
   */
  async played(signal: AbortSignal): Promise<boolean> {
    // Asked before an `end`: no more audio can come, so the last response ends as it plays
    // out, with no quiet time to wait (else the hang-up would stop it as "ended").
    this.#final = true;
    const sent = this.#timeline.sentMs;
    // Its end-of-speech mark, never refused: the hang-up waits for its answer.
    if (this.acks) this.#marks.markFinal(sent);
    const now = this.#clock.now();
    if (this.#isPlayed(sent, now)) {
      this.#update(now); // the last response may have played out with no timer to say so
      return true;
    }
    // The session is over already: no abort is left to end the wait, which would run to its
    // bound. The answer is the one an abort while waiting gives: not played, as of now.
    if (signal.aborted) return false;
    const deadline = this.#estimatedEnd(now) + this.#playoutTimeoutMs;
    let onAbort = (): void => {};
    await new Promise<void>((resolve) => {
      const waiter = { resolve, deadline };
      onAbort = () => this.#abandon(waiter);
      this.#played.push(waiter);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#update();
    });
    // Ended by playout, its bound or the session's end: the signal outlives the wait (the
    // session's), and would keep this listener, and the wait's closure, for good.
    signal.removeEventListener("abort", onAbort);
    return this.#isPlayed(sent, this.#clock.now());
  }

  /**
   * A {@linkcode played} wait's signal aborted (the session is over): the wait ends now, not
   * played. Nothing is looked at again for it, and nothing is dispatched here (the session's end,
   * which follows, says what stops): once nobody waits and nobody listens, the events timer,
   * armed for its bound or the estimated end, is not left to run for nobody.
   */
  #abandon(waiter: PlayedWaiter): void {
    const index = this.#played.indexOf(waiter);
    if (index < 0) return; // settled already: its answer is on its way
    this.#played.splice(index, 1);
    this.#waitAborted = true;
    waiter.resolve();
    if (!this.#toldOfChanges) this.#disarmEvents();
  }

  /**
   * The interruption is through: the far end told, late audio of the responses written before it
   * closed off, the queue cleared, the timeline cut. Only now are the responses it stopped told
   * ("speakingstop"): what a listener of those sends is a new response, judged by the gate as any
   * other after the interruption, and not cleared with the audio before it.
   */
  cleared(): void {
    const through = this.#owedThrough;
    if (through === 0) return;
    this.#owedThrough = 0;
    const reason = "interrupted";
    this.#stopAll(reason, this.#owedHeard, this.#owedPlaysOn, through, this.#owedAcknowledged);
  }

  /**
   * The session is over: whatever was audible stops ("ended"); no timer is left. But for a goodbye
   * that a far end reporting its playback has not yet said it played (see
   * {@linkcode #holdsGoodbye}): it stays audible, to stop as its report, or the session's end,
   * says.
   */
  end(): void {
    if (this.#holdsGoodbye()) {
      this.#goodbyeHeld = true;
      this.#update();
      return;
    }
    this.#ended = true;
    this.#marks.end();
    this.#owedThrough = 0; // stopped here as "ended" (an interruption's clear did not come)
    this.#clearWaits?.end(); // nothing begins now
    this.#trimToLeft(this.#leftPosition);
    this.#stopAll("ended", this.#heardPosition(this.#clock.now()));
    this.#events.cancel();
    this.#quiet.cancel();
    for (const waiter of this.#played) waiter.resolve();
    this.#played = [];
    this.#marks.endWaiting();
  }

  // ---- internals ------------------------------------------------------------------------------

  /**
   * Whether the session's end is the goodbye's (an `end` whose playout {@linkcode played} has seen
   * through) while a far end that reports its playback has not said the goodbye has played. The
   * estimate said so, but such a far end still plays it (a few hundred milliseconds, on Genesys),
   * and its serializer holds the hang-up until it says so (`GenesysSerializer`'s
   * `playbackCompletedTimeoutMs`): meanwhile the goodbye is audible, and a caller talking over it
   * talks over the bot. Once only: the session's end after it (the hang-up, a cancel, a close)
   * stops it.
   */
  #holdsGoodbye(): boolean {
    const seenThrough = this.#played.length === 0 && !this.#waitAborted;
    if (this.#goodbyeHeld || !this.#final || !seenThrough || !this.#reports) return false;
    const u = this.#utterances[0];
    return this.#utterances.length === 1 && u !== undefined &&
      u.end >= this.#leftPosition - EPSILON && u.end > this.#filledAt + EPSILON &&
      !this.#reportedAt(u.end);
  }

  /**
   * The end of the audio that has left: the timeline's, but for what the packetizer holds for a
   * packet not yet whole, and the serializer's partial frame behind it (`heldAudioMs`). That is
   * queued, not sent: it has not reached the far end, so none of it was heard, and a mark sent
   * now is answered before it plays.
   */
  get #leftPosition(): number {
    return this.#timeline.sentMs - this.#sender.heldAudioMs;
  }

  /** The last utterance some of whose audio has left (else the first, all of it still held). */
  #lastLeft(left: number): Utterance | undefined {
    for (let i = this.#utterances.length - 1; i > 0; i--) {
      if (this.#utterances[i]!.start < left - EPSILON) return this.#utterances[i];
    }
    return this.#utterances[0];
  }

  /**
   * The position heard by `time`: the lagged estimate, never past what has left, bounded by what
   * was acknowledged.
   */
  #heardPosition(time: number): number {
    let heard = this.#timeline.playedAt(time - this.#heardLag);
    const left = this.#leftPosition;
    if (heard > left) heard = left;
    if (heard > this.#heldPosition) heard = this.#heldPosition; // NaN: not held
    const waits = this.#clearWaits; // none made: no clear ever waited
    if (waits !== undefined && heard > waits.from) heard = waits.from; // NaN: none waits now
    const hold = this.#farEndHold;
    if (hold !== undefined && heard > left - hold.heldMs) heard = left - hold.heldMs;
    if (this.acks && !this.#acknowledged) heard = this.#unansweredBound(heard, time);
    if (!this.acks) {
      // A reply waiting for the far end's word that it began (see `#updatePass`) is not heard
      // before it begins: `interrupt()` answers as its events say, none of it heard.
      if (this.#reports) heard = Math.min(heard, this.#awaitedStart());
      // The far end said it has played this far: later than the estimate would have it.
      return this.#reported && heard < this.#ackedPosition ? this.#ackedPosition : heard;
    }
    if (heard < this.#ackedPosition) heard = this.#ackedPosition;
    // Never past a mark the far end has not reached: accurate to one mark interval. Once its
    // acknowledgement is late beyond playoutTimeoutMs the far end may have stalled or stopped
    // answering marks (or never did): from then on the position moves on from the mark in real
    // time, never past the estimate, and says it is estimated. Neither frozen for good (one that
    // stopped answering plays on: heard lags it by playoutTimeoutMs), nor leaping to the estimate
    // (one that stalled longer is overstated by the rest of its stall, until its late answer
    // brings the figure back to the truth: a floor that kept it would carry the overstatement
    // into the next response).
    const next = this.#marks.oldest;
    this.#pastMark = false;
    if (next !== undefined && heard > next.position) {
      const bound = next.position + Math.max(0, time - this.#overdueAt(next));
      if (heard > bound) heard = bound;
      this.#pastMark = heard > next.position;
    }
    return heard;
  }

  /**
   * Before the far end's first answer, the position heard by `time` (the estimate `heard`) is no
   * further than the end of the session's first chunk of speech: the far end's delay is not known
   * yet (see the session's first mark, `PlaybackMarks`). The first mark stands at the end of what
   * had left by the next chunk: with `fixedAudioPacketSize` longer than a chunk, the end of the
   * first packet, which bounded `heardMs` to that packet (80 ms of Twilio-like 640-byte packets of
   * μ-law, not the 20 ms chunk). Once the oldest mark's answer is late beyond `playoutTimeoutMs`,
   * the marks' own bound takes over (see {@linkcode #heardPosition}), as it did: a far end that
   * never answers still has all of a response heard once it has played by the estimate.
   */
  #unansweredBound(heard: number, time: number): number {
    const first = this.#firstChunkEnd;
    if (!(heard > first)) return heard; // NaN: nothing sent yet; Infinity: after a clear
    const oldest = this.#marks.oldest;
    return oldest !== undefined && time >= this.#overdueAt(oldest) ? heard : first;
  }

  /** When the answer to `mark` is late beyond the bound (any time, where answers stopped). */
  #overdueAt(mark: PendingMark): number {
    if (this.#answersStopped) return -Infinity;
    return mark.playsAt + Math.max(0, this.#heardLag) + this.#playoutTimeoutMs;
  }

  /**
   * The last response, if it was taken as played out by the estimate (its acknowledgement overdue
   * past `playoutTimeoutMs`) but acknowledgements since put the far end inside it: a stall longer
   * than the bound, still playing. An interruption then cuts it, as the README promises.
   */
  #stillPlaying(heard: number): Utterance | undefined {
    const u = this.#last;
    if (u === undefined || !this.#lastByEstimate) return undefined;
    return heard >= u.start && heard < u.end - EPSILON ? u : undefined;
  }

  #audible(heard: number): Utterance | undefined {
    for (const u of this.#utterances) {
      if (u.started && heard < u.end - EPSILON) return u;
    }
    return undefined;
  }

  /** Whether `position` has played, by the acknowledgements or, without them, by `now`. */
  #isPlayed(position: number, now: number): boolean {
    return this.acks
      ? this.#ackedPosition >= position - EPSILON
      : this.#heardPosition(now) >= position - EPSILON;
  }

  /**
   * Whether the figures rest on acknowledgements: some came, none is overdue past its bound, and
   * none stopped coming before a clear (`#answersStopped`).
   */
  get #grounded(): boolean {
    return this.#acknowledged && !this.#pastMark && !this.#answersStopped;
  }

  /** When everything sent plays to its end, by the lagged estimate (now, once nothing plays). */
  #estimatedEnd(now: number): number {
    const end = this.#timeline.playsAt(this.#timeline.sentMs) + Math.max(0, this.#heardLag);
    return end > now ? end : now; // NaN (cut, or nothing sent) compares false: now
  }

  /**
   * The quiet time has passed with nothing queued: the stretch of speech ends (see
   * {@linkcode stretchEnded}), and its end is marked where the far end acknowledges marks (see
   * `PlaybackMarks.quietPassed`).
   */
  #quietPassed(): void {
    if (!this.#drained) return;
    this.#marks.quietPassed(this.#last);
  }

  /**
   * Fires the events that are due and arms the timer for the next one. `now`: the clock as read
   * by the caller in the same turn (each read costs; they agree). Returns the time the state is
   * now up to date for: `now`, or, where listeners of an event it fired worked meanwhile, the
   * clock as read after them (a caller reading the state goes on from there, with no read of its
   * own; nested in an update under way, `now`).
   *
   * A listener of the events may do anything: send (a chunk sent asks for an update of its own),
   * interrupt, close. So one pass dispatches one event and the next reads the state again, rather
   * than go on with an utterance a listener has stopped already; an update asked for meanwhile is
   * one more pass of the update under way.
   */
  #update(now: number = this.#clock.now()): number {
    if (this.#updating) {
      this.#updateAgain = true;
      return now;
    }
    this.#updating = true;
    try {
      do {
        this.#updateAgain = false;
        this.#updatePass(now);
        if (!this.#updateAgain) break;
        this.afterDispatch?.(now);
        // The event's listeners may have worked a while: what fell due meanwhile fires now, in
        // this update, not at the next one (one clock read an event, none a chunk).
        now = this.#clock.now();
      } while (this.#updateAgain);
    } finally {
      this.#updating = false;
    }
    return now;
  }

  /** One pass of {@linkcode #update}: ends at the first event it dispatches, asking for another. */
  #updatePass(now: number): void {
    const heard = this.#heardPosition(now);
    const left = this.#leftPosition;
    let next = Infinity;
    this.#waitsForHeld = false;
    while (this.#utterances.length > 0) {
      const u = this.#utterances[0]!;
      if (!u.started) {
        if (this.#heldAt(u.start)) break; // it begins once the far end plays on
        // Its audio leaves behind a clear that waits: it begins once that clear's fate is known.
        const waits = this.#clearWaits; // none made: no clear ever waited
        if (waits !== undefined && u.start >= waits.from - EPSILON) break; // NaN: none waits now
        const startsAt = u.startPlaysAt + this.#lag;
        const reported = u.startReported === true;
        if (now < startsAt - EPSILON && !reported) {
          next = startsAt;
          break;
        }
        // Due by the estimate, but the packetizer holds all of it, or the far end all that left
        // of it (mod_audio_fork's pre-buffer, see `FarEndHold`; heard is bounded there too, see
        // `#heardPosition`): it begins once some leaves, or is let go. The far end's hold only
        // once an answer has measured its delay: before, the start goes by the estimate alone,
        // so that a caller talking over the greeting is a barge-in at once (see the session's
        // first mark, `PlaybackMarks`).
        const farEndHeld = this.#acknowledged ? (this.#farEndHold?.heldMs ?? 0) : 0;
        if (u.start >= left - farEndHeld - EPSILON) {
          this.#waitsForHeld = true;
          break;
        }
        // A far end that reports its playback says when it begins, about when the estimate says:
        // the lag is the one its last report measured. A report lost, the reply begins by the
        // estimate, START_REPORT_SLACK_MS late (not `playoutTimeoutMs`: deaf to a barge-in that
        // long, and its speakingstart as late); a report later than that still teaches the lag.
        const waitsUntil = u.startPlaysAt + Math.max(this.#lag, this.#heardLag) +
          START_REPORT_SLACK_MS;
        if (this.#awaitsStartReport(u) && now < waitsUntil - EPSILON) {
          next = waitsUntil;
          break;
        }
        this.#begin(u, heardOf(u, heard), reported);
        this.#updateAgain = true;
        return;
      }
      // Over once all of it has played and no more of it can come: a later response has begun,
      // or nothing more was queued for the quiet time. A bot that streams in real time runs the
      // queue dry between chunks; without the quiet time every late chunk would end the
      // response and the next begin it again.
      if (this.#utterances.length === 1 && !this.#drained && !this.#final) break;
      const settledAt = this.#utterances.length > 1 || this.#final
        ? -Infinity
        : this.#drainedAt + this.#quietMs;
      const end = u.end;
      if (end > left + EPSILON) {
        // Its last audio is held for a packet not yet whole: not played, nor late, before it left.
        this.#waitsForHeld = true;
        break;
      }
      // A far end that reports its playback says when the end of all that left has played (and
      // says nothing there if background audio followed it).
      const awaitsReport = this.#reports && end >= left - EPSILON && end > this.#filledAt + EPSILON;
      if (awaitsReport ? this.#reportedAt(end) : this.#isPlayed(end, now)) {
        if (now >= settledAt - EPSILON) {
          const acknowledged = this.acks ? this.#grounded : this.#reportedAt(end);
          this.#stop(u, "played", heard, acknowledged);
          this.#updateAgain = true;
          return;
        }
        next = settledAt;
        break;
      }
      // Held by the far end: it ends once it plays on (told, an update comes then).
      if (this.#heldAt(end)) break;
      const lateBy = this.#playoutTimeoutMs;
      const endsAt = u.endPlaysAt + Math.max(0, this.#heardLag);
      // No answer is to come for its end (see `PlaybackMarks.unmarked`), or from the far end at all
      // (`#answersStopped`): by the estimate, not late.
      const unmarked = this.acks && (this.#answersStopped || this.#marks.unmarked(end));
      const waitsForWord = (this.acks && !unmarked) || awaitsReport;
      // Past a mark before its end overdue (a far end that answers no more, or stalled that
      // long), heard runs on from it in real time (`#heardPosition`): over as that reaches its
      // end, not `playoutTimeoutMs` past it once more (each reply, the next one's start with it).
      const mark = this.acks ? this.#marks.oldest : undefined;
      const heardAt = mark !== undefined && mark.position < end - EPSILON
        ? this.#overdueAt(mark) + end - mark.position
        : Infinity;
      const waitsTo = waitsForWord ? Math.max(endsAt, Math.min(endsAt + lateBy, heardAt)) : endsAt;
      const stopsAt = Math.max(waitsTo, settledAt);
      if ((waitsForWord || unmarked) && now >= stopsAt) {
        // The acknowledgement is late beyond the bound, or none comes: go by the estimate.
        this.#stop(u, "played", heard, false);
        this.#updateAgain = true;
        return;
      }
      next = stopsAt;
      break;
    }
    if (this.#played.length > 0) next = Math.min(next, this.#settleWaiters(now));
    if (!this.#wantsEvents && this.#played.length === 0) {
      // Nobody to tell (no speaking listener, no waiter): no timer. The state is brought up to
      // date whenever it is asked for, and at every chunk.
      this.#disarmEvents();
    } else if (next === Infinity) {
      // Nothing due now. A timer still pending is left to fire and find nothing: a bot that
      // streams its reply drains the queue between chunks, and cancelling here only to arm again
      // at the next drain would cost a timer per chunk. end() and interrupt() cancel it.
    } else if (next !== this.#eventsDue || !this.#events.armed) {
      // The moment moved (on with every chunk while a response streams): follow it. The timer
      // may be up to TIMER_TOLERANCE_MS late, and on the system clock moving it later is a
      // number written, so it fires once, when the moment comes, not each time it moved.
      this.#events.arm(Math.max(0, next - now), now);
      this.#eventsDue = next;
    }
  }

  /** The events timer stops: nothing is due (see `#eventsDue`). */
  #disarmEvents(): void {
    this.#events.cancel();
    this.#eventsDue = Infinity;
  }

  /** Resolves the `played` waiters whose playout is done or whose bound passed; the next bound. */
  #settleWaiters(now: number): number {
    const playedAll = this.#isPlayed(this.#timeline.sentMs, now);
    // Without acknowledgements, the estimated end is when playout is done. Once it has passed
    // with playout still not done, what holds it back is no time but a word or a packet (a reply
    // waiting for the far end's `started` report, audio the packetizer holds): each looks again
    // as it comes, and the wait for it has a timer of its own (see `#updatePass`). A timer for
    // the end that passed would fire at once, find the same, and arm again, without end.
    const end = this.acks ? Infinity : this.#estimatedEnd(now);
    const estimatedEnd = end > now ? end : Infinity;
    let next = Infinity;
    // In place: this runs at every update while an `end` waits. (Resolving runs nothing now,
    // the waits go on in microtasks: the list is not touched meanwhile.)
    const waiters = this.#played;
    let kept = 0;
    for (const waiter of waiters) {
      if (playedAll || now >= waiter.deadline) {
        waiter.resolve();
        continue;
      }
      next = Math.min(next, waiter.deadline, estimatedEnd);
      waiters[kept++] = waiter;
    }
    waiters.length = kept;
    return next;
  }

  /** Someone listens for speaking events: keep the timer that fires them on time. */
  wantEvents(): void {
    if (this.#wantsEvents) return;
    this.#wantsEvents = true;
    this.#update();
  }

  #stop(u: Utterance, reason: SpeakingStopReason, heard: number, acknowledged: boolean): void {
    this.#utterances.shift();
    if (!u.started) {
      // Never audible: `state` goes on naming the one before it. Still, what is stopped so was
      // cut off: that one can no longer be resumed (see chunkSent).
      this.#lastPlayedOut = false;
      this.#lastByEstimate = false;
      return;
    }
    this.#last = u;
    this.#lastHeardMs = heardOf(u, heard);
    this.#lastPlayedOut = reason === "played";
    this.#lastByEstimate = this.#lastPlayedOut && this.acks && !acknowledged;
    this.#lastReported = this.#reports && acknowledged;
    this.#dispatch(
      new SpeakingEvent("speakingstop", {
        responseId: u.id,
        heardMs: heardOf(u, heard),
        sentMs: u.priorMs + u.sentMs,
        acknowledged,
        reason,
      }),
    );
  }

  /**
   * Stops every utterance there when it began (up to serial `through`): one a listener of these
   * stops sends is a new response, and plays as any other. `playsOn`: the far end was not cleared
   * and plays all it was sent, so one not begun yet is heard too: it begins here, before its stop,
   * rather than stop unseen (its sound follows within `sendAheadMs` and the far end's delay, like
   * the rest of the one playing, whose stop comes here too).
   *
   * As in {@linkcode #update}, a listener may do anything: after each event the first utterance
   * is read again (one the listener stopped is not stopped twice), and an update asked for
   * meanwhile (`state` read, a chunk sent) waits until these stops are through: run then, it
   * would begin, or stop as played, the utterances still owed a stop here.
   */
  #stopAll(
    reason: SpeakingStopReason,
    heard: number,
    playsOn = false,
    through = this.#serial,
    acknowledged = !playsOn && this.#grounded,
  ): void {
    // Inside an update (or another stop of all), the one under way looks again once through.
    const nested = this.#updating;
    this.#updating = true;
    try {
      for (;;) {
        const u = this.#utterances[0];
        // Sent from a listener of these events: a new response, which plays as any other.
        if (u === undefined || u.serial > through) break;
        if (playsOn && !u.started && u.sentMs > EPSILON) {
          this.#begin(u, u.priorMs);
          continue; // its listener may have stopped it (interrupt, close): look again
        }
        // Heard in full by assumption, not by acknowledgement (as the interruption's result says).
        this.#stop(u, reason, heard, acknowledged);
      }
    } finally {
      this.#updating = nested;
    }
    if (nested) this.#updateAgain = true;
    else if (this.#updateAgain) this.#update();
  }

  /** What the packetizer holds (past `left`) is dropped with the rest: it was never sent. */
  #trimToLeft(left: number): void {
    for (const u of this.#utterances) {
      if (u.end <= left + EPSILON) continue; // all of it left
      u.end = Math.max(u.start, left);
      u.sentMs = ownMsTo(u, u.end);
    }
  }

  /**
   * Utterance `u` begins to play, `heardMs` of it heard: "speakingstart"; `acknowledged`: on the
   * far end's word (its `started` report).
   */
  #begin(u: Utterance, heardMs: number, acknowledged = false): void {
    u.started = true;
    this.#dispatch(
      new SpeakingEvent("speakingstart", {
        responseId: u.id,
        heardMs,
        sentMs: sentOf(u, this.#leftPosition),
        acknowledged,
      }),
    );
  }
}
