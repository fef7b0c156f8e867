/**
 * Underruns: the far end running dry in the middle of the bot's response, by the playout estimate.
 *
 * @module
 */

import type { OutboundAudioInfo, PlayoutHoldInfo, PlayoutMoveInfo } from "../session_observer.ts";

/**
 * Gaps this short are the arithmetic of the timeline (float sums of chunk lengths), not silence a
 * caller hears: every gap of a millisecond or more counts.
 */
const TOLERANCE_MS = 0.5;

/**
 * Chunks kept for a move told after them (a turn that ran long moves what it sent, far less than
 * this): a ring, preallocated, so that a chunk costs no allocation.
 */
const KEPT = 512;

/**
 * Counts the times the bot's speech ran dry at the far end within a response, and for how long: a
 * chunk of the response that plays later than the audio before it ends (its source slower than
 * real time, the sender stalled longer than its lead). The gap before a new response is no
 * underrun, nor the silence an interruption leaves; background audio filling the far end's time
 * keeps it from running dry. Chunks moved after they were told of (`playoutMoved`) move their
 * gaps; a new measure of the far end's lag moves all told of before, their gaps unchanged. A hold
 * of the far end's playout the bot asked for (`playoutHeld`: Asterisk's `PAUSE_MEDIA`) is silence
 * by request, not the far end run dry: the move that places what it held after it opens no gap,
 * and audio sent while it holds, where the estimate (which runs on as though the far end played)
 * had it run dry, plays back to back with what it holds; a hold that held nothing (begun after
 * the far end ran dry) leaves its own time out of the gap before the next chunk, one underrun of
 * the dry time before and after it. The figures only grow, as counters do: a gap a later
 * correction shortens or closes stays counted as it was at its longest.
 */
export class UnderrunMeter {
  /** Underruns counted. */
  count = 0;
  /** Their total length, in ms. */
  totalMs = 0;
  // The latest chunks, in timeline order (background alone too: it fills the far end's time), a
  // ring of `#length` from `#first`: where each is on the timeline, for how long, when it plays,
  // whether it carries speech (see `speechStopsAt`), whether that goes on from the speech before
  // it (the same response), how long the far end had nothing to play right before it (0 when it
  // follows at once), and the longest that gap was told (what is counted).
  readonly #position = new Float64Array(KEPT);
  readonly #durationMs = new Float64Array(KEPT);
  readonly #playsAt = new Float64Array(KEPT);
  readonly #gapMs = new Float64Array(KEPT);
  readonly #countedMs = new Float64Array(KEPT);
  readonly #speech = new Uint8Array(KEPT);
  readonly #goesOn = new Uint8Array(KEPT);
  #first = 0;
  #length = 0;
  /** The response of the latest speech chunk: undefined for untagged audio, null for none. */
  #response: string | undefined | null = null;
  /** The bot fell silent since its latest speech chunk (untagged audio after it is a new reply). */
  #fellSilent = false;
  /**
   * The far end holds its playout from this position on (NaN: it plays): the `playsAt` of chunks
   * from there is the estimate's, which runs on through the hold (see {@linkcode held}).
   */
  #heldFrom = NaN;
  /** When the latest hold began (clock ms): a gap before it was the far end run dry. */
  #heldAt = NaN;
  /**
   * The far end played on from this position after a hold that held audio (NaN: no move of that
   * is awaited): the move told next from there places the held audio after the pause, which is
   * no gap. Awaited only where audio was told past the position: the transport moves nothing
   * else (`SessionObserver.playoutHeld`), so a later move from there, after a play-on that held
   * nothing, is audio that left late, a gap like any other
   * (tests/metrics/underrun_pause_holding_nothing_test.ts).
   */
  #playsOnFrom = NaN;
  /**
   * How long the far end was held, since the latest chunk's audio ran out, by holds that held
   * none of it (begun after the estimate had it play out, nothing sent meanwhile): silence the
   * bot asked for, which the next chunk's gap leaves out. The far end ran dry before such a hold
   * and after it, not during it.
   */
  #pausedMs = 0;

