/**
 * The listener half of a standard WebSocket, for runtimes that call handlers instead of
 * dispatching events (Bun, Hono, `ws`'s emitter): adapters extend it into a `WebSocketLike`.
 *
 * @module
 */

import type { WebSocketLike } from "../socket.ts";

// deno-lint-ignore no-explicit-any
type Listener = (event: any) => void;

/** A `WebSocketLike` whose runtime side calls {@linkcode dispatch} and its shortcuts. */
export abstract class EventSocket implements WebSocketLike {
  readonly #listeners = new Map<string, Set<Listener>>();
  #terminating = false;

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  abstract readonly readyState: number;
  /** What the runtime delivers binary messages as. */
  abstract binaryType: string;
  /** Sends one text or binary message. */
  abstract send(data: string | ArrayBuffer | ArrayBufferView): void;
  /** Starts the closing handshake. */
  abstract close(code?: number, reason?: string): void;

  /** Listens for "open", "message", "close" and "error". */
  addEventListener(type: string, listener: Listener): void {
    let listeners = this.#listeners.get(type);
    if (!listeners) this.#listeners.set(type, listeners = new Set());
    listeners.add(listener);
  }

  /** Stops listening. */
  removeEventListener(type: string, listener: Listener): void {
    this.#listeners.get(type)?.delete(listener);
  }

  /** Calls the listeners of `type` with `event`. */
  protected dispatch(type: string, event: object): void {
    if (this.#terminating && type === "close") {
      queueMicrotask(() => this.dispatch(type, event));
      return;
    }
    const listeners = this.#listeners.get(type);
    if (listeners) { for (const listener of listeners) listener(event); }
  }

  /**
   * Runs the runtime's own terminate. Bun reports it closed at once, inside the call: that close
   * is delivered a microtask later, so the transport (which terminates just before it settles
   * with its own close code) is not told a 1006 first.
   */
  protected terminateWith(terminate: () => void): void {
    this.#terminating = true;
    try {
      terminate();
    } finally {
      this.#terminating = false;
    }
  }

  /** A message: a plain `{ data }` (what listeners read of a `MessageEvent`), no Event's cost. */
  protected dispatchMessage(data: unknown): void {
    this.dispatch("message", { type: "message", data });
  }

  /** The connection closed with `code` and `reason`. */
  protected dispatchClose(code: number, reason: string): void {
    this.dispatch("close", { type: "close", code, reason });
  }

  /** The connection failed; a "close" follows. */
  protected dispatchError(message: string, error?: unknown): void {
    this.dispatch("error", { type: "error", message, error });
  }
}
