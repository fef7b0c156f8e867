/**
 * The bot's side of a recording: outbound audio placed where the far end played it.
 *
 * @module
 */

import type { AudioFrame } from "../frames.ts";
import type { OutboundAudioInfo } from "../session_observer.ts";
import type { RecordingTimeline } from "./_caller_track.ts";
import type { SampleRing } from "./_sample_ring.ts";
import { chunkPart, KeptChunks } from "./_kept_chunks.ts";
import { heldFrom, TrackSegment } from "./_track_segment.ts";

/** Positions closer than this are the same (sums of float chunk durations). */
const EPSILON = 1e-6;
/**
 * A replay of the audio before a gap writes over this much of its end (ms): the samples its
 * resampler's output held back there (its delay, at most 2.3 ms), all the gap changes.
 */
const REWRITE_MS = 3;
/**
 * Audio a far end holds is kept this far (ms) ahead of what is written out next (see
 * `BotTrack.hold`): moved once a second, not at every write-out.
 */
const HELD_STEP_MS = 1000;

/**
 * A spell: audio the far end plays back to back, from a chunk sent after it had played
 * everything before (or after an interruption cleared it) to the next such chunk.
 */
interface Spell {
  /** Where its first chunk plays by pacing alone, before the far end's lag (its deadline). */
  origin: number;
  /** Its first chunk's position on the outbound timeline, and where its audio ends so far. */
  position: number;
  endPosition: number;
  /** The far end's lag its placement uses (ms). */
  lag: number;
  /**
   * The lag last told for it (ms): its placement's, or, once it is written out and the lag
   * shrank, the smaller one it did not move for (what a later change is counted from).
   */
  told: number;
  /** The sample index where it starts in the recording. */
  start: number;
  /** It starts no earlier than this sample: the end of the audio before it, or the cut. */
  floor: number;
}

/**
 * Places outbound chunks where the far end played them. Within a spell the far end plays chunks
 * back to back, so the spell is laid out as one stretch; its place is `playsAt` (the pacing
 * estimate plus the lag the transport learns from acknowledgements). When the lag estimate
 * changes — the first acknowledgement teaches it — the whole spell moves while none of it is
 * written out yet, never onto the audio before it; once its start is written out it stays, and
 * the rest goes on end to end, as the caller heard it, unless the lag grows by more than a chunk
 * (a stall, heard as a gap: the rest moves later by as much). The change is taken from the next
 * chunk of the spell, or from the transport's word of it ({@linkcode relag}) for spells that all
 * left before the acknowledgement came (a short greeting; a large `sendAheadMs`), which no chunk
 * would move. An interruption silences the spell from the heard position on; what comes after
 * starts a new spell.
 */
export class BotTrack {
  readonly #ring: SampleRing;
  readonly #rate: number;
  readonly #timeline: RecordingTimeline;
  readonly #segment: TrackSegment;
  /** Spells whose audio is not all written out; the current one last. */
  #spells: Spell[] = [];
  /** The next chunk starts a new spell (at first, and after an interruption). */
  #fresh = true;
  /** A new spell starts no earlier than this sample (the end of the last, or the cut). */
  #floor = 0;
  /**
   * Samples a move lost: the ring wrote out their place to make room for them, or they were
   * written out before the move was told (see {@linkcode moved}); and those not recorded past
   * the bound of a hold (see {@linkcode hold}).
   */
  #moved = 0;
  /** The longest chunk seen: the transport's chunk length. */
  #chunkMs = 0;
  /** The last chunks, to replay where their places change (see {@linkcode #rerender}). */
  readonly #kept: KeptChunks;
  /**
   * The position of a move told at the end of the audio placed so far (NaN: none): the chunk
   * told next from there plays after a gap, a spell of its own (see {@linkcode moved}).
   */
  #movedAt = NaN;
  /**
   * The far end holds its playout from this position on (NaN: it plays): the audio from there is
   * kept ahead of the write-out until it plays on (see {@linkcode hold}).
   */
  #heldFrom = NaN;
  /**
   * The audio held was moved ahead of the write-out (see {@linkcode #keepHeldAhead}): the next
   * move may place it earlier than it lies, where it played, no earlier than what is written out.
   */
  #keptAhead = false;
  /** The most audio held back for a hold, in samples (see {@linkcode hold}). */
  readonly #maxHeld: number;

