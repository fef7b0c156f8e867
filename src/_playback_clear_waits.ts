/**
 * The playback tracker's interruptions whose clear waits (`PlaybackTracker.interruptUntilCleared`):
 * the cut is made at once, but the far end's clear leaves only later, and its fate ("sent",
 * "none", "ended") is known then. Meanwhile what is sent after the cut waits behind the clear, and
 * nothing of it begins or counts heard; at the fate, what the far end played meanwhile is placed
 * where it plays, and, where the clear proves to be none, the responses the cut stopped unseen play
 * after all. Apart from the tracker because this state is the waits' own, written only here, and
 * most sessions never have a clear that waits: the tracker makes this at the first one. The
 * tracker keeps the cut itself and what was heard at the fate (the interruption's answer); it
 * tells of the cuts and reads back where what waits begins ({@linkcode ClearWaits.from}).
 *
 * @module
 */

import type { PlayoutTimeline } from "./_playout_timeline.ts";
import { EPSILON, ownMsTo, type Utterance } from "./_playback_utterance.ts";

/**
 * What became of an interruption's clear that left later (see
 * `PlaybackTracker.interruptUntilCleared`): handed to the socket, none after all (no message:
 * the far end plays on), or the session ended first.
 */
export type ClearFate = "sent" | "none" | "ended";

/**
 * The playback tracker, as the clears that wait see it: what they read of it, and what they tell
 * it. The `clears…` members are for {@linkcode ClearWaits} only.
 */
export interface ClearWaitsHost {
  /** The lag for what has played by now (`PlaybackTracker.heardLag`). */
  readonly heardLag: number;
  /** The far end holds its playout (`PlaybackTracker.farEndHolds`): its own resume places it. */
  readonly farEndHolds: boolean;
  /** What was sent from `from` on was placed anew (`PlaybackTracker.replaced`). */
  replaced(from: number): void;
  /**
   * The clears proved to be none: all that was sent up to `ackedAtCut`, taken as acknowledged at
   * the cut, was not cleared, and plays on: unless an answer moved it since, the position
   * acknowledged goes back to `ackedBefore`, and the marks dropped at the cut go by the estimate.
   */
  clearsUncleared(ackedAtCut: number, ackedBefore: number): void;
  /** What waited behind a clear may begin or end now: the state is brought up to date. */
  clearsLookAgain(now: number): void;
  /**
   * The responses a clear proving to be none put back are the last sent (nothing was sent since
   * the cut), and their interruption closed them to more audio: no quiet time after the last
   * drain is to pass before the last of them is over, once played.
   */
  clearsPutBackLast(): void;
}

/**
 * What the fate of one clear that waited does to the playout (`now`: as read then; `playing`: the
 * position the far end plays by the estimate then, where it played on uncut). Returns, where the
 * clear was sent while the far end was placed as playing on what an earlier clear proving to be
 * none left it (see `#clearedPlayingOn`), the position it had played when this one dropped the
 * rest: the heard position then. NaN: not so.
 */
export type ClearFateTaken = (fate: ClearFate, now: number, playing: number) => number;

