/**
 * The errors a transport reports while no one listens for them. An adapter's `upgrade()` returns
 * the transport a few microtasks after a serializer's set-up may have reported (Exotel's chunkMs),
 * before the caller could add a listener; later, a first listener added with `{ once: true }`
 * goes with the first error it hears, and one added and removed in the same turn (a probe, a
 * component subscribing anew) leaves no one. Every "error" event that reached no listener waits
 * here for the next "error" listener.
 *
 * @module
 */

import type { TransportError } from "./errors.ts";
import type { TransportStats } from "./transport_stats.ts";

/**
 * How many errors are held for the next listener; more are counted, the oldest going first. Not
 * while a listener added is being handed them: those reported meanwhile have a listener.
 */
const MAX_HELD = 16;

/** Holds the errors no listener heard until an "error" listener is added, then hands them over. */
export class UnheardErrors {
  readonly #stats: TransportStats;
  readonly #dispatch: (error: TransportError) => boolean;
  /** The errors held, oldest first. */
  readonly #held: TransportError[] = [];
  #delivering = false;

  /** `dispatch` sends one error to the listeners and says whether one of them was reached. */
  constructor(stats: TransportStats, dispatch: (error: TransportError) => boolean) {
    this.#stats = stats;
    this.#dispatch = dispatch;
  }

  /**
   * Dispatches `error` now, and holds it if no listener heard it. While others are held, or are
   * being handed over, it joins them instead: they go out first, in the order they came.
   */
  report(error: TransportError): void {
    const waiting = this.#delivering || this.#held.length > 0;
    if (waiting || !this.#dispatch(error)) this.#hold(error);
  }

  /**
   * An "error" listener was added: the errors held go to the listeners a microtask later (not
   * inside `addEventListener`); errors reported meanwhile, by a listener too, join the end. The
   * first that reaches no listener (the one added was `once` and took an earlier one, or it was
   * removed already) stops the handing over: it and those after it wait for the next listener.
   */
  listenerAdded(): void {
    if (this.#held.length === 0 || this.#delivering) return;
    this.#delivering = true;
    queueMicrotask(() => {
      try {
        const held = this.#held;
        for (let error = held.shift(); error !== undefined; error = held.shift()) {
          // No listener ran, so nothing joined meanwhile: it goes back where it was.
          if (!this.#dispatch(error)) return void held.unshift(error);
        }
      } finally {
        this.#delivering = false;
        this.#trim(); // none heard those left: the latest wait for the next listener, as ever
      }
    });
  }

  /**
   * While a listener added is being handed the errors held, one reported meanwhile (in the same
   * turn as the `addEventListener`, or by a listener) has a listener: it waits its turn, and
   * counting it unheard for want of room would drop an error someone listens for. Held so only
   * for what one turn reports: the hand-over runs a microtask on, before any socket's next event.
   */
  #hold(error: TransportError): void {
    this.#held.push(error);
    if (!this.#delivering) this.#trim();
  }

  /** Keeps the latest `MAX_HELD`; those before go, counted as errors no listener heard. */
  #trim(): void {
    const held = this.#held;
    while (held.length > MAX_HELD) {
      held.shift();
      this.#stats.errorsUnheard++;
    }
  }
}