  /**
   * The bot's track in `ring` at `rate`, for a recording that holds its audio `holdMs`, and
   * holds back at most `maxHeldMs` of it for a far end that holds its playout.
   */
  constructor(
    ring: SampleRing,
    rate: number,
    timeline: RecordingTimeline,
    holdMs: number,
    maxHeldMs: number,
  ) {
    this.#ring = ring;
    this.#rate = rate;
    this.#timeline = timeline;
    this.#segment = new TrackSegment(ring, rate, "bot");
    this.#kept = new KeptChunks(rate, holdMs);
    this.#maxHeld = Math.round(maxHeldMs * rate / 1000);
  }

  /**
   * The far end holds its playout from `position` on (Asterisk's `PAUSE_MEDIA`:
   * `SessionObserver.playoutHeld`): none of that audio plays until it plays on, whatever its
   * place by the estimate, which runs on through the pause. It is kept ahead of the write-out
   * (see {@linkcode settle}), silence written in its place, until the move at the far end's
   * `CONTINUE_MEDIA` places it where it played. Told only as the pause ended, the caller's audio
   * meanwhile wrote it out where the estimate had it: inside the silence the caller heard.
   *
   * Bounded: the transport sends no more than `sendAheadMs` past `position` while the far end
   * holds, until its hold's bound (`sendTimeoutMs`) gives up on it and sends on, into the queue
   * held. A reply that goes on into an hour's pause would have the track hold all of it: past
   * `maxHeldMs` held, the chunks that come are not recorded, counted late (the far end plays them
   * after what is held, if it keeps them at all: Asterisk drops what overflows its queue).
   */
  hold(position: number): void {
    this.#heldFrom = position;
  }

  /** The far end plays on (see {@linkcode hold}): the move told next places what it held. */
  playsOn(): void {
    this.#heldFrom = NaN;
  }

  /** Samples skipped because their place was written out already. */
  get late(): number {
    return this.#segment.late + this.#moved;
  }