/** One tracker's interruptions whose clear waits, and what waits behind them. */
export class ClearWaits {
  readonly #timeline: PlayoutTimeline;
  readonly #host: ClearWaitsHost;
  /**
   * The tracker's responses not yet over, oldest first (the list itself, which it keeps): read at
   * a cut, and those that play after all are put back at its head (see `#beginsAfterAll`).
   */
  readonly #utterances: Utterance[];
  /**
   * Interruptions whose clear waits, their clear's fate not known yet: what is sent meanwhile
   * leaves only behind the clear (or, with none, behind what plays on), so a response sent
   * meanwhile does not begin ("speakingstart") before then.
   */
  #waiting = 0;
  /**
   * Where what waits behind the first of them begins (the end of what was sent at its cut; NaN:
   * none waits): nothing from there on plays, nor is heard, until the last one's fate is known (a
   * later interruption's clear waits behind the first, and cut what was sent between them).
   */
  #from = NaN;
  /**
   * Counts the cuts that clear: an interruption whose clear waits asks, at its fate, if it was the
   * last. Not a synchronous interruption's where the far end has no clear (`interrupted`, not
   * clearing): it cleared nothing, and stopped nothing an earlier cut had not (those are in
   * `#notBegunAtCuts`), so where the earlier clear proves to be none they play after all.
   */
  #cuts = 0;
  /**
   * Counts the synchronous interruptions that cleared (`interrupted`): one that came between a
   * waiting clear's cut and its fate (its clear left at once, the urgent line drained as the
   * earlier answer came, a few microtasks before that fate is told) cleared the far end then, so
   * nothing plays on from before it, whatever the earlier clear proves to be.
   */
  #clearedAtOnce = 0;
  /**
   * The responses sent but not begun at the cuts of the interruptions whose clears wait, oldest
   * first, and the position acknowledged before the first of those cuts: where the last of those
   * clears proves to be none, the far end was cleared of nothing, and all of them play. A later
   * interruption's cut, coming before an earlier one's fate, finds those the earlier one stopped
   * gone: kept only with that one's cut, they played unseen where both clears proved to be none,
   * and what played on from before the first cut read as acknowledged. A clear that is sent
   * clears those listed up to its cut.
   */
  #notBegunAtCuts: Utterance[] = [];
  #ackedBeforeCuts = 0;
  /** The session is over (see {@linkcode end}): nothing begins, nor is placed, any more. */
  #ended = false;

  /**
   * Made at a tracker's first clear that waits, its `host`; `utterances`: its responses not yet
   * over (the list itself, which it keeps).
   */
  constructor(timeline: PlayoutTimeline, host: ClearWaitsHost, utterances: Utterance[]) {
    this.#timeline = timeline;
    this.#host = host;
    this.#utterances = utterances;
  }

  /**
   * Where what waits behind the clears begins: nothing from there on begins, nor counts heard,
   * until the last one's fate is known. NaN: none waits.
   */
  get from(): number {
    return this.#from;
  }

