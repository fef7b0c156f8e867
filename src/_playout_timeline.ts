/**
 * One timeline per session for outbound audio: when each chunk may leave (the pacing deadline)
 * and when it plays at the far end. Audio is placed by its position — milliseconds of audio sent
 * since the session began — so "how much has played by now" is one subtraction, and everything
 * built on playback (what the caller heard, when the bot is audible) reads it from here.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { Pacer } from "./streams/pacer.ts";

/**
 * How many spells before the current one are kept, for {@linkcode PlayoutTimeline.playedAt} at
 * times before the current one began: the tracker asks about the far end's delay ago, and a bot
 * that streams a little slower than real time begins a spell every piece (100 ms pieces, a far end
 * 300 ms behind: three spells back). 32 covers a second of delay at one spell every 30 ms; a time
 * older than that reads as the start of the oldest kept (an overstatement that marks still bound).
 */
const PAST_SPELLS = 32;

/** Options for {@linkcode PlayoutTimeline}. */
export interface PlayoutTimelineOptions {
  /** How far ahead of its playing time a chunk may leave, in milliseconds. */
  sendAheadMs: number;
  /** The time source. */
  clock: Clock;
}

/**
 * The pacing schedule and the far end's playout, estimated. The far end plays audio back to back
 * from the moment the first chunk after an idle spell reaches it (the anchor), so within such a
 * spell, position p plays at `anchor + (p − position at the anchor)`; a new spell begins only
 * once everything before it has played, or after a cut (an interruption cleared the far end).
 */
export class PlayoutTimeline {
  readonly #clock: Clock;
  readonly #pacer: Pacer;
  readonly #sendAheadMs: number;
  /** Milliseconds of audio sent since the session began. */
  #sentMs = 0;
  /** The position that began the current spell, and when it plays; NaN when idle or cut. */
  #spellStart = 0;
  #spellAnchor = NaN;
  /**
   * The spells before it since the last cut, as a ring, oldest overwritten: each one's start (at
   * 2i) and anchor (at 2i + 1; a spell ends where the next one starts). One fixed array, made
   * when the first spell ends: nothing is allocated per spell, and a session whose audio never
   * paused (or that sent none) holds none of its 0.5 KB and the typed array's own objects.
   */
  #past: Float64Array | undefined;
  #pastCount = 0;
  /** Where the next past spell is written in the ring. */
  #pastNext = 0;
  /** The chunk reserved but not yet sent: its duration, when it plays, when it may leave. */
  #pendingMs = 0;
  #pendingPlaysAt = NaN;
  #pendingDeadline = NaN;
  /** Whether it plays right after the current spell's audio (else it begins a new spell). */
  #pendingContinues = false;
  /** When it starts to play as placed here: in its spell, or as the start of a new one. */
  #pendingStartsAt = NaN;
  /** The chunk committed last: its position and its pacing deadline. */
  #lastPosition = 0;
  #lastDeadline = NaN;
  /**
   * While the far end holds its playout (see {@linkcode holdAt}): the position past which no
   * chunk may begin, `sendAheadMs` past the one it holds at (and a rounding over). Infinity while
   * it plays, so that asking the pacing costs a chunk one comparison and nothing more.
   */
  #holdCap = Infinity;
  /** When the hold on the pacing began; NaN: none. */
  #heldSince = NaN;

  /** Makes an empty timeline. */
  constructor(options: PlayoutTimelineOptions) {
    this.#clock = options.clock;
    this.#sendAheadMs = options.sendAheadMs;
    this.#pacer = new Pacer({ sendAheadMs: options.sendAheadMs, clock: options.clock });
  }

  /** Milliseconds of audio sent since the session began. */
  get sentMs(): number {
    return this.#sentMs;
  }

