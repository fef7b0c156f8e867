/**
 * Notices a silent peer: nothing received for a while means a dead call leg or a frozen client.
 *
 * @module
 */

import type { Clock, ClockTimer } from "./clock.ts";

/**
 * Calls `onSilent` once the peer has been silent for `timeoutMs`; if it returns `true` (keep the
 * session), the count starts again. Costs one field write per message and one timer per
 * `timeoutMs`, not a timer per message.
 */
export class InactivityWatch {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #onSilent: () => boolean;
  readonly #timer: ClockTimer;
  #lastHeard: number;

  /** Starts watching now. */
  constructor(clock: Clock, options: { timeoutMs: number; onSilent: () => boolean }) {
    this.#clock = clock;
    this.#timeoutMs = options.timeoutMs;
    this.#onSilent = options.onSilent;
    this.#lastHeard = clock.now();
    this.#timer = clock.timer(this.#check);
    this.#timer.arm(this.#timeoutMs);
  }

  /** The peer said something. */
  heard(): void {
    this.#lastHeard = this.#clock.now();
  }

  /** Stops watching. */
  stop(): void {
    this.#timer.cancel();
  }

  #check = (): void => {
    const silentFor = this.#clock.now() - this.#lastHeard;
    if (silentFor < this.#timeoutMs) return this.#timer.arm(this.#timeoutMs - silentFor);
    if (!this.#onSilent()) return;
    this.#lastHeard = this.#clock.now();
    this.#timer.arm(this.#timeoutMs);
  };
}
