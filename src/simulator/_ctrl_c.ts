/**
 * The command line's Ctrl-C: the first SIGINT hangs the calls up (each reports what happened
 * until then); a second, pressed when that takes too long, is the shell's again and ends the
 * process at once. Copies of the first that arrive just after it are the same Ctrl-C relayed by
 * a wrapper, not a second press: the terminal sends SIGINT to every process of the foreground
 * group, and `npm run` passes the one it gets on to its script as well, so under
 * `npm run simulate` the simulator got two SIGINTs 2 ms apart, took the second for the user's
 * second press and died without a report.
 *
 * @module
 */

import type { Clock, ClockTimer } from "../clock.ts";

/**
 * How long after the first SIGINT further ones are taken as relayed copies of it: a wrapper
 * passes its copy on within milliseconds, a person presses again only after seeing the first
 * not end the run.
 */
export const RELAYED_SIGINT_MS = 500;

/** Where SIGINT's listener is added and removed: Deno's, or a test's. */
export interface SigintSource {
  add(listener: () => void): void;
  remove(listener: () => void): void;
}

/** Deno's SIGINT. */
export const DENO_SIGINT: SigintSource = {
  add: (listener) => Deno.addSignalListener("SIGINT", listener),
  remove: (listener) => Deno.removeSignalListener("SIGINT", listener),
};

/** Options for {@linkcode CtrlC}. */
export interface CtrlCOptions {
  clock: Clock;
  /** Called on the first SIGINT, once. */
  onInterrupt: () => void;
  source?: SigintSource;
}

/** Listens for Ctrl-C from its construction until {@linkcode stop}. */
export class CtrlC {
  readonly #source: SigintSource;
  readonly #onInterrupt: () => void;
  readonly #window: ClockTimer;
  #interrupted = false;
  #listening = true;
  /** SIGINTs taken as relayed copies of the first, not acted on. */
  #relayed = 0;

  constructor(options: CtrlCOptions) {
    this.#source = options.source ?? DENO_SIGINT;
    this.#onInterrupt = options.onInterrupt;
    // Once the window has passed, the listener goes: the next Ctrl-C is the shell's.
    this.#window = options.clock.timer(() => this.#unlisten());
    this.#source.add(this.#onSignal);
  }

  /** Whether Ctrl-C was pressed. */
  get interrupted(): boolean {
    return this.#interrupted;
  }

  /** SIGINTs that came within {@linkcode RELAYED_SIGINT_MS} of the first, taken as copies of it. */
  get relayed(): number {
    return this.#relayed;
  }

  /** Stops listening: a Ctrl-C from now on is the shell's. */
  stop(): void {
    this.#window.cancel();
    this.#unlisten();
  }

  readonly #onSignal = (): void => {
    if (this.#interrupted) {
      this.#relayed++;
      return;
    }
    this.#interrupted = true;
    this.#window.arm(RELAYED_SIGINT_MS);
    this.#onInterrupt();
  };

  #unlisten(): void {
    if (!this.#listening) return;
    this.#listening = false;
    this.#source.remove(this.#onSignal);
  }
}