  /**
   * Reserves the next slot for a chunk that plays for `durationMs`; returns how many
   * milliseconds to wait before it may leave (0: now). Call {@linkcode commit} once it has left.
   * `now`: the clock as the caller read it in the same turn; `dueAt`: when a chunk the caller held
   * back on purpose was due (its lateness is counted from there); `queuedAt`: when the chunk was
   * written, where the caller knows it (it is not due before: see below). Infinity, nothing
   * reserved: the far end holds its playout, and this chunk waits for it to play on (see
   * {@linkcode holdAt}).
   */
  reserve(
    durationMs: number,
    now: number = this.#clock.now(),
    dueAt?: number,
    queuedAt?: number,
  ): number {
    // Past what the far end's hold lets leave: nothing reserved, no wait the pacer could name.
    if (this.#sentMs > this.#holdCap) return Infinity;
    const wait = this.#pacer.reserve(durationMs, now);
    const playsAt = this.#pacer.playsAt;
    // Whether the pacer went on with its timeline is read from its own answer, not by comparing
    // when the chunk plays with the end of the spell as placed here (`placed`): the pacer sums the
    // durations from its anchor, this timeline onto the session's position, and at a position of
    // millions of milliseconds each addition rounds differently, so the two drift apart by more
    // than any fixed tolerance (a spell that went on read as a new one every few seconds, an hour
    // in).
    // The pacer begins a new timeline only once the far end would have played all it was sent,
    // and then places the chunk at `now` itself; a slot of the timeline it went on with plays at
    // `now` or later. So a chunk placed after `now` goes on; one placed at `now` exactly begins a
    // new spell, unless the spell here ends at `now` too (the far end runs dry at this very
    // moment: either reading places the chunk at the same time, and the spell goes on, as the
    // pacer's does). A spell placed later than the pacer's schedule (a chunk left after its slot
    // began: see `commit`) goes on while the far end plays it by this estimate, the pacer's
    // timeline over or not.
    const placed = this.#spellAnchor + (this.#sentMs - this.#spellStart); // NaN: no spell
    const continues = !Number.isNaN(placed) &&
      (playsAt > now || placed > now || Math.abs(playsAt - placed) < 1e-6);
    this.#pendingMs = durationMs;
    this.#pendingPlaysAt = playsAt;
    this.#pendingContinues = continues;
    this.#pendingStartsAt = continues ? placed : playsAt;
    // Due by the schedule (sendAheadMs before it plays, not before its spell began), even when
    // it is reserved later than that because the sender ran late; a new spell is due now. A chunk
    // the pump held back on purpose (the end of an utterance) was due when the pump let it go.
    // Before it plays as placed here (as `playsAt` says), not by the pacer's sum: a recorder
    // that follows a spell by its chunks' positions from its first deadline finds each chunk
    // due where its position says, a rounding or two apart at most in a call of any length.
    // A chunk written after its slot began (a source that writes in real time, a frame at a
    // time, as it speaks) could not leave before it was written: it is due then, not late by
    // the time its source took (lateness is the sender's own delay, not the source's).
    const slotDeadline = continues
      ? Math.max(this.#spellAnchor, placed - this.#sendAheadMs)
      : now + wait;
    this.#pendingDeadline = dueAt !== undefined
      ? dueAt
      : queuedAt !== undefined && queuedAt > slotDeadline
      ? queuedAt
      : slotDeadline;
    return wait;
  }

  /**
   * How long a chunk of `durationMs` reserved now would wait, without reserving it (`now`: as in
   * {@linkcode reserve}; Infinity as there).
   */
  waitFor(durationMs: number, now?: number): number {
    if (this.#sentMs > this.#holdCap) return Infinity;
    return this.#pacer.peek(durationMs, now);
  }

  /**
   * The far end holds its playout at `position` from `now` (Asterisk's `PAUSE_MEDIA`): it plays
   * nothing and queues what it is sent. What it can take without its queue growing by the hold
   * is what a far end that plays leads by: until it plays on ({@linkcode resumeFrom}) or the
   * hold's bound gives up on it ({@linkcode endHold}), no chunk that begins more than
   * `sendAheadMs` past `position` may leave — {@linkcode reserve} and {@linkcode waitFor} answer
   * Infinity for it, reserving nothing — where the pacer, which knows nothing of the hold, would
   * send on as though the far end played, and leave it holding the hold's length more at its end.
   */
  holdAt(position: number, now: number): void {
    this.#holdCap = position + this.#sendAheadMs + 1e-6;
    this.#heldSince = now;
  }

  /**
   * The hold on the pacing is over (see {@linkcode holdAt}): the far end plays on, or the hold
   * outlasted its bound and sending goes on, paced as though it played.
   */
  endHold(): void {
    this.#holdCap = Infinity;
    this.#heldSince = NaN;
  }

  /** When the hold on the pacing began (see {@linkcode holdAt}); NaN: there is none. */
  get heldSince(): number {
    return this.#heldSince;
  }

  /** The position of the chunk committed last. */
  get lastPosition(): number {
    return this.#lastPosition;
  }

  /** When the chunk committed last was due to leave. */
  get lastDeadline(): number {
    return this.#lastDeadline;
  }

  /** Whether a chunk's slot is reserved, not yet committed (see {@linkcode commit}). */
  get reserving(): boolean {
    return this.#pendingMs > 0;
  }

  /**
   * The chunk reserved last has left: place it on the timeline. `now`: the clock as the caller
   * read it in the same turn, if it did. A chunk that left after its slot began (its pacing timer
   * fired late: the event loop stalled) found the far end run dry, by this estimate, and plays as
   * it arrives: it begins a new spell, now (see {@linkcode #placeAt}).
   */
  commit(now?: number): void {
    if (now !== undefined && this.#pendingStartsAt < now) this.#placeAt(now); // NaN: false
    // A new spell: everything before has played (or was cut), or it left late.
    if (!this.#pendingContinues) {
      if (!Number.isNaN(this.#spellAnchor)) this.#keepSpell();
      this.#spellStart = this.#sentMs;
      this.#spellAnchor = this.#pendingPlaysAt;
    }
    this.#lastPosition = this.#sentMs;
    this.#lastDeadline = this.#pendingDeadline;
    this.#sentMs += this.#pendingMs;
    this.#pendingMs = 0;
    this.#pendingPlaysAt = NaN;
    this.#pendingStartsAt = NaN;
  }

  /**
   * `durationMs` of audio left now, outside the pacing and with no slot reserved for it: the
   * silence a serializer padded a stretch's last frame with, sent with that frame. It is placed
   * where it plays: after what was sent, in the spell that goes on, or from `now`, a new spell,
   * where by the estimate the far end has run dry; the pacing schedule follows it, as the far
   * end plays it before the next audio. Call it with nothing reserved (a reserved chunk's slot
   * would move): the pump reserves a slot only for the chunk at the head of its queue, and places
   * such audio with its queue empty or from its run past that chunk, never while one waits.
   */
  append(durationMs: number, now: number): void {
    if (!(durationMs > 0) || this.#pendingMs > 0) return;
    // It has left, hold or not: placed past the hold's cap too. Lifted around the call here (a
    // cold path) rather than by a second way into `reserve`, which would cost every chunk a call.
    const cap = this.#holdCap;
    this.#holdCap = Infinity;
    this.reserve(durationMs, now);
    this.#holdCap = cap;
    this.commit(now);
  }

  /**
   * The chunk reserved, not yet committed, plays from `now`, a new spell. The pacing schedule
   * starts over from it only where the pacer's own rule would start it over for the next chunk:
   * the far end, by that schedule, has played all it was sent, this chunk's slot included. Short
   * of that the schedule is kept, and the far end holds what it is sent that much longer: a late
   * timer's lateness must not add up, chunk after chunk, with a lead shorter than it (no drift).
   */
  #placeAt(now: number): void {
    if (this.#pendingPlaysAt + this.#pendingMs < now) {
      this.#pacer.reset();
      this.#pacer.reserve(this.#pendingMs, now);
    }
    this.#pendingPlaysAt = now;
    this.#pendingDeadline = now; // a new spell's first chunk is due when it may leave
    this.#pendingContinues = false;
  }

  /**
   * Everything sent from position `from` on left no earlier than `now`: the turn that sent it ran
   * user code after (a listener's or an observer's synchronous work), and a socket sends only once
   * the turn ends. If `from` was placed to play before `now`, the far end, by this estimate, ran
   * dry before it and plays it as it arrives: from `from` on, a new spell, from `now` (the pacing
   * schedule starts over where `commit` would start it over). Returns the position the new spell
   * begins at, or NaN when nothing moved. Call it with nothing reserved.
   */
  replaceFrom(from: number, now: number): number {
    if (this.#pendingMs > 0) return NaN; // a slot after it was reserved by a reading before
    // What a new spell began in this turn plays from where that spell was placed, at the earliest.
    if (from < this.#spellStart) from = this.#spellStart;
    const startsAt = this.playsAt(from);
    if (!(startsAt < now)) return NaN; // NaN: cut, nothing playing to be late for
    const durationMs = this.#sentMs - from;
    if (!(durationMs > 0)) return NaN;
    if (from > this.#spellStart) {
      this.#keepSpell();
      this.#spellStart = from;
    }
    this.#spellAnchor = now; // what follows goes on with the spell placed here
    if (startsAt + durationMs < now) {
      this.#pacer.reset();
      this.#pacer.reserve(durationMs, now);
    }
    return from;
  }

  /**
   * The audio from position `from` on, held back for a packet not yet whole (placed with its
   * chunk, to play from that chunk's slot), left `now`, with all sent after it: placed anew as
   * {@linkcode replaceFrom} places a turn that ran long. Held since before the current spell
   * began (a chunk that began it found the far end run dry, by this estimate, with audio of
   * the spell before still held), it goes with that spell, which begins at `from` then: the
   * far end ran dry before it, not before that chunk. Returns the position placed anew from,
   * or NaN when nothing moved. Call it with nothing reserved.
   */
  heldLeft(from: number, now: number): number {
    const joins = from < this.#spellStart && this.#pendingMs === 0 &&
      !Number.isNaN(this.#spellAnchor);
    if (joins) {
      // The kept spells from `from` on never played as placed: the spell before ends at `from`.
      this.#forgetSpellsFrom(from);
      this.#spellStart = from; // from its anchor: when that chunk began it, the far end dry
    }
    const moved = this.replaceFrom(from, now);
    return joins ? from : moved;
  }

  /**
   * The far end played nothing of what was sent from position `from` on for a while (it held its
   * playout: Asterisk's `PAUSE_MEDIA`, kept until `CONTINUE_MEDIA`), and plays it from `at` on:
   * all of it one spell from there, the spells placed after `from` forgotten (none of them played
   * as placed), and the pacing schedule moved with it, so that what is sent next leads the far
   * end's real playout by `sendAheadMs` again rather than by that plus the hold. A chunk reserved
   * meanwhile goes on after it. Nothing moves where nothing was sent from `from` on. The hold on
   * the pacing ({@linkcode holdAt}) ends.
   */
  resumeFrom(from: number, at: number): void {
    this.endHold();
    const durationMs = this.#sentMs - from;
    if (!(durationMs > 0) || !Number.isFinite(at)) return;
    if (from > this.#spellStart && !Number.isNaN(this.#spellAnchor)) this.#keepSpell();
    this.#forgetSpellsFrom(from);
    this.#spellStart = from;
    this.#spellAnchor = at;
    this.#pacer.reset();
    this.#pacer.reserve(durationMs + this.#pendingMs, at);
    if (this.#pendingMs > 0) {
      this.#pendingPlaysAt = this.#pendingStartsAt = at + durationMs;
      this.#pendingContinues = true;
    }
  }

  /**
   * The position played by `time` (estimated): a point between 0 and {@linkcode sentMs}. A time
   * before the current spell began falls in the spell that was playing then: the far end's delay
   * ago, audio sent before a pause may not have played yet.
   */
  playedAt(time: number): number {
    if (Number.isNaN(this.#spellAnchor)) return this.#sentMs;
    if (time < this.#spellAnchor && this.#pastCount > 0) return this.#playedBefore(time);
    const played = this.#spellStart + Math.max(0, time - this.#spellAnchor);
    return played < this.#sentMs ? played : this.#sentMs;
  }

  /** {@linkcode playedAt} for a time before the current spell: in the kept spells, newest first. */
  #playedBefore(time: number): number {
    let end = this.#spellStart;
    const past = this.#past!;
    let i = this.#pastNext;
    for (let n = 0; n < this.#pastCount; n++) {
      i = i === 0 ? PAST_SPELLS - 1 : i - 1;
      const start = past[2 * i]!;
      const anchor = past[2 * i + 1]!;
      if (time >= anchor) {
        const played = start + (time - anchor);
        return played < end ? played : end;
      }
      end = start;
    }
    return end; // older than every kept spell: the oldest one's start
  }

  /** The kept spells that begin at `from` or later never played as placed: forgotten. */
  #forgetSpellsFrom(from: number): void {
    while (this.#pastCount > 0) {
      const newest = this.#pastNext === 0 ? PAST_SPELLS - 1 : this.#pastNext - 1;
      if (this.#past![2 * newest]! < from) break;
      this.#pastNext = newest;
      this.#pastCount--;
    }
  }

  /** The current spell is over (a new one begins): keep it for {@linkcode playedAt}. */
  #keepSpell(): void {
    const past = this.#past ??= new Float64Array(2 * PAST_SPELLS);
    past[2 * this.#pastNext] = this.#spellStart;
    past[2 * this.#pastNext + 1] = this.#spellAnchor;
    this.#pastNext = (this.#pastNext + 1) % PAST_SPELLS;
    if (this.#pastCount < PAST_SPELLS) this.#pastCount++;
  }

  /** When position `position` (within the current spell) plays; NaN when nothing is playing. */
  playsAt(position: number): number {
    return this.#spellAnchor + (position - this.#spellStart);
  }

  /** Milliseconds of sent audio the far end has not played yet. */
  get unplayedMs(): number {
    return this.#sentMs - this.playedAt(this.#clock.now());
  }

  /**
   * The chunk reserved last will not leave after all (dropped by an interruption the far end
   * cannot hear of, so what was sent plays on): its slot goes to the next chunk.
   */
  release(): void {
    if (this.#pendingMs === 0) return;
    this.#pacer.release(this.#pendingMs);
    this.#pendingMs = 0;
    this.#pendingPlaysAt = NaN;
    this.#pendingStartsAt = NaN;
  }

  /**
   * The last `durationMs` committed never left after all (a packet not yet whole, dropped by an
   * interruption the far end cannot hear of, so what left before it plays on): they come off the
   * end of what was sent, and the next chunk takes their place rather than follow a hole.
   */
  retract(durationMs: number): void {
    if (!(durationMs > 0)) return;
    this.#pacer.release(durationMs);
    this.#sentMs = Math.max(0, this.#sentMs - durationMs);
    // A spell all of whose audio was held begins where it would have: nothing of it was sent.
    if (this.#spellStart > this.#sentMs) this.#spellStart = this.#sentMs;
  }

  /**
   * The far end's audio was cleared at `now` by a clear that left after its cut
   * (`ClearWaits`: an earlier one's "none" had placed what it was sent as playing on): as
   * {@linkcode cut}, but a chunk reserved meanwhile, waiting behind the clear, is kept (cut
   * drops it: its commit would add nothing, and the timeline lose its audio); it plays from when
   * it leaves, a new spell, from `now` at the earliest. Only on that rare path.
   */
  cutBehind(now: number): void {
    const pendingMs = this.#pendingMs;
    this.cut();
    if (!(pendingMs > 0)) return;
    this.#pendingMs = pendingMs;
    this.#pacer.reserve(pendingMs, now);
    this.#pendingPlaysAt = this.#pendingStartsAt = this.#pendingDeadline = now;
    this.#pendingContinues = false;
  }

  /** The far end's audio was cleared now: nothing sent before plays any more. */
  cut(): void {
    // A clear does not end a hold (chan_websocket's FLUSH_MEDIA leaves its queue paused): the
    // far end holds at the end of what was sent, with nothing queued.
    if (this.#holdCap !== Infinity) this.#holdCap = this.#sentMs + this.#sendAheadMs + 1e-6;
    this.#pacer.reset();
    this.#spellStart = this.#sentMs;
    this.#spellAnchor = NaN;
    // Nothing sent before plays now: no time before the next spell finds any of it unplayed.
    this.#pastCount = 0;
    this.#pendingMs = 0;
    this.#pendingPlaysAt = NaN;
    this.#pendingStartsAt = NaN;
  }
}
