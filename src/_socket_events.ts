/**
 * The socket's events as the transport takes them: a binary message as an `ArrayBuffer`, a
 * close with the code it stands for, an error as a `TransportError`, and a socket that never
 * opens as a dropped connection.
 *
 * @module
 */

import type { Clock, ClockTimer } from "./clock.ts";
import { TransportError } from "./errors.ts";
import { ReadyState, type WebSocketLike } from "./socket.ts";
import { closeEvenIfOpenedLater } from "./_late_open_close.ts";
import { thrownText } from "./_thrown_text.ts";

/** What the transport does with each of its socket's events. */
export interface SocketEventHandlers {
  /** A message; listened with as it is, so that a message costs no call more than it must. */
  message: (event: Event) => void;
  /** The socket opened (listened for only while it is connecting). */
  open: () => void;
  /** The socket closed, with the code it stands for. */
  close: (code: number, reason: string) => void;
  /** Something the socket or its adapter reported. */
  error: (error: TransportError) => void;
}

/** How long a connecting socket may take to open, on the session's clock. */
export interface OpenBound {
  /** The session's time source. */
  clock: Clock;
  /** After this long still connecting, the socket counts as a dropped connection. */
  openTimeoutMs: number;
  /**
   * Whether the session's own close has begun (`SocketCloser.begun`): the bound leaves it be.
   *
   * @default {never}
   */
  closing?: () => boolean;
}

/** Listens to one socket for one session, until {@linkcode stop}. */
export class SocketEvents {
  readonly #socket: WebSocketLike;
  readonly #handlers: SocketEventHandlers;
  readonly #openTimeoutMs: number;
  readonly #clock: Clock | undefined;
  readonly #closing: () => boolean;
  /** Armed while the socket connects (see {@linkcode OpenBound}). */
  readonly #openBound: ClockTimer | undefined;

  /** Starts listening; a connecting socket is given `bound.openTimeoutMs` to open. */
  constructor(socket: WebSocketLike, handlers: SocketEventHandlers, bound?: OpenBound) {
    this.#socket = socket;
    this.#handlers = handlers;
    this.#openTimeoutMs = bound?.openTimeoutMs ?? Infinity;
    this.#clock = bound?.clock;
    this.#closing = bound?.closing ?? (() => false);
    // Binary messages arrive as Blob otherwise, which costs an async read and can reorder them.
    // A socket that fixes its binaryType (some test doubles) still works: Blob is handled.
    try {
      socket.binaryType = "arraybuffer";
    } catch { /* see above */ }
    try {
      socket.addEventListener("message", handlers.message);
      socket.addEventListener("close", this.#onClose);
      socket.addEventListener("error", this.#onError);
      if (socket.readyState === ReadyState.CONNECTING) {
        socket.addEventListener("open", this.#onOpen);
        // A connecting socket may never open, and then never closes either (Deno upgrades after
        // an awaited `authorize` even for a caller gone meanwhile): unbounded, it never ends.
        if (bound !== undefined) {
          this.#openBound = bound.clock.timer(this.#neverOpened);
          this.#openBound.arm(bound.openTimeoutMs);
        }
      }
    } catch (error) {
      // A socket of one's own that refuses a listener (or its `readyState`) part-way: the
      // transport is never made, so nothing of it may stay on the socket: a later message or
      // close would reach a session that does not exist.
      this.#unlistenAfter(error);
    }
  }

  /** Takes back what the constructor added before `error`, then throws `error`. */
  #unlistenAfter(error: unknown): never {
    try {
      this.stop();
    } catch {
      // The same socket refusing to let go: `error`, the first refusal, says what is wrong.
    }
    throw error;
  }

  /** Stops listening. */
  stop(): void {
    const socket = this.#socket;
    socket.removeEventListener("message", this.#handlers.message);
    socket.removeEventListener("close", this.#onClose);
    socket.removeEventListener("error", this.#onError);
    socket.removeEventListener("open", this.#onOpen);
    this.#openBound?.cancel();
  }

  #onOpen = (): void => {
    this.#openBound?.cancel();
    this.#handlers.open();
  };

  /**
   * Still connecting `openTimeoutMs` on: no event will come, so the caller is taken as gone, a
   * dropped connection (1006). The socket is dropped where the runtime can, else closed, which a
   * connecting socket does should it open after all: nothing may go on it. The "timeout" only
   * says why (not fatal, as a socket's "error" before its close is not): the close that follows
   * settles the session as the caller's end, `initiator` "remote" with a "disconnected" event.
   * Not a session whose own close has begun: that close waits for the socket to open (see
   * `SocketCloser`), bounded by `closeTimeoutMs` and then dropping the socket itself, and ends the
   * session with its code and reason. Ended here, the bot's close was lost: `closed` said 1006 and
   * this bound's reason, and a client whose socket opened late (Hono on Workers, at the client's
   * first message) read that reason with 1001, in place of the bot's code and reason.
   */
  #neverOpened = (): void => {
    const socket = this.#socket;
    if (socket.readyState !== ReadyState.CONNECTING || this.#closing()) return;
    const reason = `the socket did not open within ${this.#openTimeoutMs} ms`;
    this.#handlers.error(new TransportError("timeout", reason, { closeCode: 1006 }));
    this.stop(); // the close below is the session's end: the socket's own events come too late
    try {
      socket.terminate?.();
      if (socket.readyState === ReadyState.CONNECTING) {
        // A late 101 (Deno) opens it all the same: closed again then (the bound: as long again).
        const bound = { clock: this.#clock!, timeoutMs: this.#openTimeoutMs };
        closeEvenIfOpenedLater(socket, () => socket.close(), bound);
      }
    } catch (cause) {
      const message = `dropping a socket that never opened failed: ${thrownText(cause)}`;
      this.#handlers.error(new TransportError("closed", message, { cause }));
    }
    this.#handlers.close(1006, reason);
  };

  #onClose = (event: Event): void => {
    const { code, reason = "", wasClean } = event as CloseEvent;
    // Some runtimes report a dropped connection as code 0 or none at all: it is 1006 (RFC 6455
    // §7.1.5) unless the closing handshake did happen, when the peer simply sent no code (1005).
    this.#handlers.close(
      code === undefined || code === 0 ? (wasClean ? 1005 : 1006) : code,
      reason,
    );
  };

  #onError = (event: Event): void => {
    // An adapter's socket reports what its runtime refused on the transport's behalf (a message
    // over the size limit) as the transport's own error: fatal ones close from this side.
    const refusal = (event as Event & { error?: unknown }).error;
    if (refusal instanceof TransportError) return this.#handlers.error(refusal);
    // Runtimes follow an "error" event with "close"; the close settles the session.
    const message = (event as Event & { message?: string }).message ?? "socket error";
    this.#handlers.error(new TransportError("closed", message, { cause: event }));
  };
}
