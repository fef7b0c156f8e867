/**
 * The bounded wait for a socket that holds too much unsent to drain: it looks at
 * `bufferedAmount` every few milliseconds, and past `sendTimeoutMs` takes the peer to have
 * stopped reading and ends the session.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { TransportError } from "./errors.ts";
import type { WebSocketLike } from "./socket.ts";

/** How often a send blocked on `bufferedAmount` looks again. */
const DRAIN_POLL_MS = 10;

/**
 * The sender's running bound on what the socket holds unsent (the last look at `bufferedAmount`
 * plus what was sent since), kept by the sender because every message adds to it; a wait renews
 * it at each look, so that the sends after the wait read the socket again only once it is over.
 */
export interface UnsentBound {
  /** The bound now: the report names it. */
  read(): number;
  /** A look at the socket found `bytes` unsent. */
  renew(bytes: number): void;
}

/** Options for {@linkcode DrainWait}. */
export interface DrainWaitOptions {
  /** The socket whose `bufferedAmount` is watched (none on Workers: read as 0, drained). */
  socket: Pick<WebSocketLike, "bufferedAmount">;
  /** For the looks and the bound. */
  clock: Clock;
  /** Aborted when the session is over: ends a wait at once. */
  signal: AbortSignal;
  /** Waiting ends once the socket holds no more than this unsent. */
  maxBufferedBytes: number;
  /** How long a wait may last before the peer is given up. */
  sendTimeoutMs: number;
  /** The sender's bound on what is unsent. */
  unsent: UnsentBound;
  /** Takes the fatal "backpressure" error (1008) of a peer given up. */
  onError: (error: TransportError) => void;
}

/**
 * Waits, for one session's sender, while its socket holds more than `maxBufferedBytes` unsent,
 * at most `sendTimeoutMs` a wait. Called only once a send found the socket over the limit: the
 * usual send never reaches it.
 */
export class DrainWait {
  readonly #socket: Pick<WebSocketLike, "bufferedAmount">;
  readonly #clock: Clock;
  readonly #signal: AbortSignal;
  readonly #maxBufferedBytes: number;
  readonly #sendTimeoutMs: number;
  readonly #unsent: UnsentBound;
  readonly #onError: (error: TransportError) => void;

  /** Makes the wait for one session. */
  constructor(options: DrainWaitOptions) {
    this.#socket = options.socket;
    this.#clock = options.clock;
    this.#signal = options.signal;
    this.#maxBufferedBytes = options.maxBufferedBytes;
    this.#sendTimeoutMs = options.sendTimeoutMs;
    this.#unsent = options.unsent;
    this.#onError = options.onError;
  }

  /**
   * Called with more than `maxBufferedBytes` unsent (just read): looks again until it drains.
   * Resolves once it has, once the session ended, or once the peer was given up (reported).
   */
  async wait(): Promise<void> {
    const unsent = this.#unsent;
    const deadline = this.#clock.now() + this.#sendTimeoutMs;
    let bytes: number;
    do {
      if (this.#clock.now() >= deadline) {
        this.#onError(
          new TransportError(
            "backpressure",
            `peer read nothing for ${this.#sendTimeoutMs} ms: ${unsent.read()} bytes unsent`,
            { closeCode: 1008, fatal: true },
          ),
        );
        return;
      }
      try {
        await this.#clock.sleep(DRAIN_POLL_MS, this.#signal);
      } catch {
        return; // the session ended
      }
      bytes = this.#socket.bufferedAmount ?? 0;
      unsent.renew(bytes);
    } while (bytes > this.#maxBufferedBytes);
  }
}
