/**
 * Turn latency: from the end of the caller's turn to the bot's first audible speech answering it
 * (see `SessionMetrics`, "turn latency"), turn ends and the caller's speech told late or out of
 * order among them.
 *
 * @module
 */

import { LetGoRanges } from "./_let_go_ranges.ts";

/**
 * A spell of the bot's speaking kept for a turn end told late: when it began, the latest start of
 * the caller's speech told that began before it (a turn end before that speech was taken back: the
 * caller went on before the bot answered), and whether it answered a turn already (a turn end it
 * answers then is that turn going on).
 */
interface Spell {
  readonly at: number;
  /** The response it is a spell of (undefined: not told): its next spell goes on with it. */
  readonly responseId: string | undefined;
  speechBefore: number;
  answered: boolean;
  /**
   * When the caller stopped hearing it (undefined: it plays still), and whether it was cut
   * (interrupted) or played on to its end: a turn that ended during one played on was no turn.
   */
  stoppedAt?: number;
  interrupted?: boolean;
}

/**
 * Spells kept for a turn end told late: more would be a turn long since over. A turn end told
 * after more newer spells is answered by one let go: counted, not measured (see `#letGo`).
 */
const MAX_SPELLS = 16;

/**
 * Finds each of the caller's turns' answer, and measures the turn's latency once both are known:
 * a turn end told at once waits for the bot's next spell; one told late is answered by the first
 * spell the bot began since it, unless the caller's speech began again before that spell (the turn
 * taken back: its real end is a later one). A turn end while a spell plays that the bot plays on
 * through (a backchannel: "uh-huh") answers nothing: neither measured nor counted. Each latency
 * goes to the function given (0 ms where the clock stepped back), each turn answered by a spell
 * let go to the other.
 */
export class TurnMeter {
  readonly #measured: (latencyMs: number) => void;
  readonly #unmeasured: () => void;
  /** When the caller's latest turn ended, until the bot answers it or the caller goes on. */
  #turnEnded: number | undefined;
  /**
   * A turn end (`end`, measured from `from`) while `spell` plays, until it stops: cut, the turn
   * waits for its answer; played on, it was a backchannel ("uh-huh"), no turn (see `botStopped`).
   */
  #held: { end: number; from: number; spell: Spell } | undefined;
  /**
   * A held turn end whose spell played on to its end, in a pause of that spell's response: the
   * bot may yet cut the response in its next spell (a bot cutting on the final transcript, which
   * comes late), and so stop for it, as the barge-in meter counts it (a pause between a response's
   * spells does not count there either). Held again on that spell; dropped at any other.
   */
  #heldInPause: { end: number; from: number; responseId: string } | undefined;
  /** When the caller's latest speech told began (-Infinity: none since the clock stepped back). */
  #speechStarted = -Infinity;
  /** The bot's latest spells, oldest first, kept for a turn end told late. */
  readonly #spells: Spell[] = [];
  /**
   * The spells let go from `#spells`, in ranges from the first's start to the last's, counting
   * those answering no turn told yet: a turn end told later still, whose answer is among them, is
   * counted once (unmeasured), against one of those; a turn end whose answer answered a turn
   * already is that turn going on, and counts for nothing more (its latency, or its loss, is
   * counted already): a range emptied is kept. Past 16 ranges the two oldest merge: a turn end
   * told after 32 newer spells whose answer is in such a range is counted against any spell of it
   * still unanswered — a turn going on told there (the caller paused, and went on) may count once
   * for each end, up to the range's unanswered spells; it was told far too late to measure
   * anything either way.
   */
  readonly #letGo = new LetGoRanges({ emptied: "kept" });
  /** The clock's time as the latest spell, speech or turn end was told (see `#forgetBeforeStep`). */
  #lastNow = -Infinity;
  /** The latest of those times. */
  #latestNow = -Infinity;
  /**
   * The latest step back of the clock seen: the time told just after it, and the latest time told
   * before it (undefined: none seen). See `#placed`.
   */
  #step: { at: number; from: number } | undefined;

