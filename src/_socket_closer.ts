/**
 * Closing a session's socket, bounded: the closing handshake gets `closeTimeoutMs`, and a peer
 * that never answers has its connection dropped, so nothing outlives the session.
 *
 * @module
 */

import { capCloseReason } from "./_close_reason.ts";
import type { Clock } from "./clock.ts";
import { TransportError } from "./errors.ts";
import { ReadyState, type WebSocketLike } from "./socket.ts";
import { thrownText } from "./_thrown_text.ts";
import { closeEvenIfOpenedLater } from "./_late_open_close.ts";
import { terminate } from "./_terminate.ts";

/** Options for {@linkcode SocketCloser}. */
export interface SocketCloserOptions {
  /** The socket to close. */
  socket: WebSocketLike;
  /** For the bounds. */
  clock: Clock;
  /** How long the peer has to answer. */
  closeTimeoutMs: number;
  /** Aborted once the socket has closed (its close event came): ends every wait here. */
  closedSignal: AbortSignal;
  /** Settles the session with this code and reason, when the close event will not come. */
  finish: (code: number, reason: string) => void;
  /** Takes the problems met on the way (a failing `close`, a peer that never answered). */
  report: (error: TransportError) => void;
}

/** Closes one socket, within bounds. */
export class SocketCloser {
  readonly #socket: WebSocketLike;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #closed: AbortSignal;
  readonly #finish: (code: number, reason: string) => void;
  readonly #report: (error: TransportError) => void;
  /**
   * Whether {@linkcode close} has begun: the session ends with this close (its code and reason,
   * within its own bound), which the open bound of `SocketEvents` leaves be.
   */
  #begun = false;

  /** Makes a closer for one socket. */
  constructor(options: SocketCloserOptions) {
    this.#socket = options.socket;
    this.#clock = options.clock;
    this.#timeoutMs = options.closeTimeoutMs;
    this.#closed = options.closedSignal;
    this.#finish = options.finish;
    this.#report = options.report;
  }

  /** Whether {@linkcode close} has begun (see `#begun`). */
  get begun(): boolean {
    return this.#begun;
  }

  /**
   * Starts the closing handshake (the reason cut to 123 bytes) and waits for the peer's answer,
   * at most `closeTimeoutMs`; past that the session is settled all the same and the connection
   * dropped where the socket can (`WebSocketLike.terminate`). The session settles with the cut
   * reason on every path, as the close event reports it when the peer answers.
   */
  async close(code: number, reason: string): Promise<void> {
    this.#begun = true; // before the wait for the socket to open, which may be long
    // What goes out, and so what `closed` says however the close ends: the peer's answer echoes
    // the cut reason, and one path settling with the whole would make `closed` differ by path.
    const sent = this.#sendable(reason);
    // Closed before it opened, a socket goes with no close frame on some runtimes (Deno): let it
    // open first, within the same bound.
    if (this.#socket.readyState === ReadyState.CONNECTING) await this.#opened();
    const state = this.#socket.readyState;
    if (state === ReadyState.CLOSED) return this.#finish(code, sent);
    if (state !== ReadyState.CLOSING) {
      try {
        const bound = { clock: this.#clock, timeoutMs: this.#timeoutMs };
        closeEvenIfOpenedLater(this.#socket, code, sent, bound);
      } catch (cause) {
        const message = `socket.close(${code}) failed: ${thrownText(cause)}`;
        this.#report(new TransportError("closed", message, { cause }));
      }
    }
    if (await this.peerClosed()) return;
    // The peer never answered: the session is over all the same, and the connection must not
    // outlive it. Settled with the code we sent, not the 1006 of the drop: what a runtime that
    // closes at once reports too (Bun), so `closed` says the same everywhere, `initiator` "local";
    // the "timeout" below tells the handshake went unanswered.
    this.#finish(code, sent);
    try {
      terminate(this.#socket);
    } catch (cause) {
      this.#report(
        new TransportError("closed", `terminate failed: ${thrownText(cause)}`, { cause }),
      );
    }
    const timeout = `no close handshake within ${this.#timeoutMs} ms`;
    this.#report(new TransportError("timeout", timeout, { closeCode: code }));
  }

  /**
   * `reason` cut to what a close frame carries. From plain JavaScript it may be no string (a
   * `null`, a number): converted as the WebSocket API's `close` converts it (WebIDL `USVString`:
   * `String`), since a throw here, before anything is sent, would leave the socket open and the
   * session never settled. One that cannot be converted (a `toString` that throws) goes as none,
   * reported.
   */
  #sendable(reason: unknown): string {
    if (typeof reason === "string") return capCloseReason(reason);
    try {
      return capCloseReason(String(reason));
    } catch (cause) {
      const message = `the close reason cannot be made a string (${thrownText(cause)}): none sent`;
      this.#report(new TransportError("closed", message, { cause }));
      return "";
    }
  }

  /** Waits for the socket to close, at most `closeTimeoutMs`; returns whether it did. */
  async peerClosed(): Promise<boolean> {
    try {
      await this.#clock.sleep(this.#timeoutMs, this.#closed);
      return false;
    } catch {
      return true; // the close event came
    }
  }

  /** Settles once the socket has opened or closed, or `closeTimeoutMs` has passed. */
  #opened(): Promise<void> {
    const socket = this.#socket;
    const done = new AbortController();
    return new Promise<void>((resolve) => {
      const settle = () => {
        done.abort();
        socket.removeEventListener("open", settle);
        resolve();
      };
      socket.addEventListener("open", settle);
      const bound = AbortSignal.any([done.signal, this.#closed]);
      this.#clock.sleep(this.#timeoutMs, bound).then(settle, settle);
    });
  }
}
