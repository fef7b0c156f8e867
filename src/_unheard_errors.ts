/**
 * The errors a transport reports before anyone listens for them. An adapter's `upgrade()` returns
 * the transport a few microtasks after a serializer's set-up may have reported (Exotel's chunkMs),
 * before the caller could add a listener: such errors wait here for the first "error" listener.
 *
 * @module
 */

import type { TransportError } from "./errors.ts";
import type { TransportStats } from "./transport_stats.ts";

/** How many errors are held for the first listener; more are counted, the oldest going first. */
const MAX_HELD = 16;

/** Holds errors until the first "error" listener, then hands them over in order. */
export class UnheardErrors {
  readonly #stats: TransportStats;
  readonly #dispatch: (error: TransportError) => void;
  /** The errors held; `undefined` once they have all been handed over. */
  #held: TransportError[] | undefined = [];
  #delivering = false;

  /** `dispatch` sends one error to the listeners. */
  constructor(stats: TransportStats, dispatch: (error: TransportError) => void) {
    this.#stats = stats;
    this.#dispatch = dispatch;
  }

  /** Dispatches `error` now, or holds it while no one has listened yet (or the held go out). */
  report(error: TransportError): void {
    const held = this.#held;
    if (held === undefined) return this.#dispatch(error);
    if (held.length === MAX_HELD) {
      held.shift();
      this.#stats.errorsUnheard++;
    }
    held.push(error);
  }

  /**
   * An "error" listener was added: the errors held go to the listeners a microtask later (not
   * inside `addEventListener`); errors reported meanwhile, by a listener too, join the end.
   */
  listenerAdded(): void {
    const held = this.#held;
    if (held === undefined || this.#delivering) return;
    if (held.length === 0) {
      this.#held = undefined;
      return;
    }
    this.#delivering = true;
    queueMicrotask(() => {
      for (let error = held.shift(); error !== undefined; error = held.shift()) {
        this.#dispatch(error);
      }
      this.#held = undefined;
    });
  }
}
