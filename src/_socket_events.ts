/**
 * The socket's events as the transport takes them: a binary message as an `ArrayBuffer`, a
 * close with the code it stands for, an error as a `TransportError`, and a socket that never
 * opens as a dropped connection, or, where the bot's `end` waits for it, as the bot's end.
 *
 * @module
 */

import type { Clock, ClockTimer } from "./clock.ts";
import { TransportError } from "./errors.ts";
import { ReadyState, type WebSocketLike } from "./socket.ts";
import { capCloseReason } from "./_close_reason.ts";
import { closeEvenIfOpenedLater } from "./_late_open_close.ts";
import { thrownText } from "./_thrown_text.ts";
import { terminate } from "./_terminate.ts";

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
  /**
   * A message the runtime refused unread, over its size limit, having closed with 1009 itself
   * (`ws`, Bun, workerd; see `EventSocket.dispatchRefusal`): the refusal the transport makes
   * itself on Deno, which counts the message as received and not read.
   */
  refused: (error: TransportError) => void;
}

/**
 * The bot's `end`, as the open bound sees it (the session's `OutboundPath`): written before the
 * socket opened, it is the bot's own ending, as its `close()` would be, not the caller's drop.
 */
export interface EndBeforeOpen {
  /** Whether an `end` waits to be said: queued, or written and waiting in a writer for room. */
  readonly endWaits: boolean;
  /**
   * The socket did not open in time for it: the session ends as the bot's end (its goodbye,
   * `initiator` "local"), `settle` called in place of the `end` said, with the code and reason
   * that end closes with.
   */
  neverSaid(settle: (code: number, reason: string) => void): void;
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
  /**
   * The bot's `end`: while one waits to be said, the bound leaves the session be, and gives the
   * socket `closeTimeoutMs` more to open (see `#neverOpened`).
   *
   * @default {none}
   */
  end?: EndBeforeOpen;
  /**
   * How much longer than `openTimeoutMs` a socket may take to open under the bot's `end`: the
   * session's `closeTimeoutMs`, what its `close()` would wait for the socket to open.
   *
   * @default {0}
   */
  closeTimeoutMs?: number;
}

/** Listens to one socket for one session, until {@linkcode stop}. */
export class SocketEvents {
  readonly #socket: WebSocketLike;
  readonly #handlers: SocketEventHandlers;
  readonly #openTimeoutMs: number;
  readonly #clock: Clock | undefined;
  readonly #closing: () => boolean;
  readonly #end: EndBeforeOpen | undefined;
  readonly #closeTimeoutMs: number;
  /** Armed while the socket connects (see {@linkcode OpenBound}). */
  readonly #openBound: ClockTimer | undefined;
  /** The open bound has passed under the bot's `end`: armed again, it is the end's wait. */
  #endWaiting = false;

  /** Starts listening; a connecting socket is given `bound.openTimeoutMs` to open. */
  constructor(socket: WebSocketLike, handlers: SocketEventHandlers, bound?: OpenBound) {
    this.#socket = socket;
    this.#handlers = handlers;
    this.#openTimeoutMs = bound?.openTimeoutMs ?? Infinity;
    this.#clock = bound?.clock;
    this.#closing = bound?.closing ?? (() => false);
    this.#end = bound?.end;
    this.#closeTimeoutMs = bound?.closeTimeoutMs ?? 0;
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
   *
   * Nor, at first, a session whose bot has written its `end`: that is the bot's ending too, a
   * goodbye said before its close. The socket is given `closeTimeoutMs` more to open (what a
   * `close()` made at the bound would wait for it; counted from the bound, not from the `end`, so
   * an early goodbye never gives up sooner than a session without one): opened, the queued audio
   * plays and the goodbye is said, then the close, as any `end`'s. Not open then, the session ends
   * as the bot's end would (`#endNeverSaid`). Ended here as the caller's drop, the bot's ending
   * was lost as its close was: a 1006, a "disconnected" event, and a late client closed with
   * none of the end's reason.
   */
  #neverOpened = (): void => {
    const socket = this.#socket;
    if (socket.readyState !== ReadyState.CONNECTING || this.#closing()) return;
    if (this.#endWaiting) return this.#end!.neverSaid(this.#endNeverSaid);
    if (this.#end?.endWaits) {
      this.#endWaiting = true;
      return this.#openBound!.arm(this.#closeTimeoutMs);
    }
    const reason = `the socket did not open within ${this.#openTimeoutMs} ms`;
    this.#handlers.error(new TransportError("timeout", reason, { closeCode: 1006 }));
    this.#drop(undefined, undefined, this.#openTimeoutMs);
    this.#handlers.close(1006, reason);
  };

  /**
   * The bot's `end` waited past both bounds for a socket that never opened: said to nobody. The
   * session ends as that end's close would (`code` and `reason`, `initiator` "local": the bot's
   * goodbye, `EndBeforeOpen.neverSaid`, has made it ours; no "disconnected"); what was queued to
   * go before it never left (counted dropped as the session stops). The "timeout" says why (not
   * fatal: the session is ending already). The socket is dropped as at the open bound, and closed
   * with the end's code and reason should it open after all: a late client reads the bot's close.
   */
  #endNeverSaid = (code: number, reason: string): void => {
    const waited = this.#openTimeoutMs + this.#closeTimeoutMs;
    const message = `the socket did not open within ${waited} ms (openTimeoutMs, then ` +
      `closeTimeoutMs for the bot's end): the end was never said`;
    this.#handlers.error(new TransportError("timeout", message, { closeCode: code }));
    const sent = capCloseReason(reason); // what a close frame carries, and so what `closed` says
    this.#drop(code, sent, this.#closeTimeoutMs);
    this.#handlers.close(code, sent);
  };

  /**
   * Stops listening and drops the socket that never opened where the runtime can, else closes
   * it with `code` and `reason` (none: no code): a late 101 (Deno) opens it all the same, and it
   * is closed again then, the caller's answer bounded by `timeoutMs`. A failure is reported.
   */
  #drop(code: number | undefined, reason: string | undefined, timeoutMs: number): void {
    const socket = this.#socket;
    this.stop(); // the close that follows is the session's end: the socket's events come too late
    try {
      terminate(socket);
      if (socket.readyState === ReadyState.CONNECTING) {
        closeEvenIfOpenedLater(socket, code, reason, { clock: this.#clock!, timeoutMs });
      }
    } catch (cause) {
      const message = `dropping a socket that never opened failed: ${thrownText(cause)}`;
      this.#handlers.error(new TransportError("closed", message, { cause }));
    }
  }

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
    // over the size limit) as the transport's own error: fatal ones close from this side. Its
    // close code tells a refused message (1009, Message Too Big: RFC 6455 §7.4.1) from the rest
    // (workerd's upgrade never served, a "timeout").
    const refusal = (event as Event & { error?: unknown }).error;
    if (refusal instanceof TransportError) {
      return refusal.closeCode === 1009
        ? this.#handlers.refused(refusal)
        : this.#handlers.error(refusal);
    }
    // Runtimes follow an "error" event with "close"; the close settles the session.
    const message = (event as Event & { message?: string }).message ?? "socket error";
    this.#handlers.error(new TransportError("closed", message, { cause: event }));
  };
}
