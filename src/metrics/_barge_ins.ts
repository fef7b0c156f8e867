/**
 * Barge-ins: how fast the bot stopped when the caller talked over it (see `SessionMetrics`,
 * "barge-in stop latency").
 *
 * @module
 */

import type { SpeakingEvent } from "../playback.ts";
import type { InterruptionInfo, PlayoutHoldInfo } from "../session_observer.ts";
import { LetGoRanges } from "./_let_go_ranges.ts";

/** Where the far end played the bot's speech (an `UnderrunMeter` keeps what was sent). */
export interface SpeechPlayout {
  /**
   * When the bot's speech stopped playing, the far end having played up to timeline `position`
   * (NaN: not known).
   */
  speechStopsAt(position: number): number;
}

/**
 * An interruption that stopped the bot while it was audible, for a barge-in's stop latency: when
 * ("speakingstop"), when the caller stopped hearing the bot (`stoppedAt`), when the response had
 * become audible and when the bot had last fallen silent before it, the same for the response's
 * spell it stopped (speech begun in the pause before that spell talked over the bot only from its
 * start); whether the far end held its playout then (the caller heard the bot stop at the hold);
 * whether the transport has told of its cut (`SessionObserver.interrupted`: `stoppedAt` is final
 * then), and the caller's speech that talked over it, once known (the barge-in is measured when
 * both are).
 */
interface Interruption {
  readonly at: number;
  stoppedAt: number;
  readonly botStarted: number;
  readonly silentBefore: number;
  readonly spellStarted: number;
  readonly silentBeforeSpell: number;
  readonly held: boolean;
  told: boolean;
  speechAt: number | undefined;
}

/**
 * Interruptions kept awaiting the transport's word of their cut (`SessionObserver.interrupted`):
 * a `WebSocketTransport` tells each, at once or once its clear leaves, and a clear waits behind
 * one answer at a time; more are a transport that tells none.
 */
const MAX_UNTOLD_INTERRUPTIONS = 16;

/**
 * Interruptions kept awaiting the caller's speech that caused them, told late: a recognizer tells
 * each speech's start within a second or so, a few replies at most; more are interruptions the
 * caller did not cause (the bot's own), which no speech claims. The oldest is let go, its window
 * kept (see `BargeInMeter`'s `#letGo`): its speech, told after 16 newer ones, measures nothing
 * and is counted as lost.
 */
const MAX_UNCLAIMED_INTERRUPTIONS = 16;

/**
 * When the caller, who began to speak at `speechStarted`, and the bot `interruption` stopped were
 * first both talking: the later of the two starts, the stopped spell's for speech begun since the
 * spell before it ended (in the pause, the bot was silent), the response's for speech before.
 * The same whether the speech was told before the interruption or after it.
 */
function talkedOverFrom(interruption: Interruption, speechStarted: number): number {
  const botAudible = speechStarted >= interruption.silentBeforeSpell
    ? interruption.spellStarted
    : interruption.botStarted;
  return Math.max(speechStarted, botAudible);
}

/**
 * Finds the barge-ins of a session and measures each one's stop latency, from the caller starting
 * to talk over the audible bot to the bot falling silent for the caller, once both are known: the
 * caller's speech may be told after the interruption (a detector's `minSpeechMs`), and where the
 * interruption's clear waits, the far end plays on until it leaves (`SessionObserver.interrupted`
 * says so then). Each latency measured goes to the function given (0 ms where the clock stepped
 * back). Told what it needs by its owner: the bot's spells of speaking ("speakingstart",
 * "speakingstop"), the caller's speech, the far end's holds of its playout, and the cuts.
 */