  /**
   * `measured`: called with each turn's latency, in ms; `unmeasured`: called for each turn
   * answered by a spell let go (its end told after 16 newer spells).
   */
  constructor(measured: (latencyMs: number) => void, unmeasured: () => void) {
    this.#measured = measured;
    this.#unmeasured = unmeasured;
  }

  /**
   * The bot became audible at `now` ("speakingstart"), in response `responseId`: it answers the
   * turn that ended, if any.
   */
  botStarted(now: number, responseId?: string): void {
    this.#forgetBeforeStep(now);
    // A spell begun with no stop told of the one a turn end waits on: answered, as before.
    const turnEnded = this.#turnEnded ?? this.#held?.from;
    this.#turnEnded = undefined;
    this.#held = undefined;
    const inPause = this.#heldInPause;
    this.#heldInPause = undefined;
    const spells = this.#spells;
    if (spells.length === MAX_SPELLS) this.#letGoOf(spells.shift()!);
    const spell: Spell = {
      at: now,
      responseId,
      speechBefore: this.#speechStarted,
      answered: turnEnded !== undefined,
    };
    spells.push(spell);
    if (turnEnded !== undefined) return this.#answered(now, turnEnded);
    // The response goes on after its pause: the turn end waits on this spell's stop in turn.
    if (inPause !== undefined && inPause.responseId === responseId) {
      this.#held = { end: inPause.end, from: inPause.from, spell };
    }
  }

  /**
   * The bot was audible as the metrics were attached, in response `responseId`: a spell begun
   * before, when not known (-Infinity), that answers no turn. Not kept, a turn end over it was
   * answered by the bot's next spell, a backchannel measured as a turn.
   */
  playingAtAttach(responseId: string | undefined): void {
    this.#spells.push({ at: -Infinity, responseId, speechBefore: -Infinity, answered: true });
  }

  /**
   * The bot's latest spell stopped (the caller stopped hearing it at `at`, told at `now`), cut
   * (`interrupted`) or played on: a turn end held while it played (see `callerTurnEnded`) waits
   * for the bot's next spell if the bot stopped for it or before it ended, and is dropped
   * otherwise. Not a time for `#forgetBeforeStep`: the next spell's start may be placed before
   * `now` (heard since before its event), which would read as a step back.
   */
  botStopped(at: number, now: number, interrupted: boolean): void {
    const spell = this.#spells.at(-1);
    if (spell === undefined || spell.stoppedAt !== undefined) return; // none, or stopped already
    // Begun after now, the clock stepped back since (forgotten when next told): the stop's time is
    // on another clock than the turn end's, the reason alone says which it was.
    const stepped = spell.at > now;
    spell.stoppedAt = stepped ? spell.at : Math.max(spell.at, Math.min(at, now));
    spell.interrupted = interrupted;
    const held = this.#held;
    if (held === undefined || held.spell !== spell) return;
    this.#held = undefined;
    if (!interrupted && (stepped || held.end < spell.stoppedAt)) { // it played on: no turn, yet
      if (!stepped) this.#holdInPause(held.end, held.from, spell);
      return;
    }
    this.#waitFor(Math.min(held.end, now), Math.min(held.from, now));
  }

