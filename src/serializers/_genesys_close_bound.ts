/**
 * The bound on Genesys's close after a `disconnect` of ours that no `end` frame brought (the
 * bot's own, a breach's, an unusable offer's). Internal to `genesys.ts`.
 *
 * AudioHook has the client answer `disconnect` with its close transaction and then close the
 * socket; the transport waits for that close after an `end` only (at most its `closeTimeoutMs`),
 * so a client that never closed would hold the session, and the bot reading it, open for ever.
 * Apart from the serializer because it is one timer with one rule: armed once by whichever
 * disconnect comes first, lifted by anything that ends the wait otherwise.
 *
 * @module
 */

import type { ClockTimer } from "../clock.ts";
import { TransportError } from "../errors.ts";
import type { SerializerContext } from "../serializer.ts";

/** Ends the session when Genesys has not closed it in time after our `disconnect`. */
export class GenesysCloseBound {
  #context: SerializerContext | undefined;
  #timer: ClockTimer | undefined;

  /** Keeps the transport's context: its clock, its `closeTimeoutMs`, its `report`. */
  bind(context: SerializerContext): void {
    this.#context = context;
  }

  /**
   * Starts the wait, unless it runs already. Past the transport's `closeTimeoutMs` (the bound it
   * sets after an `end`) the session ends: a fatal "timeout", closed with 1000. None on a context
   * without a clock (made by hand).
   */
  arm(): void {
    const clock = this.#context?.clock;
    const timeoutMs = this.#context?.closeTimeoutMs;
    if (clock === undefined || timeoutMs === undefined || this.#timer?.armed) return;
    this.#timer = clock.timer(() =>
      this.#context?.report(
        new TransportError(
          "timeout",
          `genesys: Genesys did not close the session within ${timeoutMs} ms ` +
            "(closeTimeoutMs) of our disconnect: closing it",
          { closeCode: 1000, fatal: true },
        ),
      )
    );
    this.#timer.arm(timeoutMs);
  }

  /**
   * Lifts the wait: an `end` or `cancel` hands it to the transport; Genesys's `close` or the
   * session's end makes it needless.
   */
  cancel(): void {
    this.#timer?.cancel();
  }
}