export class BargeInMeter {
  readonly #playout: SpeechPlayout;
  readonly #measured: (latencyMs: number) => void;
  readonly #lost: () => void;
  /** When the caller began to speak, while they speak, until a barge-in uses it. */
  #speechStarted: number | undefined;
  /** When the bot last became audible (the start of its latest spell of speaking). */
  #botStarted = -Infinity;
  /**
   * When the response the bot plays (or last played) first became audible: a response may play
   * in spells, with pauses between its sentences.
   */
  #responseStarted = -Infinity;
  /** When the bot last fell silent, and in which response. */
  #botStopped = -Infinity;
  #stoppedResponse: string | undefined;
  /** When the bot last fell silent before the response it plays (or last played) began. */
  #silentBeforeResponse = -Infinity;
  /**
   * Interruptions no barge-in has claimed yet, oldest first: a detector may report the speech
   * that caused one only after it, and after the bot went on to a newer reply, talked over in
   * turn (a bot that interrupts on a fast detector and speaks on at once, its recognizer telling
   * each speech's start with its transcript): each waits for its own speech, not only the latest
   * (tests/metrics/barge_in_told_after_next_test.ts).
   */
  readonly #unclaimed: Interruption[] = [];
  /**
   * Where interruptions let go from `#unclaimed` could have been talked over: from when the bot
   * last fell silent before the response (`Interruption.silentBefore`) to the interruption (`at`),
   * counting them. Speech told later that begins in one, and that no interruption still kept
   * claims, was a barge-in that can no longer be measured: it is counted as lost, not dropped
   * unheard, each interruption claimed once (a window emptied is dropped). A window let go
   * unclaimed is no loss by itself: most are the bot's own interruptions, which no speech ever
   * claims. Past 16 windows the two oldest merge into one spanning both (and the gap between,
   * where the bot was silent, finished a reply unbroken, or was talked over in a barge-in already
   * measured): speech told after 32 newer interruptions that begins in such a gap, or a second
   * speech told in one merged interruption's own window (the caller paused and went on), is
   * counted as lost though it may have talked over nothing, up to the window's count of
   * interruptions: it was told far too late to measure anything either way.
   */
  readonly #letGo = new LetGoRanges({ emptied: "dropped" });
  /**
   * Interruptions the bot fell silent in ("speakingstop") whose `SessionObserver.interrupted` has
   * not come yet: where the clear waits (see {@linkcode cutTold}), the far end plays on until it
   * leaves.
   */
  readonly #untold: Interruption[] = [];
  /**
   * When the far end last began to hold its playout at the bot's request (`playoutHeld`:
   * Asterisk's `PAUSE_MEDIA`; NaN: never; -Infinity: before a clock stepped back), and when the
   * caller hears the bot again after it: where the move that places what was held as it plays
   * on, or audio sent after that, plays (Infinity until then). A response interrupted before that
   * fell silent for the caller as the hold began, not at the interruption (a bot that pauses as
   * the caller begins to talk, then cuts its reply). The interruption's own clear may end the
   * hold, and place what it held at that very moment (Asterisk's `FLUSH_MEDIA`, then
   * `CONTINUE_MEDIA`, told before the "speakingstop"): none of it was heard.
   */
  #silentFrom = NaN;
  #audibleAgainAt = Infinity;
  /** The latest hold has ended: audio told from now on plays (see `#silentFrom`). */
  #playedOn = false;

  /**
   * `playout`: where the bot's speech played, for a cut told late; `measured`: called with each
   * barge-in's stop latency, in ms; `lost`: called for each barge-in found whose latency cannot be
   * measured (its speech told after 16 newer unclaimed interruptions: see `#letGo`).
   */
  constructor(
    playout: SpeechPlayout,
    measured: (latencyMs: number) => void,
    lost: () => void,
  ) {
    this.#playout = playout;
    this.#measured = measured;
    this.#lost = lost;
  }

  /** The bot became audible at `now` ("speakingstart"), in response `responseId`. */
  botStarted(now: number, responseId: string | undefined): void {
    this.#forgetBeforeStep(now);
    this.#botStarted = now;
    // A tagged response going on after a pause between its spells is the same response.
    if (responseId === undefined || responseId !== this.#stoppedResponse) {
      this.#responseStarted = now;
      this.#silentBeforeResponse = this.#botStopped;
    }
  }

  /** The bot fell silent at `now` ("speakingstop"), for `stop.reason`. */
  botStopped(now: number, stop: Pick<SpeakingEvent, "reason" | "responseId">): void {
    this.#forgetBeforeStep(now);
    const started = this.#speechStarted;
    // Started this very moment: a response the far end had not begun to play when an interruption
    // came that cannot stop it (raw PCM), told at once. The bot was not audible: no barge-in. A
    // response stopped as its next spell starts (speech caught in the pause before it) was audible
    // in its earlier spells: the caller cut it short, a barge-in of 0 ms or more.
    const audible = this.#responseStarted < now;
    if (stop.reason === "interrupted" && audible) {
      // Held by the far end since the bot's latest spell began: the caller heard it stop there.
      const held = this.#silentFrom >= this.#botStarted && !(this.#audibleAgainAt < now);
      const interruption: Interruption = {
        at: now,
        stoppedAt: held ? this.#silentFrom : now,
        botStarted: this.#responseStarted,
        silentBefore: this.#silentBeforeResponse,
        spellStarted: this.#botStarted,
        silentBeforeSpell: this.#botStopped,
        held,
        told: false,
        speechAt: undefined,
      };
      // Measured once the transport tells of the cut (`cutTold`): at once, where the clear left.
      // More untold than a few clears could hold is a transport that tells none: the oldest is
      // measured at its cut (else they waited for the session's end, kept all along).
      const untold = this.#untold;
      if (untold.length === MAX_UNTOLD_INTERRUPTIONS) this.#measuredAtCut(untold.shift()!);
      untold.push(interruption);
      // A barge-in: the caller is talking, and began since the bot last fell silent before this
      // response (a pause between its spells does not count).
      if (started !== undefined && started >= this.#silentBeforeResponse) {
        this.#speechStarted = undefined;
        interruption.speechAt = talkedOverFrom(interruption, started);
      } else {
        const unclaimed = this.#unclaimed;
        if (unclaimed.length === MAX_UNCLAIMED_INTERRUPTIONS) this.#letGoOf(unclaimed.shift()!);
        unclaimed.push(interruption);
      }
    }
    this.#botStopped = now;
    this.#stoppedResponse = stop.responseId;
  }

