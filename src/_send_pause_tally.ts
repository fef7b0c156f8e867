/**
 * {@linkcode SendPauseTally}: a session's pauses of sending, counted in its stats.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import type { TransportStats } from "./transport_stats.ts";

/**
 * Keeps a transport's `sendPauses` and `sendPausedMs`. A pause counts in `sendPauses` as it
 * begins, so its time counts in `sendPausedMs` from then too: while it is held, to the moment the
 * counters are read ({@linkcode withHeld}, given the copy `transport.stats` hands out, and so a
 * live `SessionMetrics` snapshot or its `detach()`), and once it ends, its whole length, once, in
 * the stats themselves (read just before and just after, both agree). The clock is read only at a
 * pause's ends and while one is held: nothing per chunk. Made at a session's first pause: most
 * never pause.
 */
export class SendPauseTally {
  readonly #stats: TransportStats;
  readonly #clock: Clock;
  /** When the pause held began (NaN: none is held). */
  #since = NaN;

  /** Counts the pauses of the session whose counters are `stats`, timed by `clock`. */
  constructor(stats: TransportStats, clock: Clock) {
    this.#stats = stats;
    this.#clock = clock;
  }

  /** Whether a pause is held. */
  get held(): boolean {
    return !Number.isNaN(this.#since);
  }

  /** A pause begins now (none is held: the caller checks `held`). */
  begin(): void {
    this.#since = this.#clock.now();
    this.#stats.sendPauses++;
  }

  /** The pause held ends now, its whole time counted; none held: nothing. */
  end(): void {
    this.#stats.sendPausedMs += this.#heldMs();
    this.#since = NaN;
  }

  /** `copy`, a copy of the stats being read, with the pause held counted to now; returned. */
  withHeld(copy: TransportStats): TransportStats {
    copy.sendPausedMs += this.#heldMs();
    return copy;
  }

  /** How long the pause held has lasted so far (0: none is held). */
  #heldMs(): number {
    if (Number.isNaN(this.#since)) return 0;
    // Never below 0: a clock that stepped back (a user's, against `Clock.now`'s word) takes no
    // time off the pauses counted.
    return Math.max(0, this.#clock.now() - this.#since);
  }
}