  /**
   * An interruption is about to cut, its clear to wait (`acked`: the position acknowledged
   * before the cut): the first while none waits starts the list of what the cuts stopped unseen.
   */
  cutComing(acked: number): void {
    if (this.#waiting > 0) return;
    this.#notBegunAtCuts = [];
    this.#ackedBeforeCuts = acked;
  }

  /**
   * An interruption whose clear did not wait (`PlaybackTracker.interrupt`) cut: a clear that waits
   * learns of it at its fate. `clears`: the far end was cleared now, whatever an earlier clear that
   * waited proves to be, up to `acked`.
   */
  interrupted(clears: boolean, acked: number): void {
    if (!clears) return; // it cleared nothing: an earlier clear's fate still decides (see `#cuts`)
    this.#cuts++;
    this.#clearedAtOnce++;
    this.#notBegunAtCuts = [];
    this.#ackedBeforeCuts = acked;
  }

  /**
   * An interruption cut, its clear to wait (after {@linkcode cutComing} and the cut): `reached` is
   * as far as the far end can play what left, should the clear prove to be none (not the speech
   * chunk whose answer is due); `reach`, as far as it plays by then (short of what it holds);
   * `cutOne`: the cut named a response, which plays on there; `ackedAtCut`: the position
   * acknowledged once cut. Returns what to do at the clear's fate (asked again, it does only what
   * it does as of then).
   *
   * The responses whose audio left but that had not begun are read now, after the cut's update:
   * the cut stops them unseen (cleared, they never play), but where the clear proves to be none
   * they play after all (see `#notBegunAtCuts`). One that began in that update was audible at the
   * cut, and stops so ("interrupted"); read before, it was put back begun, and stopped again.
   */
  wait(reached: number, reach: number, cutOne: boolean, ackedAtCut: number): ClearFateTaken {
    const cuts = ++this.#cuts;
    const clearedAtOnce = this.#clearedAtOnce;
    const unbegun = this.#utterances.filter((u) => !u.started && u.start < reached - EPSILON);
    this.#reachOnlyTo(unbegun, reached);
    this.#notBegunAtCuts.push(...unbegun);
    const notBegun = this.#notBegunAtCuts.slice();
    // Where what is sent after the cut begins: it waits behind the clear (see `#playsAfterClear`).
    const after = this.#timeline.sentMs;
    // Until its fate is known, what is sent after it does not begin (see `#waiting`).
    if (this.#waiting++ === 0) this.#from = after;
    let waiting = true;
    return (fate, now, playing) => {
      let clearedAt = NaN;
      if (fate === "none") {
        // Not once a later interruption has cut them again (its own clear's fate decides).
        if (cuts === this.#cuts) {
          // The cuts took all that was sent for acknowledged (cleared): not so, it plays on, and
          // the marks in it, dropped, go by the estimate (else what plays on read as heard, and
          // ended, at once).
          this.#host.clearsUncleared(ackedAtCut, this.#ackedBeforeCuts);
          const putBack = this.#beginsAfterAll(this.#notBegunAtCuts);
          // Nothing sent since the cut: they are the last, and each is over once played.
          if (putBack && !(this.#timeline.sentMs > after + EPSILON)) this.#host.clearsPutBackLast();
        }
        // Not where a clear left at once since (see `#clearedAtOnce`): the far end was cleared
        // then, and what was sent after it placed as playing from then, not behind what played on.
        if (cutOne && clearedAtOnce === this.#clearedAtOnce) {
          this.#playsOnUncleared(playing, reach, now);
        }
      }
      if (fate === "sent") {
        clearedAt = this.#clearedPlayingOn(after, now);
        this.#playsAfterClear(after, now);
        if (waiting) this.#clearedUpTo(notBegun, ackedAtCut);
      }
      if (!waiting) return clearedAt;
      waiting = false;
      // What waited behind the clear begins as it plays ("ended": nothing begins any more).
      if (--this.#waiting !== 0) return clearedAt;
      this.#from = NaN;
      this.#notBegunAtCuts = [];
      if (fate !== "ended" && !this.#ended) this.#host.clearsLookAgain(now);
      return clearedAt;
    };
  }

  /** The session is over: no clear waits any more, nothing begins (see `#ended`). */
  end(): void {
    this.#ended = true;
    this.#waiting = 0;
    this.#from = NaN;
    this.#notBegunAtCuts = [];
  }

  /**
   * The responses `unbegun`, sent but not begun at an interruption's cut whose clear waits, have
   * of their audio only what reaches the far end, should the clear prove to be none: not the
   * speech chunk whose answer is due, dropped as it comes (`reached`). Placed now, while the
   * timeline still places what was sent before the cut: placed at the clear's fate, on the cut
   * timeline, the end was NaN, and a reply ending so never stopped where marks are answered, its
   * timer armed again at every firing. (Where what the far end played on is placed anew at the
   * fate, `#playsOnUncleared` moves it too.)
   */
  #reachOnlyTo(unbegun: Utterance[], reached: number): void {
    for (const u of unbegun) {
      if (u.end <= reached + EPSILON) continue;
      u.end = Math.max(u.start, reached);
      u.sentMs = ownMsTo(u, u.end);
      u.endPlaysAt = this.#timeline.playsAt(u.end);
    }
  }

  /**
   * The clear of an interruption that waited was sent ("sent"), while a later one's still waits:
   * the far end dropped what it held then, so the responses not begun at its cut and before
   * (`notBegun`) play for no later fate, and all sent before its cut (`ackedAtCut`) counts as
   * acknowledged (see `#notBegunAtCuts`).
   */
  #clearedUpTo(notBegun: Utterance[], ackedAtCut: number): void {
    this.#notBegunAtCuts = this.#notBegunAtCuts.filter((u) => !notBegun.includes(u));
    if (ackedAtCut > this.#ackedBeforeCuts) this.#ackedBeforeCuts = ackedAtCut;
  }

  /**
   * An interruption's clear that waited was no clear after all ("none"), nor any clear whose
   * interruption came before it and after the last sent: the responses `unbegun` whose audio had
   * left when they were taken, but that had not begun, play after all, and are audible again:
   * each begins ("speakingstart") as it plays, and stops as any other does, once played. The cut
   * stopped them unseen, as a clear drops them; left so, one played with no "speakingstart" (nor
   * `heardMs`, nor a `SessionMetrics` turn answered). One the far end holds begins once it plays
   * on (see `PlaybackTracker`'s `#updatePass`). Placed ahead of those sent since, which follow
   * them. Only on this rare path. Returns whether any was put back.
   */
  #beginsAfterAll(unbegun: Utterance[]): boolean {
    if (this.#ended) return false;
    // (Still there, its stop not yet told: it stays, stopped unseen as the cut's stops are.)
    const playing = unbegun.filter((u) => u.sentMs > EPSILON && !this.#utterances.includes(u));
    this.#utterances.unshift(...playing);
    return playing.length > 0;
  }

  /**
   * An interruption's clear that waited was no clear after all ("none"): the far end plays on
   * what left, from `playing` (heard by the estimate `now`), as though it had never been cut. The
   * cut placed the far end dry: the next response (sent already as the urgent line drained, or to
   * come) would read as playing at once, its "speakingstart" and `heardMs` early by the rest, and
   * be paced that much ahead. Placed after it instead, as after a synchronous `interrupt` with no
   * clear. Not where the far end cannot reach `playing` (`reach`: it holds its playout, and its
   * own resume places what it holds). Only on this rare path.
   */
  #playsOnUncleared(playing: number, reach: number, now: number): void {
    if (this.#ended || !(this.#timeline.sentMs > playing + EPSILON) || reach < playing) return;
    this.#timeline.resumeFrom(playing, now - this.#host.heardLag);
    this.#host.replaced(playing);
    this.#host.clearsLookAgain(now);
  }

  /**
   * An interruption's clear that waited has left ("sent") while the far end was placed as playing
   * on what was sent before its cut (`from`): an earlier clear that waited proved to be none after
   * this cut, and `#playsOnUncleared` placed it so. The far end dropped the rest now. Returns the
   * position it had played by then, by the estimate: the heard position, where this cut's own,
   * read on the timeline the earlier cut had left dry, was all that left (the observers told so
   * kept, recorded, what the clear dropped unplayed). With nothing sent since the cut, the
   * timeline is cut here (else the next response read as playing only once what was dropped had,
   * its "speakingstart" late by the rest); what was sent since is placed by `#playsAfterClear`.
   * NaN: not so (the far end was placed dry at the cut, or holds its playout: its own resume
   * places it). Only on this rare path.
   */
  #clearedPlayingOn(from: number, now: number): number {
    const timeline = this.#timeline;
    if (this.#ended || this.#host.farEndHolds) return NaN;
    const played = timeline.playedAt(now - this.#host.heardLag);
    if (!(played < from - EPSILON)) return NaN;
    if (!(timeline.sentMs > from + EPSILON)) timeline.cutBehind(now);
    return played;
  }

  /**
   * An interruption's clear that waited has left ("sent"): what was sent since the cut, from
   * position `from` on, waited behind it and plays from now on, as it leaves. The cut placed it
   * as though the far end had run dry then: the next response would read as playing while the far
   * end still played the one interrupted, its "speakingstart" and `heardMs` early by the wait. Not
   * where the far end holds its playout (its own resume places what it holds). Only on this rare
   * path.
   */
  #playsAfterClear(from: number, now: number): void {
    const timeline = this.#timeline;
    if (this.#ended || !(timeline.sentMs > from + EPSILON)) return;
    if (this.#host.farEndHolds) return;
    timeline.resumeFrom(from, now);
    this.#host.replaced(from);
  }
}
