/**
 * The session's own clocks: the session timeout, the silent-peer watch, the far end's close after
 * its end of stream, and the user's abort signal, each ending or reporting the session when its
 * time comes.
 *
 * @module
 */

import type { Clock, ClockTimer } from "./clock.ts";
import { TransportError } from "./errors.ts";

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
  /**
   * How long the far end has to close the socket once it has ended its stream (see
   * {@linkcode SessionWatch.farEndEnded}): the transport's `closeTimeoutMs`.
   */
  closeTimeoutMs: number;
  /** Whether the session is ending already: the bot's `end` or `cancel` written, or a close begun. */
  ending: () => boolean;
  /**
   * Takes the fatal "timeout" of a far end that ended its stream and never closed (the transport
   * reports it and closes with its code and message, as {@linkcode close} is then called with).
   */
  report: (error: TransportError) => void;
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
  /** Bounds the far end's close after its end of stream; made when first armed. */
  #endedBound: ClockTimer | undefined;
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

  /**
   * The far end ended its stream (an inbound `end` frame: Twilio's, Telnyx's, Plivo's or Exotel's
   * `stop`, Genesys's `close`). Its close comes next: Twilio closes the socket right after its
   * `stop`, Genesys once it has our `closed`. A proxy, or a peer that copies the protocol, may
   * keep the socket open, and the session, its socket and its timers were held for good: the far
   * end has `closeTimeoutMs`, then the session closes from this side (that close bounded as any
   * is). Armed once: a second `end`, or media after it, does not put it off.
   */
  farEndEnded(): void {
    if (this.#stopped || this.#endedBound?.armed) return;
    this.#endedBound ??= this.#clock.timer(this.#endedUnclosed);
    this.#endedBound.arm(this.#options.closeTimeoutMs);
  }

  /** The far end began a stream (a `start`): a new one on the same socket, so none has ended. */
  farEndStarted(): void {
    this.#endedBound?.cancel();
  }

  /** The session is over: no timer and no listener is left. */
  stop(): void {
    this.#stopped = true;
    this.#timeout?.cancel();
    this.#silence?.cancel();
    this.#endedBound?.cancel();
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
  }

  /**
   * The far end ended its stream `closeTimeoutMs` ago and has not closed. Not where the session
   * is ending already: the bot answered with its `end` (its goodbye plays, then it closes, each
   * step bounded) or `cancel`, or a close has begun. Fatal, as Genesys's close that never came
   * after our `disconnect` is: the session closes with 1000 and the error's message.
   */
  #endedUnclosed = (): void => {
    const { ending, report, close, closeTimeoutMs } = this.#options;
    if (this.#stopped || ending()) return;
    const message = `the far end ended its stream and did not close within ${closeTimeoutMs} ms`;
    report(new TransportError("timeout", message, { closeCode: 1000, fatal: true }));
    if (!this.#stopped) close(1000, message); // after the transport's report, a close under way
  };

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
