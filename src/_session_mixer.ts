/**
 * A background mixer as one session uses it: what the outbound pump mixes, fills and detaches
 * through. A mixer shared by sessions (one in options many sessions share, or reused by the
 * application) may hand each session a `MixerSession` of its own from `attach`: the session is
 * then served by that alone, and its end detaches that alone, so the mixer can let go of the
 * session. Whatever the mixer keeps of it after the end, the `wake` it was given no longer
 * reaches the session's transport.
 *
 * @module
 */

import type { AudioFrame } from "./frames.ts";
import type { MixerFormat, MixerSession, OutboundMixer } from "./session_observer.ts";

/** The mixer's answer to `attach` is one session's own side: it has the three methods. */
function isMixerSession(answer: unknown, mixer: OutboundMixer): answer is MixerSession {
  // The mixer itself (an `attach` returning `this`) is the old way: served and detached as one.
  if (typeof answer !== "object" || answer === null || answer === mixer) return false;
  const session = answer as Record<string, unknown>;
  return typeof session.mix === "function" && typeof session.fill === "function" &&
    typeof session.detach === "function";
}

/** One session's use of a background mixer (internal: the pump's `mixer`). */
export class SessionMixer implements OutboundMixer {
  /** The mixer the session was given: its own or one it shares. */
  readonly mixer: OutboundMixer;
  /** What `attach` gave this session of its own, until the session is over. */
  #session: MixerSession | undefined;
  /** The pump's wake, until the session is over: what a mixer keeps of the session after it. */
  #wake: (() => void) | undefined;
  /** The mixer declined this session: it plays in another, or played in one. */
  #declined = false;
  /** Within the mixer's `attach`: a wake then is held back (see `attach`). */
  #attaching = false;
  /** The mixer woke the session within its `attach`. */
  #wokenWhileAttaching = false;

  /** Wraps `mixer` for one session. */
  constructor(mixer: OutboundMixer) {
    this.mixer = mixer;
  }

  /** Whether the mixer's `attach` declined the session (returned `false`). */
  get declined(): boolean {
    return this.#declined;
  }

  /**
   * Attaches the mixer; `false` if it declined (the pump reports it). Its exception passes on.
   * A wake within `attach` (its audio ready at once) is held back until the answer is known and
   * then passed on once: run at once, the pump would fill from the mixer's own `fill` before its
   * `MixerSession` is known (the far end would hear what the mixer plays for all), or from a
   * mixer that is about to decline the session.
   */
  attach(format: MixerFormat, wake: () => void): unknown {
    this.#wake = wake;
    this.#attaching = true;
    this.#wokenWhileAttaching = false;
    let answer: unknown;
    try {
      // A closure over this wrapper, not the pump: kept past the session, it holds none of it.
      answer = this.mixer.attach(format, () => this.#woken());
    } finally {
      this.#attaching = false;
    }
    if (answer === false) {
      this.#declined = true;
      this.#wake = undefined;
      return false;
    }
    if (isMixerSession(answer, this.mixer)) this.#session = answer;
    if (this.#wokenWhileAttaching) {
      this.#wokenWhileAttaching = false;
      this.#wake?.();
    }
    return true;
  }

  /** The mixer woke the session: the pump runs, unless `attach` is still under way. */
  #woken(): void {
    if (this.#attaching) this.#wokenWhileAttaching = true;
    else this.#wake?.();
  }

  /** The speech chunk with the background under it. */
  mix(chunk: AudioFrame): AudioFrame {
    const session = this.#session;
    return session !== undefined ? session.mix(chunk) : this.mixer.mix(chunk);
  }

  /** One chunk of background alone, or `undefined` when there is none now. */
  fill(): AudioFrame | undefined {
    const session = this.#session;
    return session !== undefined ? session.fill() : this.mixer.fill();
  }

  /**
   * The session is over: its own side is detached if it has one (the mixer's `detach` when it
   * has none: `attached` false for a session that never attached). Its wake does nothing after.
   */
  detach(attached?: boolean): void {
    const session = this.#session;
    this.#session = undefined;
    this.#wake = undefined;
    if (session !== undefined) session.detach();
    else this.mixer.detach(attached);
  }
}