  /** Places a chunk that left with `info`. */
  push(chunk: AudioFrame, info: OutboundAudioInfo): void {
    const playsAt = Number.isFinite(info.playsAt) ? info.playsAt : info.sentAt;
    let spell = this.#spells.at(-1);
    const origin = spell === undefined ? NaN : spell.origin + (info.position - spell.position);
    // The pacer begins a new spell (deadline = now) only once everything before has played by
    // its estimate; a chunk of the same spell is never due after its place in it, unless it was
    // written after its slot began (a source writing in real time): it is due when written then.
    // Counted from a spell's first chunk that holds; but a recorder added mid-reply starts its
    // first spell at a chunk whose own deadline may be that write time or its slot, so a later
    // chunk written a little later in its slot looked due past its place, and began a new spell
    // in the middle of continuous audio: its resampler restarted there, a click in the recording
    // (a 1 kHz tone out by 7 % of its level at each such chunk). A chunk the far end plays right
    // where the spell lays it (`playsAt`, whatever its deadline) goes on with the spell.
    // A move told at its position (see `moved`) says where it plays, its deadline aside: it goes
    // on with the spell only where the spell lays it, and after a gap otherwise.
    const movedHere = Math.abs(info.position - this.#movedAt) < EPSILON;
    this.#movedAt = NaN;
    // Held by the far end (see `hold`): its `playsAt` is the estimate as though the far end
    // played, not where it plays. Back to back with what it holds, it goes on with that, where it
    // is kept; followed, it pulled the held audio back to its estimate, written out in the pause.
    // Past the bound of what is held, it is not recorded (see `hold`).
    const held = info.position > this.#heldFrom - EPSILON; // NaN: false
    if (held && this.#heldLength() >= this.#maxHeld) {
      this.#moved += Math.round(info.durationMs * this.#rate / 1000);
      return;
    }
    const followsOn = spell !== undefined && !this.#fresh &&
      Math.abs(info.position - spell.endPosition) < EPSILON;
    const continues = followsOn && (held ||
      (!movedHere && !(info.deadline > origin + EPSILON)) ||
      Math.abs(this.#timeline.sampleAt(playsAt) - this.#sampleOf(spell!, info.position)) <= 1);
    if (!continues) {
      this.#segment.end();
      this.#floor = Math.max(this.#floor, this.#ring.end);
      spell = {
        origin: info.deadline,
        position: info.position,
        endPosition: info.position,
        lag: playsAt - info.deadline,
        told: playsAt - info.deadline,
        start: Math.max(this.#timeline.sampleAt(playsAt), this.#floor),
        floor: this.#floor,
      };
      this.#spells.push(spell);
      this.#fresh = false;
      this.#segment.start(spell.start);
    } else {
      // The chunks' length, not this chunk's: a reply's shorter last chunk must not make a lag
      // change smaller than a chunk worth moving what was written (a gap inside the speech).
      this.#chunkMs = Math.max(this.#chunkMs, info.durationMs);
      if (!held) this.#follow(this.#spells.length - 1, playsAt - origin, info.sentAt);
      if (!this.#segment.open) this.#segment.start(this.#sampleOf(spell!, info.position));
    }
    const taken = this.#segment.push(chunk);
    spell!.endPosition = info.position + info.durationMs;
    this.#kept.keep(chunk, info.position, info.durationMs, taken);
  }

  /**
   * Where the audio held from `#heldFrom` on begins in the ring (a sample), and the position it
   * begins at (`#heldFrom`, or a later spell's first, after a gap); undefined where none is placed.
   */
  #heldStart(): { sample: number; position: number } | undefined {
    const from = this.#heldFrom;
    const spell = this.#spells.find((s) => from < s.endPosition - EPSILON);
    if (spell === undefined) return undefined;
    if (from > spell.position + EPSILON) {
      return { sample: this.#sampleOf(spell, from), position: from };
    }
    return { sample: spell.start, position: spell.position };
  }

  /** How much audio is held (samples), from where it begins to the end of what is placed. */
  #heldLength(): number {
    const start = this.#heldStart();
    if (start === undefined) return 0;
    const last = this.#spells.at(-1)!;
    return this.#sampleOf(last, last.endPosition) - start.sample;
  }

  /**
   * The far end holds its playout (see {@linkcode hold}): once what is written out next (up to
   * sample `before`) would reach the audio it holds, that is moved later, to `HELD_STEP_MS` past
   * `before`, as a move would: none of it is written out while held, silence in its place, as the
   * caller heard. A step at a time, not a block (the audio held is copied at each: up to
   * `maxHeldMs` of it, past the transport's hold bound). As the far end plays on, the move places
   * it where it played: earlier than kept, too (see {@linkcode moved}).
   */
  #keepHeldAhead(before: number): void {
    const start = this.#heldStart();
    if (start === undefined || start.sample >= before) return;
    this.moved(start.position, this.#timeline.timeAt(before) + HELD_STEP_MS);
    this.#keptAhead = true;
  }

  /**
   * After a move: the audio from spell `first` on plays after a gap, and all after it back to
   * back (the move joined the spells a packet held together). Each of those spells had begun a
   * stretch of its own through the resampler, from silence, where the one before ended with the
   * filter's tail completed from silence: at each join a dip and a ring the caller never heard (at
   * 8 kHz, a burst near 4 kHz as loud as the speech). And a move that `splits` a spell shifted
   * its resampler's output as it was, across what is now a gap: the audio before it ended with
   * the start of what follows in its tail, and what follows began with the end of what was before
   * in its filter, not from silence. So the kept chunks are replayed: the audio before the gap to
   * its end (from where its stretch began, or from a warm-up: `KeptChunks.warmUpStart`), its
   * tail from silence; then all the moved audio as one stretch, from silence, which goes on with
   * the next chunk. Left as it is where the chunks are not kept, or where it is written out.
   */
  #rerender(first: number, splits: boolean): void {
    const spells = this.#spells;
    const spell = spells[first]!;
    for (let i = first + 1; i < spells.length; i++) {
      const before = spells[i - 1]!;
      if (spells[i]!.start !== this.#sampleOf(before, before.endPosition)) return; // overlaps
    }
    const at = this.#kept.replayStart(spell.position, spells.at(-1)!.endPosition);
    if (at < 0 || spell.start < this.#ring.base) return;
    if (splits) this.#rerenderEnd(spells[first - 1]!, spell.position);
    // The moved audio: one stretch from silence, from its first sample, or from the first chunk
    // kept of it where those before were let go (see `KeptChunks.replayStart`).
    const from = Math.max(spell.position, this.#kept.chunks[at]!.position);
    let holder = spells.length - 1; // the spell that holds it (they lie back to back now)
    while (holder > first && spells[holder]!.position > from + EPSILON) holder--;
    this.#segment.start(this.#sampleOf(spells[holder]!, from));
    for (const [i, chunk] of this.#kept.chunks.slice(at).entries()) {
      const head = i === 0 ? from - chunk.position : 0;
      if (head > EPSILON) {
        this.#segment.push(chunkPart(chunk, head, Infinity));
        chunk.taken = NaN; // its stretch begins part-way through it
      } else {
        chunk.taken = this.#segment.push(chunk.frame);
      }
    }
  }

  /**
   * Replays `spell` up to position `end` (its end, or where the caller stopped hearing it), so
   * that it ends there as a stretch does: with its tail completed from silence, not with the
   * audio after it (see {@linkcode #rerender}). Left as it is where the chunks are not kept.
   */
  #rerenderEnd(spell: Spell, end: number): void {
    const from = this.#kept.warmUpStart(end);
    if (from < 0) return;
    const chunks = this.#kept.chunks;
    const first = chunks[from]!;
    const endAt = this.#sampleOf(spell, end);
    const startAt = endAt - Math.round((end - first.position) * this.#rate / 1000);
    const writeFrom = Math.max(
      this.#ring.base,
      spell.start,
      endAt - Math.round(REWRITE_MS * this.#rate / 1000),
    );
    if (writeFrom >= endAt) return;
    this.#segment.start(startAt, { writeFrom, taken: first.taken });
    for (const chunk of chunks.slice(from)) {
      if (chunk.position > end - EPSILON) break;
      const whole = chunk.position + chunk.durationMs < end + EPSILON;
      this.#segment.push(whole ? chunk.frame : chunkPart(chunk, 0, end - chunk.position));
    }
    this.#segment.end();
  }

  /**
   * An acknowledgement at `at` moved the far end's lag by `changeMs`: every spell not all written
   * out was placed by the old estimate, and follows (as it would with a chunk of its own at the
   * new lag).
   */
  relag(changeMs: number, at: number): void {
    const base = this.#ring.base;
    // Targets first: moving a spell moves the audio after it, and the later spells with it.
    const targets = this.#spells.map((spell) => spell.told + changeMs);
    this.#spells.forEach((spell, i) => {
      if (this.#sampleOf(spell, spell.endPosition) > base) {
        this.#follow(i, targets[i]!, at);
      }
    });
  }

  /**
   * The audio sent from `position` on plays from clock time `playsAt`, later than it was placed:
   * the turn that sent it ran long, and the far end, run dry meanwhile, played it as it arrived
   * (`SessionObserver.playoutMoved`). It moves there, with all that follows it in the ring, a
   * spell of its own (what the spell had before `position` played where it is); the chunks that
   * follow are placed by their own `playsAt`, which says so already. What is written out stays
   * where it is, and what is not moves from there on.
   */
  moved(position: number, playsAt: number): void {
    const spells = this.#spells;
    const index = spells.findIndex((spell) => position < spell.endPosition - EPSILON);
    if (index < 0) {
      // None of it placed yet. At the end of the audio placed (work in the turn that sends the
      // next chunk), that chunk's deadline still reads as the spell going on, and its later
      // `playsAt` as a lag learned while none of it is written out: the spell moved whole,
      // the audio before the move with it, over the gap the caller heard. It starts a new spell.
      this.#movedAt = position;
      return;
    }
    const spell = spells[index]!;
    const splits = position > spell.position + EPSILON;
    const from = splits ? this.#sampleOf(spell, position) : spell.start;
    // The move may begin before the first chunk this was told of (the recorder was added part-way
    // through the turn that moved): that chunk plays where it follows `position`, back to back.
    const skipped = splits ? 0 : Math.max(0, spell.position - position);
    let samples = this.#timeline.sampleAt(playsAt + skipped) - from;
    // Audio kept ahead of the write-out through a hold (see `#keepHeldAhead`) may play earlier
    // than it lies: it moves back there, after the audio before it and what is written out.
    const aheadOfHold = this.#keptAhead;
    this.#keptAhead = false;
    if (aheadOfHold) samples = Math.max(samples, Math.max(spell.floor, this.#ring.base) - from);
    if (samples === 0 || (samples < 0 && !aheadOfHold)) return; // placed there (or later) already
    // What of it is written out already stays where the estimate put it, though the far end played
    // it later (a PAUSE_MEDIA longer than `holdMs` the recorder was told of only as it ended, by
    // this move, not as it began: see `hold`): heard at its new place, silence in the recording
    // there. Counted, as a move's losses are; uncounted, a recording with the reply's words inside
    // the caller's silence and missing after it claimed `lateMs` 0.
    const last = spells[spells.length - 1]!;
    const placedEnd = this.#sampleOf(last, last.endPosition);
    this.#moved += Math.max(0, Math.min(this.#ring.base, placedEnd) - from);
    this.#shift(Math.max(from, this.#ring.base), samples);
    const ms = samples * 1000 / this.#rate;
    let first = index;
    if (splits) {
      const offset = position - spell.position;
      spells.splice(index + 1, 0, {
        origin: spell.origin + offset,
        position,
        endPosition: spell.endPosition,
        lag: spell.lag,
        told: spell.told,
        start: from,
        floor: from, // after the audio before it, which stays
      });
      spell.endPosition = position;
      first = index + 1;
    }
    for (const [i, later] of spells.slice(first).entries()) {
      later.start += samples;
      // The audio before a later spell moved with it; what is before the first one did not.
      if (i > 0) later.floor += samples;
      later.lag += ms;
      later.told += ms;
    }
    this.#segment.shift(samples);
    for (let i = first + 1; i < spells.length; i++) this.#join(i);
    // The lags by the transport's word (from `playsAt` on, back to back), not by the samples
    // moved: those were rounded to the recording's grid (at `from`, at `playsAt`, at each join),
    // a sample or two off over a move and its joins. The next chunk read that as a lag change and
    // moved the spell by it (a hole at its join), and at two samples it began a spell of its own:
    // its resampler restarted inside continuous audio, a click the caller never heard.
    for (const later of spells.slice(first)) {
      const lag = playsAt + (later.position - position) - later.origin;
      later.told += lag - later.lag;
      later.lag = lag;
    }
    this.#rerender(first, splits);
  }

  /**
   * Spell `index` plays right after the one before it: what a move covers plays back to back
   * from its `playsAt` (`PlayoutMoveInfo`). Spells the estimate had apart (the source wrote a
   * chunk after the one before had played by it, while a packet held both: `fixedAudioPacketSize`)
   * left in one packet, and the far end played them as one; moved by as much as the first, the
   * gap between them stayed in the recording, silence the caller never heard, and the rest of the
   * reply as late. It closes, with the audio after it.
   */
  #join(index: number): void {
    const spells = this.#spells;
    const before = spells[index - 1]!;
    const gap = spells[index]!.start - this.#sampleOf(before, before.endPosition);
    if (gap <= 0) return;
    this.#shift(spells[index]!.start, -gap);
    const ms = gap * 1000 / this.#rate;
    for (const later of spells.slice(index)) {
      later.start -= gap;
      later.floor -= gap;
      later.lag -= ms;
      later.told -= ms;
    }
    this.#segment.shift(-gap);
  }

  /** An interruption: what the far end had not played at `heardPosition` is silenced. */
  cut(heardPosition: number): void {
    this.#segment.end();
    let cut: number | undefined;
    for (const spell of this.#spells) {
      if (heardPosition < spell.position + EPSILON) {
        cut = spell.start; // in the silence before this spell
        break;
      }
      if (heardPosition < spell.endPosition - EPSILON) {
        cut = this.#sampleOf(spell, heardPosition);
        // It ended there for the caller: not with the resampler's look at what was never heard.
        this.#rerenderEnd(spell, heardPosition);
        break;
      }
    }
    this.#fresh = true; // what comes next starts a spell (and a stretch) of its own
    this.#movedAt = NaN;
    this.#keptAhead = false;
    if (cut === undefined) {
      // All of it was heard (a clear that proved "none": the far end played on to the end of
      // what it had): nothing is erased, and the spells, the chunks kept and the floor stay as
      // they are, as at any gap. A later interruption may yet find the far end short of here (a
      // second clear, sent, dropping what it held: heard 170 after this one's 400); let go, its
      // cut found nothing to erase, the audio dropped stayed in the recording, and the next reply
      // went after it, where it never played.
      return;
    }
    // Told after the far end's clear, later than `holdMs` after the heard position (a slow clear,
    // a short hold), the audio from the cut on may be written out already: recorded though the
    // caller never heard it. Counted as a move's losses are; uncounted, the recording said
    // nothing of the reply heard past the interruption.
    this.#moved += this.#writtenFrom(cut);
    this.#ring.erase(cut);
    this.#floor = cut;
    this.#spells = [];
    this.#kept.clear();
  }

  /** Samples of the bot's audio placed from sample `from` on that are written out already. */
  #writtenFrom(from: number): number {
    const base = this.#ring.base;
    let written = 0;
    for (const spell of this.#spells) {
      const start = Math.max(spell.start, from);
      written += Math.max(0, Math.min(this.#sampleOf(spell, spell.endPosition), base) - start);
    }
    return written;
  }

  /** The session ended at clock time `at`: nothing after it was heard. */
  close(at: number): void {
    this.#segment.end();
    this.#ring.erase(this.#timeline.sampleAt(at));
  }

  /** The recording is over: the resampler and the spells are let go (only `late` is read after). */
  release(): void {
    this.#segment.release();
    this.#spells = [];
    this.#kept.clear();
  }

  /**
   * Forgets spells written out completely, and ends the open stretch if it ended before sample
   * `before` (the resampler's held-back samples are written before that point is committed).
   * Returns how far the track may be committed: `before`, or, where `before` falls among the
   * samples the open stretch's resampler still holds, the stretch's written end (see
   * {@linkcode heldFrom}).
   */
  settle(before: number): number {
    if (!Number.isNaN(this.#heldFrom)) this.#keepHeldAhead(before);
    const spells = this.#spells;
    while (spells.length > 1 && spells[1]!.start <= before) spells.shift();
    const current = spells.at(-1);
    if (current === undefined || !this.#segment.open) return before;
    const end = this.#sampleOf(current, current.endPosition);
    if (end <= before) {
      this.#segment.end();
      return before;
    }
    return heldFrom(this.#segment, before);
  }

  /**
   * Spell `index`'s lag estimate is now `lag`: move it while none of it is written out; after
   * that, only the rest, and only later (a stall). Its audio is moved with all that follows it in
   * the ring, so the later spells move by as much.
   */
  #follow(index: number, lag: number, at: number): void {
    const spell = this.#spells[index]!;
    const base = this.#ring.base;
    const change = lag - spell.lag;
    spell.told = lag;
    let from = spell.start;
    let samples: number;
    if (spell.start < base) {
      // Written out from its start on. A lag that shrinks says the far end played it sooner than
      // placed, back to back with what comes: the rest goes on where it is (moved earlier, it
      // would lie over what is written out and be lost; the spell keeps the lag it is placed by,
      // so a lag that comes back moves nothing). One that grows past that by more than a chunk is
      // a stall the caller heard as a gap: the rest moves later by as much, leaving it.
      if (change <= this.#chunkMs) return;
      // The gap goes where the far end stalled, as late as this knows: the audio it plays at
      // `at` (now, or when the acknowledgement came) was placed `change` earlier. What played
      // before that stays where it is.
      from = Math.max(base, spell.start, this.#timeline.sampleAt(at - change));
      samples = Math.round(change * this.#rate / 1000);
    } else {
      // Not before the audio played before it (the far end plays one spell after the other),
      // nor where the recording is written out: moved there, audio would be lost.
      samples = Math.max(
        Math.round(change * this.#rate / 1000),
        Math.max(spell.floor, base) - spell.start,
      );
    }
    if (samples === 0) return;
    this.#shift(from, samples);
    for (const [i, moved] of this.#spells.slice(index).entries()) {
      moved.start += samples;
      // The audio before a later spell moved with it; what is before this one did not.
      if (i > 0) moved.floor += samples;
      moved.lag += samples * 1000 / this.#rate;
      if (i > 0) moved.told += samples * 1000 / this.#rate;
    }
    this.#segment.shift(samples);
  }

  /**
   * Moves all the audio from sample `from` on by `samples` (later, or earlier), counting what
   * lands where the recording is written out already. Erased from the nearer of its old and new
   * starts: moved earlier, it closes the silence before it, and the ring's end falls back with
   * it. Erased from `from` alone, the end stayed there wherever the audio was shorter than the
   * move (a short reply when the first acknowledgement shrinks the lag; one chunk joined to a
   * packet's audio), and the next reply, laid no earlier than that end (its floor), began late
   * by the difference: silence the caller never heard, and the reply late.
   */
  #shift(from: number, samples: number): void {
    const audio = this.#ring.copy(from);
    this.#ring.erase(Math.min(from, from + samples));
    this.#moved += this.#ring.write(from + samples, audio);
  }

  /** The sample index where `position` of `spell` plays. */
  #sampleOf(spell: Spell, position: number): number {
    return spell.start + Math.round((position - spell.position) * this.#rate / 1000);
  }
}