  /**
   * The caller began to speak at `told`, told at `now`: a turn that ended before it is taken back,
   * the caller going on — the one waiting for an answer and, for a turn end told later still, any
   * before the bot's spells since it. Speech from before a step back of the clock (see `#placed`)
   * is before everything told since, and takes back none of it.
   */
  callerSpeechStarted(told: number, now: number): void {
    this.#forgetBeforeStep(now);
    const at = this.#placed(told, now);
    if (at === undefined) return;
    if (this.#turnEnded !== undefined && at >= this.#turnEnded) this.#turnEnded = undefined;
    if (this.#held !== undefined && at >= this.#held.end) this.#held = undefined;
    if (this.#heldInPause !== undefined && at >= this.#heldInPause.end) {
      this.#heldInPause = undefined;
    }
    if (at > this.#speechStarted) this.#speechStarted = at;
    for (const spell of this.#spells) {
      if (spell.at > at && at > spell.speechBefore) spell.speechBefore = at;
    }
  }

  /**
   * The caller's turn ended at `at`, told at `now` (a time still to come: see `#placed`). Told
   * late, it is answered by the first spell the bot began since: measured, unless the
   * caller went on before that spell (taken back: a later end is the turn's), or the spell
   * answered a turn already (that turn going on, its answer claimed: it counts once, from the
   * end told first), or it was let go (counted, not measured). With no spell since, it waits for
   * the next, unless speech told already began after it, or a later end of the same turn waits.
   * One that ended while the bot was audible is a turn only if the bot stopped for it (cut): one
   * it played on through was a backchannel ("uh-huh"), answered by nothing — neither measured nor
   * counted; while that spell plays, the end is held until it stops (see `botStopped`).
   */
  callerTurnEnded(at: number, now: number): void {
    this.#forgetBeforeStep(now);
    // From before a step: answered by the first spell since the step, or waits for the next;
    // measured as if it ended when told (its length is not known, the latency at least that), 0 ms
    // at least.
    const end = this.#placed(at, now) ?? this.#step!.at;
    const from = Math.min(at, now);
    // The spells let go are in time order: the first range reaching `end` holds its answer.
    const letGo = this.#letGo.oldestEndingAtOrAfter(end);
    if (letGo !== undefined) {
      // Its answer let go: counted once, against a spell no turn claimed yet.
      if (this.#letGo.takeOne(letGo)) this.#unmeasured();
      return;
    }
    // The spell the bot was in as the turn ended (one begun at its very time answers it).
    const during = this.#spells.findLast((spell) => spell.at < end);
    if (during?.stoppedAt !== undefined) {
      if (during.stoppedAt > end && !during.interrupted) { // played on: a backchannel, unless…
        if (this.#speechStarted > end) return; // taken back already
        const latest = this.#spells.at(-1)!;
        // …the bot cuts the response in a later spell, in its pause or playing still.
        if (latest === during) this.#holdInPause(end, from, during);
        else if (this.#sameResponse(during, latest)) {
          if (latest.stoppedAt === undefined) {
            if (this.#held === undefined || this.#held.end <= end) {
              this.#held = { end, from, spell: latest };
            }
          } else if (latest.interrupted) this.#waitFor(end, from); // cut: the next spell answers
        }
        return;
      }
    } else if (during !== undefined && during === this.#spells.at(-1)) { // it plays still
      if (this.#speechStarted > end) return; // taken back already
      if (this.#held === undefined || this.#held.end <= end) {
        this.#held = { end, from, spell: during };
      }
      return;
    } // else a spell whose stop was never told: answered as before
    const answer = this.#spells.find((spell) => spell.at >= end);
    if (answer !== undefined) {
      // Speech told before this end, at its very time, is the speech it ends (one recognizer
      // message telling both, on a clock that did not move between: workerd's, between I/O).
      if (answer.speechBefore > end || answer.answered) return;
      answer.answered = true;
      return this.#answered(answer.at, from);
    }
    if (this.#speechStarted > end) return; // taken back already (not by the speech it ends)
    this.#waitFor(end, from);
  }

  /** A turn end `spell` played on through waits in the pause of its response, if told. */
  #holdInPause(end: number, from: number, spell: Spell): void {
    const responseId = spell.responseId;
    if (responseId === undefined) return;
    if (this.#heldInPause !== undefined && this.#heldInPause.end > end) return;
    this.#heldInPause = { end, from, responseId };
  }

  /** Whether `later` goes on with `spell`'s response, every spell between too. */
  #sameResponse(spell: Spell, later: Spell): boolean {
    const spells = this.#spells;
    const from = spells.indexOf(spell);
    if (spell.responseId === undefined || from < 0) return false;
    return spells.slice(from, spells.indexOf(later) + 1).every((s) =>
      s.responseId === spell.responseId
    );
  }

  /** A turn that ended at `end` (measured from `from`) waits for the bot's next spell. */
  #waitFor(end: number, from: number): void {
    // A later end waits already (the same turn's, or from before a step: before it however late).
    if (this.#turnEnded !== undefined && this.#turnEnded >= end) return;
    this.#turnEnded = from;
  }

  /**
   * Where a time `at` told at `now` goes among what was told: `at` itself, unless it is still to
   * come. Then, if the clock was seen stepping back from a time at least as late as `at`
   * (`#step`), `at` was read before that step and is before everything told since: undefined (the
   * caller places it: speech takes back nothing, a turn end is answered by the first spell since
   * the step). Else nothing says it is from before a step — a clock a few ms ahead of ours,
   * "another clock altogether" (`SessionMetrics.callerTurnEnded`) — and it is taken as now. Placed
   * before everything kept instead, a turn told at once on such a clock was measured 0 ms against
   * the bot's greeting, and every turn after it lost, or counted unmeasured against a spell let go
   * (tests/metrics/turn_clock_ahead_test.ts).
   */
  #placed(at: number, now: number): number | undefined {
    if (at <= now) return at;
    const step = this.#step;
    return step !== undefined && at <= step.from ? undefined : now;
  }

  /** A turn that ended at `end` answered at `answeredAt`: below 0 ms (a clock's step), 0 ms. */
  #answered(answeredAt: number, end: number): void {
    this.#measured(Math.max(0, answeredAt - end));
  }

  /** A spell let go: its start kept for a turn end told later still (see `#letGo`). */
  #letGoOf(spell: Spell): void {
    this.#letGo.add({ from: spell.at, to: spell.at, count: spell.answered ? 0 : 1 });
  }

  /**
   * Called with the clock's time as each spell, speech or turn end is told: what was kept that is
   * after now was before the clock stepped back (README, "Metrics": a time still to come is taken
   * as now), though it reads as later than anything told since. As the barge-in meter does
   * (`BargeInMeter`), it is taken as before everything since:
   *
   * - the bot's spells, and those let go, are forgotten: a turn end told since is after them, and
   *   not answered by them (kept, one told at once was measured against a spell from before the
   *   step, seconds too long, and the spell that answered it left unmeasured; a spell let go so
   *   counted every turn told at once unmeasured: tests/metrics/turn_clock_step_test.ts,
   *   unmeasured_clock_step_test.ts);
   * - the caller's speech takes back no turn end told since (-Infinity);
   * - the step is noted (`#step`): a time told later from before it is placed so (`#placed`);
   * - a turn end waiting for its answer is taken as ended now: a latency measured from it stays
   *   finite and not below 0.
   */
  #forgetBeforeStep(now: number): void {
    if (now < this.#lastNow) this.#step = { at: now, from: this.#latestNow };
    this.#lastNow = now;
    if (now > this.#latestNow) this.#latestNow = now;
    const spells = this.#spells;
    for (let i = spells.length - 1; i >= 0; i--) if (spells[i]!.at > now) spells.splice(i, 1);
    this.#letGo.forgetEndingAfter(now);
    if (this.#speechStarted > now) this.#speechStarted = -Infinity;
    if (this.#turnEnded !== undefined && this.#turnEnded > now) this.#turnEnded = now;
    // In a pause of a spell forgotten: the step leaves nothing to judge it by, dropped.
    if (this.#heldInPause !== undefined && this.#heldInPause.end > now) {
      this.#heldInPause = undefined;
    }
    // Held on a spell forgotten: it waits for the next, as a turn end from before the step does.
    const held = this.#held;
    if (held !== undefined && held.spell.at > now) {
      this.#held = undefined;
      this.#waitFor(Math.min(held.end, now), Math.min(held.from, now));
    }
  }
}