  /**
   * The caller began to speak at `at`: speech that began while the bot was audible, before an
   * interruption, measures that barge-in, even told after it (from where it would have, told
   * before), and after newer interruptions; else it is kept for the next. The newest that fits
   * first: a speech's window (from the silence before the response to its interruption) touches
   * the next one's only at its end. Speech in the window of an interruption let go (told after 16
   * newer ones) is a barge-in lost: counted, not measured. `now`: the clock's time as it is told.
   */
  callerSpeechStarted(at: number, now: number): void {
    this.#forgetBeforeStep(now);
    const unclaimed = this.#unclaimed;
    for (let i = unclaimed.length - 1; i >= 0; i--) {
      const interrupted = unclaimed[i]!;
      if (at > interrupted.at || at < interrupted.silentBefore) continue;
      unclaimed.splice(i, 1);
      interrupted.speechAt = talkedOverFrom(interrupted, at);
      return this.#measureBargeIn(interrupted);
    }
    // Windows touch at their ends (an interruption's is where the next response's begins), and
    // may overlap (one from -Infinity, its silence before a clock's step): the newest that fits
    // first, as among those kept.
    const letGo = this.#letGo.newestHolding(at);
    if (letGo !== undefined) {
      // Each interruption claimed once, as a kept one is.
      this.#letGo.takeOne(letGo);
      return this.#lost();
    }
    this.#speechStarted = at;
  }

  /**
   * The caller's turn ended at `at` (told at `now`: later, where a detector waits out its
   * `minSilenceMs` or a recognizer's final comes late): their speech is over, and talks over
   * nothing the bot says next. Where the bot was audible between its start and `at` (its spell
   * now began by then, or one fell silent after the speech began), it talked over that response:
   * an interruption of the response still to come is its barge-in (a bot that cuts its reply once
   * the transcript is final), as the same speech told after the interruption measures it. Kept
   * so, it claims no later response: the silence before one is after it (`botStopped`), so an
   * interruption there finds no speech. By `at`, not `now`: a reply begun between the two
   * answered the speech, and was not talked over (measured from its start, its own cut was a
   * barge-in that never was); an end before the speech kept is an earlier speech's, told after
   * the caller went on (the speech kept goes on: wiped, its barge-in was lost). Speech kept from
   * before a clock's step back (after now) is ended, as before.
   */
  callerTurnEnded(at: number, now: number): void {
    const started = this.#speechStarted;
    if (started === undefined) return;
    if (at < started && started <= now) return;
    const spellBegunBy = this.#botStarted <= at;
    const talkedOver = this.#botStarted > this.#botStopped
      ? spellBegunBy || this.#botStopped > started
      : spellBegunBy && this.#botStopped > started;
    if (!talkedOver) this.#speechStarted = undefined;
  }

  /**
   * The far end holds its playout, or plays on (`playoutHeld`): where the caller stops hearing a
   * reply interrupted during it.
   */
  held(info: PlayoutHoldInfo): void {
    this.#playedOn = !info.held;
    if (info.held) {
      this.#silentFrom = info.at;
      this.#audibleAgainAt = Infinity;
    }
  }

