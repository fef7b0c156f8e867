/**
 * The session's own clocks: the session timeout, the silent-peer watch, and the user's abort
 * signal, each ending or reporting the session when its time comes.
 *
 * @module
 */

import type { Clock, ClockTimer } from "./clock.ts";

/** Options for {@linkcode SessionWatch}. */
export interface SessionWatchOptions {
  /** Dispatch "sessiontimeout" once after this many milliseconds. */
  sessionTimeoutMs: number | undefined;
  /** After this many milliseconds without a message, "inactive" and then close (1001). */
  inactivityTimeoutMs: number | undefined;
  /** Aborting it closes the session. */
  signal: AbortSignal | undefined;
  /** Dispatches on the transport; returns false when a listener prevented the default. */
  dispatch: (event: Event) => boolean;
  /** Closes the session. */
  close: (code?: number, reason?: string) => void;
}

/**
 * Watches one session. The silent-peer watch costs one field write per message and one timer per
 * `inactivityTimeoutMs`, not a timer per message.
 */
export class SessionWatch {
  readonly #clock: Clock;
  readonly #options: SessionWatchOptions;
  readonly #timeout: ClockTimer | undefined;
  readonly #silence: ClockTimer | undefined;
  // Not once stopped: an abort seen at the start closes on a microtask, and the session may be
  // over by then (its constructor failed after this watch was made).
  readonly #onAbort = () => {
    if (!this.#stopped) this.#options.close();
  };
  #lastHeard: number;
  /** The session is over: nothing is armed, dispatched or closed again. */
  #stopped = false;

  /** Starts watching now. */
  constructor(clock: Clock, options: SessionWatchOptions) {
    this.#clock = clock;
    this.#options = options;
    this.#lastHeard = clock.now();
    const { sessionTimeoutMs, inactivityTimeoutMs, signal } = options;
    if (sessionTimeoutMs !== undefined) {
      this.#timeout = clock.timer(() => options.dispatch(new Event("sessiontimeout")));
      this.#timeout.arm(sessionTimeoutMs);
    }
    if (inactivityTimeoutMs !== undefined) {
      this.#silence = clock.timer(this.#checkSilence);
      this.#silence.arm(inactivityTimeoutMs);
    }
    if (signal?.aborted) queueMicrotask(this.#onAbort);
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** The peer said something. */
  heard(): void {
    // Read the clock only when someone watches: it is one read per message otherwise.
    if (this.#silence !== undefined) this.#lastHeard = this.#clock.now();
  }

  /** The session is over: no timer and no listener is left. */
  stop(): void {
    this.#stopped = true;
    this.#timeout?.cancel();
    this.#silence?.cancel();
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
  }

  #checkSilence = (): void => {
    const timeoutMs = this.#options.inactivityTimeoutMs!;
    const silentFor = this.#clock.now() - this.#lastHeard;
    if (silentFor < timeoutMs) return this.#silence!.arm(timeoutMs - silentFor);
    // A listener that calls preventDefault() keeps the session: it is told again later.
    const closes = this.#options.dispatch(new Event("inactive", { cancelable: true }));
    // Unless the session ended inside the listener (it closed a socket that was closed already,
    // or the peer's close came): `stop` has run, and a timer armed now would outlive it.
    if (this.#stopped) return;
    if (closes) {
      this.#options.close(1001, `nothing from the peer for ${timeoutMs} ms`);
      return;
    }
    this.#lastHeard = this.#clock.now();
    this.#silence!.arm(timeoutMs);
  };
}