  /** A chunk left: `responseId` is the chunk's, `info` what the observers were told of it. */
  chunk(info: OutboundAudioInfo, responseId: string | undefined): void {
    const continues = info.speech && this.#continues(responseId);
    if (info.speech) {
      this.#response = responseId;
      this.#fellSilent = false;
    }
    let gapMs = 0;
    if (this.#length > 0) {
      const end = this.#endOf((this.#first + this.#length - 1) % KEPT);
      // The holds that held nothing since the audio before it ran out were no gap.
      gapMs = info.playsAt - end - this.#pausedMs;
      // Sent while the far end holds, after the estimate had it run dry: the far end ran dry
      // only until the hold began, as far as this knows; the rest was the pause asked for.
      if (info.position > this.#heldFrom - TOLERANCE_MS) {
        gapMs = Math.min(gapMs, Math.max(0, this.#heldAt - end - this.#pausedMs));
      }
    }
    this.#pausedMs = 0;
    if (this.#length === KEPT) this.#first = (this.#first + 1) % KEPT; // the oldest let go
    else this.#length++;
    const at = (this.#first + this.#length - 1) % KEPT;
    this.#position[at] = info.position;
    this.#durationMs[at] = info.durationMs;
    this.#playsAt[at] = info.playsAt;
    this.#gapMs[at] = gapMs;
    this.#countedMs[at] = 0;
    this.#speech[at] = info.speech ? 1 : 0;
    this.#goesOn[at] = continues ? 1 : 0;
    if (continues) this.#counted(at);
  }

  /**
   * The far end holds its playout from `info.position` on, or plays on from there
   * (`SessionObserver.playoutHeld`). While it holds, nothing from there plays, whatever the
   * estimate says: a chunk sent meanwhile after the estimate ran dry queues behind the held audio,
   * and plays right after it (its gap is what the far end ran dry before the hold began). As it
   * plays on, the move told next places all of that after the pause the bot asked for, back to
   * back (see {@linkcode moved}); where it held nothing, no move follows, and the pause is left
   * out of the next chunk's gap.
   */
  held(info: PlayoutHoldInfo): void {
    if (info.held) {
      this.#heldFrom = info.position;
      this.#heldAt = info.at;
      this.#playsOnFrom = NaN;
      return;
    }
    this.#heldFrom = NaN;
    const last = (this.#first + this.#length - 1) % KEPT;
    if (
      this.#length > 0 &&
      this.#position[last]! + this.#durationMs[last]! > info.position + TOLERANCE_MS
    ) {
      this.#playsOnFrom = info.position; // it held audio: the move told next places it
      return;
    }
    // It held nothing: the far end had run dry by the hold (the estimate had played it all), and
    // paused from then, or from where the audio ran out, until now, by request.
    this.#playsOnFrom = NaN;
    const end = this.#length > 0 ? this.#endOf(last) : -Infinity;
    const pausedFrom = end > this.#heldAt ? end : this.#heldAt; // NaN: no hold told began
    if (info.at > pausedFrom) this.#pausedMs += info.at - pausedFrom;
  }

  /**
   * The same response: the same tagged one (a pause between its spells too: the caller waits in
   * the middle of it), or untagged audio while the bot has not fallen silent since (untagged
   * replies are told apart only by the silence between them).
   */
  #continues(responseId: string | undefined): boolean {
    if (this.#response === null || responseId !== this.#response) return false;
    return responseId !== undefined || !this.#fellSilent;
  }

  /** The bot fell silent ("speakingstop"): what comes next untagged is a new reply. */
  fellSilent(): void {
    this.#fellSilent = true;
  }

  /** An interruption: what comes next is a new response, whatever its id. */
  interrupted(): void {
    this.#response = null;
  }

  /** The far end's lag was measured anew: all told of plays `changeMs` later, back to back still. */
  lagChanged(changeMs: number): void {
    for (let i = 0; i < this.#length; i++) this.#playsAt[(this.#first + i) % KEPT]! += changeMs;
  }

  /**
   * Audio told of from `info.position` on plays from `info.playsAt`, back to back: the gap before
   * it grows by the move, and those after it close. A chunk moved from within is taken as moved
   * whole: the gap is as long, told before it rather than inside it.
   */
  moved(info: PlayoutMoveInfo): void {
    // The far end plays on after a hold: what it held plays after the pause the bot asked for,
    // silence by request, not the far end run dry (the gap before it stays as it was). Moved from
    // anywhere else, the audio was late.
    const playsOn = Math.abs(info.position - this.#playsOnFrom) <= TOLERANCE_MS;
    this.#playsOnFrom = NaN;
    let i = 0;
    while (i < this.#length) {
      const at = (this.#first + i) % KEPT;
      if (this.#position[at]! + this.#durationMs[at]! > info.position + TOLERANCE_MS) break;
      i++;
    }
    const first = i;
    // A move that begins before the oldest chunk kept (a turn that sent more than the ring holds)
    // moves the chunk before it too: its gap is as it was.
    const opens = i < this.#length &&
      this.#position[(this.#first + i) % KEPT]! <= info.position + TOLERANCE_MS;
    for (; i < this.#length; i++) {
      const at = (this.#first + i) % KEPT;
      const playsAt = info.playsAt + (this.#position[at]! - info.position);
      // The first moved: the audio before it ends where it did. Those after follow it at once.
      if (i !== first) this.#gapMs[at] = 0;
      else if (opens && !playsOn) this.#gapMs[at]! += playsAt - this.#playsAt[at]!;
      this.#playsAt[at] = playsAt;
      if (this.#goesOn[at] === 1) this.#counted(at);
    }
  }

  /**
   * Audio told of from `position` on was dropped before it left (`outboundDropped`: a partial
   * packet at a stretch's end): the chunks it was part of end there, so that the gap after them
   * is measured from where the audio that left ends, as the far end ran dry there. Returns how
   * many chunks were wholly dropped (none of them left), for the count of chunks sent.
   */
  dropped(position: number): number {
    let wholly = 0;
    while (this.#length > 0) {
      const at = (this.#first + this.#length - 1) % KEPT;
      const start = this.#position[at]!;
      if (start + this.#durationMs[at]! <= position + TOLERANCE_MS) break;
      if (start < position - TOLERANCE_MS) {
        this.#durationMs[at] = position - start;
        break;
      }
      this.#length--; // wholly dropped: as if never told (a gap counted before it stays counted)
      wholly++;
    }
    return wholly;
  }

  /**
   * When the bot's speech stopped playing at the far end, the far end having played up to
   * timeline `position` (an interruption's `heardPosition`), by the latest estimate of the chunks
   * kept (moves and lag changes included): when `position` plays, where it is in speech; where it
   * is in background audio, when the speech before it ended (a reply that ran out before the
   * clear reached the far end, the background playing on: the caller stopped hearing the bot
   * there, as the interruption's `heardMs` says). At a chunk's very start (within the timeline's
   * arithmetic), none of it was heard: as in background, the speech before it ended there (a
   * clear that reached the far end just as a spell of speech after a pause was to begin). NaN
   * where no chunk kept holds `position` (told before the ring's oldest, before measuring began,
   * or in a hole the timeline left), or no speech kept comes before it. The newest first: a
   * position asked for is one just heard, near the end of what was sent.
   */
  speechStopsAt(position: number): number {
    let i = this.#length - 1;
    for (; i >= 0; i--) {
      const at = (this.#first + i) % KEPT;
      const start = this.#position[at]!;
      if (position < start - TOLERANCE_MS) continue;
      if (position > start + this.#durationMs[at]! + TOLERANCE_MS) return NaN;
      if (this.#speech[at] === 1 && position > start + TOLERANCE_MS) {
        return this.#playsAt[at]! + (position - start);
      }
      break;
    }
    // In background alone, or at speech not yet begun: the bot fell silent where the speech
    // before it ended.
    for (i--; i >= 0; i--) {
      const at = (this.#first + i) % KEPT;
      if (this.#speech[at] === 1) return this.#playsAt[at]! + this.#durationMs[at]!;
    }
    return NaN;
  }

  /** When the chunk at `at` ends playing, by the estimate. */
  #endOf(at: number): number {
    return this.#playsAt[at]! + this.#durationMs[at]!;
  }

  /** The gap before the chunk at `at` measured anew: counted where it is longer than counted. */
  #counted(at: number): void {
    const gapMs = this.#gapMs[at]!;
    const counted = this.#countedMs[at]!;
    if (!(gapMs > TOLERANCE_MS) || gapMs <= counted) return;
    if (counted === 0) this.count++;
    this.totalMs += gapMs - counted;
    this.#countedMs[at] = gapMs;
  }
}