  /** Audio plays from `playsAt`: after a hold that has ended, the bot is heard again then. */
  audible(playsAt: number): void {
    if (this.#playedOn && playsAt < this.#audibleAgainAt) this.#audibleAgainAt = playsAt;
  }

  /**
   * The transport tells of an interruption's cut (`SessionObserver.interrupted`): right after the
   * "speakingstop" where its clear left at once; where it waited (behind an urgent message whose
   * asynchronous answer was due, or answered later itself), once it left, the far end having
   * played on until then, to `info.heardPosition`, or until it ran dry (README, "Metrics": the
   * bot falls silent when the clear leaves). The caller stopped hearing the bot when the speech
   * up to that position stopped playing: no later than the tell, nor earlier than the
   * "speakingstop" (where the far end plays on regardless, raw PCM, the bot is taken as silent at
   * the cut, as before). Not where the far end held its playout: the caller heard it stop at the
   * hold.
   *
   * Every interruption waiting is ended by this tell: the transport tells one per `interrupt()`,
   * in their order, with no id, and a reply sent behind a clear that waits begins only as the
   * clear's fate is told (src/_playback_clear_waits.ts): the bot is silent by its events until
   * then, so no later barge-in can wait beside this tell's own (tests/metrics/
   * barge_in_own_cut_test.ts). Several waiting are a transport that tells none, or tells late.
   */
  cutTold(info: InterruptionInfo): void {
    const untold = this.#untold.splice(0);
    const heardUntil = Math.min(info.at, this.#playout.speechStopsAt(info.heardPosition));
    for (const interruption of untold) {
      interruption.told = true;
      // NaN: the position heard, or speech before it, is not among the chunks kept: as at the cut.
      if (!interruption.held && heardUntil > interruption.stoppedAt) {
        interruption.stoppedAt = heardUntil;
      }
      this.#measureBargeIn(interruption);
    }
  }

  /**
   * Measuring stops with interruptions whose cut was never told (a transport of another's making
   * that tells none; a `WebSocketTransport` tells each before `closed`): measured at the cut.
   */
  stopped(): void {
    for (const interruption of this.#untold.splice(0)) this.#measuredAtCut(interruption);
  }

  /**
   * Called with the clock's time as each spell, speech or stop is told: what was kept from before
   * the clock stepped back reads as a time still to come (README, "Metrics": a time still to come
   * is taken as now), later than anything told since, though it happened before all of it.
   * Compared as it is, speech told after the step claimed an interruption from before it (a
   * barge-in that never was, the speech used up), and a barge-in after it was missed: its speech
   * seemed to begin before the bot's last silence, its response not yet audible
   * (tests/metrics/barge_in_clock_step_test.ts). So, of what is kept from before the step:
   *
   * - the bot's silences and starts are before everything to come (-Infinity): speech since began
   *   after the bot fell silent, and talked over a response audible since before the step from
   *   its own start; so is a hold of the far end's playout, and where it played on
   *   (tests/metrics/barge_in_hold_clock_step_test.ts);
   * - the caller's speech still going on is taken as begun now: a latency measured from it stays
   *   finite and not below 0;
   * - interruptions no speech has claimed, and the windows of those let go, are forgotten: no
   *   speech told since can be placed before them (a time told is never after now), and most are
   *   the bot's own, which no speech claims. Not counted lost: speech told since said nothing of
   *   them.
   *
   * Interruptions awaiting their cut's word keep their times: their speech and stop are both known
   * from before the step, and a cut told after it can only leave their stop as it is.
   */
  #forgetBeforeStep(now: number): void {
    const beforeStep = (time: number) => (time > now ? -Infinity : time);
    this.#botStarted = beforeStep(this.#botStarted);
    this.#responseStarted = beforeStep(this.#responseStarted);
    this.#botStopped = beforeStep(this.#botStopped);
    this.#silentBeforeResponse = beforeStep(this.#silentBeforeResponse);
    // A hold of the far end's playout is a silence of the bot's too (its time is when the command
    // left: after now, it was before the step). Begun before the step, it is no hold of a spell
    // begun since (else an interruption after the step was taken as held, and stopped for the
    // caller at the hold: measured back across the step, seconds too long); where it played on is
    // before everything since too (Infinity: not yet, kept). Not by that time alone: a time the
    // far end plays at is after now by design (the audio sent ahead of it).
    if (this.#silentFrom > now) {
      this.#silentFrom = -Infinity;
      if (this.#audibleAgainAt !== Infinity) this.#audibleAgainAt = -Infinity;
    }
    if (this.#speechStarted !== undefined && this.#speechStarted > now) this.#speechStarted = now;
    const unclaimed = this.#unclaimed;
    for (let i = unclaimed.length - 1; i >= 0; i--) {
      if (unclaimed[i]!.at > now) unclaimed.splice(i, 1);
    }
    this.#letGo.forgetEndingAfter(now);
  }

  /** An interruption let go unclaimed: its window kept for speech told later still. */
  #letGoOf(interruption: Interruption): void {
    this.#letGo.add({ from: interruption.silentBefore, to: interruption.at, count: 1 });
  }

  /** Its cut is taken as told: the bot silent for the caller at the "speakingstop". */
  #measuredAtCut(interruption: Interruption): void {
    interruption.told = true;
    this.#measureBargeIn(interruption);
  }

  /** A barge-in whose speech is known and whose cut was told is measured (once). */
  #measureBargeIn(interruption: Interruption): void {
    const { speechAt, told } = interruption;
    if (speechAt === undefined || !told) return;
    interruption.speechAt = undefined;
    this.#measured(Math.max(0, interruption.stoppedAt - speechAt)); // a clock stepped back: 0 ms
  }
}
