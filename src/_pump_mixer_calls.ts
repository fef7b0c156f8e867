/**
 * The background mixer's own code as the outbound pump (`_outbound_pump.ts`) runs it: the
 * application's, run from a socket's listener or a timer the session shares with others. What
 * its `attach`, `fill` or `mix` throws, or a `fill` of no audio, ends this session only (a fatal
 * "application" error, close code 1011), as a session observer's exception does; what its
 * `detach` throws, inside the session's end, is reported and the end goes on; a mixer that
 * declines the session is told of as a non-fatal error and the session goes on without it.
 *
 * Its own file because attaching and detaching are cold (once a session), and the errors are
 * made only when the mixer threw. The per-chunk calls (`fill`, `mix`) stay in the pump, which
 * wraps what they throw in a {@linkcode MixerThrew}: no call is added to a chunk's path.
 *
 * @module
 */

import { thrownText } from "./_thrown_text.ts";
import { TransportError } from "./errors.ts";
import type { MixerFormat, OutboundMixer } from "./session_observer.ts";

/**
 * What the mixer's `fill` or `mix` threw, as the run's failure: the application's code, told
 * apart from the path's own faults, as what its `attach` throws is.
 */
export class MixerThrew {
  constructor(readonly step: "fill" | "mix", readonly cause: unknown) {}

  /** The session's fatal error for it (see the module doc). */
  toError(): TransportError {
    const message = `the background mixer's ${this.step} threw: ${thrownText(this.cause)}`;
    return new TransportError("application", message, {
      cause: this.cause,
      closeCode: 1011,
      fatal: true,
    });
  }
}

/** Why a `fill` that gave a chunk of no audio ends the session (see the pump's `#fill`). */
export const EMPTY_FILL = "fill() gave a chunk with no audio: return undefined when there is no " +
  "background now, else one chunkMs of it";

/**
 * Attaches `mixer` to a session of `format`; `wake` runs the pump when the background has audio
 * again. Returns `undefined` where it attached, else the error to report once the pump has
 * settled its state (a listener of it may write): fatal where `attach` threw (the session ends,
 * nothing sent meanwhile), not fatal where the mixer declined the session (a `BackgroundAudio`
 * plays in one: the session goes on without it, told why).
 */
export function attachMixer(
  mixer: OutboundMixer,
  options: { format: MixerFormat; wake: () => void },
): TransportError | undefined {
  try {
    if (mixer.attach(options.format, options.wake) !== false) return undefined;
  } catch (cause) {
    const message = `the background mixer's attach threw: ${thrownText(cause)}`;
    return new TransportError("application", message, { cause, closeCode: 1011, fatal: true });
  }
  const message = "the background declined this session: it plays in another session, or " +
    "played in one that has ended (a BackgroundAudio plays in one session: give each its own, " +
    "or in options shared by sessions background: () => new BackgroundAudio(track)); this " +
    "one goes without it";
  return new TransportError("application", message);
}

/**
 * Detaches `mixer` (`attached`: its `attach` was called and did not decline), started or not, so
 * that a streamed source is released. Returns the error to report where `detach` threw: inside
 * the session's end, which goes on.
 */
export function detachMixer(mixer: OutboundMixer, attached: boolean): TransportError | undefined {
  try {
    mixer.detach(attached);
  } catch (cause) {
    const message = `the background mixer's detach threw: ${thrownText(cause)}`;
    return new TransportError("application", message, { cause });
  }
  return undefined;
}
