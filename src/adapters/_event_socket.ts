/**
 * The listener half of a standard WebSocket, for runtimes that call handlers instead of
 * dispatching events (Bun, Hono, `ws`'s emitter): adapters extend it into a `WebSocketLike`.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import type { WebSocketLike } from "../socket.ts";
import { reportUncaught } from "../_report_uncaught.ts";

// deno-lint-ignore no-explicit-any
type Listener = (event: any) => void;

/** A `WebSocketLike` whose runtime side calls {@linkcode dispatch} and its shortcuts. */
export abstract class EventSocket implements WebSocketLike {
  /**
   * The listeners of each type, as arrays replaced (never changed) when one is added or removed:
   * a dispatch walks the array it began with, by index, with no iterator to allocate, and knows
   * the list changed under it when the array is no longer the current one.
   */
  readonly #listeners = new Map<string, readonly Listener[]>();
  /** The "message" listeners, out of the map: a session reads them for every message. */
  #messageListeners: readonly Listener[] = [];
  #terminating = false;

  /**
   * Called, before the "close" listeners, with a close the runtime made itself on this side's
   * behalf (its server stopping, see `_server_stop_close.ts`): the adapter's session closes with
   * it there, so that it ends as this side's (`initiator` "local", no "disconnected" event) with
   * the code the peer was sent. Set by `startSession`.
   */
  onClosedHere: ((code: number, reason: string) => void) | undefined;

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  abstract readonly readyState: number;
  /** What the runtime delivers binary messages as. */
  abstract binaryType: string;
  /** Sends one text or binary message. */
  abstract send(data: string | ArrayBuffer | ArrayBufferView): void;
  /** Starts the closing handshake. */
  abstract close(code?: number, reason?: string): void;

  /** Listens for "open", "message", "close" and "error" (a listener added twice is called once). */
  addEventListener(type: string, listener: Listener): void {
    const listeners = this.#listenersOf(type);
    if (!listeners.includes(listener)) this.#setListeners(type, [...listeners, listener]);
  }

  /** Stops listening. */
  removeEventListener(type: string, listener: Listener): void {
    const listeners = this.#listenersOf(type);
    if (listeners.includes(listener)) {
      this.#setListeners(type, listeners.filter((l) => l !== listener));
    }
  }

  /** Calls the listeners of `type` with `event`. */
  protected dispatch(type: string, event: object): void {
    if (this.#terminating && type === "close") {
      queueMicrotask(() => this.dispatch(type, event));
      return;
    }
    this.#call(type, this.#listenersOf(type), event);
  }

  /**
   * Calls `listeners` (the list when the dispatch began) in order. One removed by an earlier one
   * meanwhile is skipped, as an `EventTarget` does; one added meanwhile waits for the next event.
   * One that throws (an application's, on `transport.socket`) is reported as uncaught, as an
   * `EventTarget` reports it, and the others are called all the same: its exception must not cut
   * the dispatch short, nor what the runtime side does next (the close after a refusal).
   */
  #call(type: string, listeners: readonly Listener[], event: object): void {
    for (let i = 0; i < listeners.length; i++) {
      const listener = listeners[i]!;
      const current = this.#listenersOf(type);
      if (current !== listeners && !current.includes(listener)) continue;
      try {
        listener(event);
      } catch (error) {
        reportUncaught(error);
      }
    }
  }

  #listenersOf(type: string): readonly Listener[] {
    return type === "message" ? this.#messageListeners : this.#listeners.get(type) ?? [];
  }

  #setListeners(type: string, listeners: readonly Listener[]): void {
    if (type === "message") this.#messageListeners = listeners;
    else this.#listeners.set(type, listeners);
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
    const listeners = this.#messageListeners;
    const event = { type: "message", data };
    // The transport's one listener: no list to walk.
    if (listeners.length === 1) return listeners[0]!(event);
    this.#call("message", listeners, event);
  }

  /** The connection closed with `code` and `reason`. */
  protected dispatchClose(code: number, reason: string): void {
    this.dispatch("close", { type: "close", code, reason });
  }

  /**
   * The runtime closed the connection itself, on this side's behalf, with `code` and `reason`
   * (what the peer was sent): {@linkcode onClosedHere} first, then the "close".
   */
  protected dispatchClosedHere(code: number, reason: string): void {
    try {
      this.onClosedHere?.(code, reason);
    } catch (error) {
      reportUncaught(error); // the close must come all the same, or the session never ends
    }
    this.dispatchClose(code, reason);
  }

  /** The connection failed; a "close" follows. */
  protected dispatchError(message: string, error?: unknown): void {
    this.dispatch("error", { type: "error", message, error });
  }

  /**
   * The runtime refused a message over its size limit and closed with 1009 itself, before the
   * transport saw the message: reported as the transport's own refusal (a fatal "protocol" error
   * that ends the session from this side, as on Deno), not as a failed connection or a peer that
   * went away. A "close" follows.
   */
  protected dispatchRefusal(message: string, cause?: unknown): void {
    const error = new TransportError("protocol", message, { cause, closeCode: 1009, fatal: true });
    this.dispatch("error", { type: "error", message, error });
  }
}
