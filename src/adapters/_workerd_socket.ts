/**
 * The closes workerd leaves out or gets wrong, made up for on the Workers adapters' sockets so that
 * every session ends, once, with a code a close may stand for. The Hono adapter, which hears a
 * Workers socket only through Hono's handlers, applies the same two rules there.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import { answerClose, type ClosableSocket, closeFrameMayCarry } from "./_answer_close.ts";
import { workerdRefusal } from "./_size_refusal.ts";

/** What the fix-up needs of a Workers socket: its state, `close()`, and its events. */
export interface WorkerdSocket extends ClosableSocket {
  // deno-lint-ignore no-explicit-any
  addEventListener(type: string, listener: (event: any) => void): void;
  dispatchEvent(event: Event): boolean;
}

/**
 * Why a close workerd reported must be told as a dropped connection (1006) instead: its code is
 * one no close frame may carry (999, 5000), which workerd passes on as the peer's. `undefined`
 * for a close to pass on as it is.
 */
export function uncarriedCode(event: Event): string | undefined {
  const { code } = event as CloseEvent;
  // 1005 (no code) and 1006 (dropped) are workerd's own words for a close; 0 or none, the
  // transport takes as one of them.
  if (!code || code === 1005 || code === 1006 || closeFrameMayCarry(code)) return undefined;
  return `the peer closed with code ${code}, which no close frame may carry`;
}

/**
 * Why an "error" on a Workers socket ended the connection with no "close" to follow (the client
 * broke the protocol: the socket is CLOSED already), to tell as a dropped connection (1006).
 * `undefined` while a close is still on its way.
 */
export function failedWithoutClose(socket: ClosableSocket, event: Event): string | undefined {
  if (socket.readyState !== 3) return undefined;
  const message = (event as Event & { message?: unknown }).message;
  return typeof message === "string" && message !== "" ? message : "the connection failed";
}

/**
 * Lets workerd free a socket whose connection dropped with no close frame. workerd reports such a
 * close (1006) while the socket is still OPEN, marks it CLOSING once the listeners have run, and
 * keeps it so, waiting for a `close()` of ours: the socket, its listeners (the session's
 * transport with them) and a Durable Object stay in memory for good (the object is never evicted).
 * A close frame is reported on a socket CLOSING or CLOSED: only a dropped connection is OPEN here.
 */
export function releaseDropped(socket: ClosableSocket): void {
  try {
    socket.close(1000); // no frame goes: the connection is gone
  } catch {
    // Closed already: nothing to release.
  }
}

/**
 * Watches one Workers socket's closes, from before the transport listens to it, and fixes three
 * things workerd does otherwise than Deno and Bun:
 *
 * - A client that breaks the protocol (a reserved opcode, a continuation first, RSV1, a message
 *   over workerd's own size cap) is sent 1002 or 1009, and the socket gets an "error" with
 *   readyState CLOSED but never a "close": the session would wait for one for good (a Durable
 *   Object's call stays claimed, a Worker's request is torn down with the session unsettled).
 *   Such an error is followed, in the same turn, by a made-up close 1006 (a dropped connection);
 *   for a message over workerd's cap the error is the transport's own refusal instead (a fatal
 *   "protocol" error), and the close 1009, as `ws` and Bun's are told (see `_size_refusal.ts`).
 * - A close frame with a code no close frame may carry (999, 5000) is reported as that code.
 *   Deno and Bun fail such a connection: the transport is told 1006 instead (and the close is
 *   answered 1002 where workerd leaves it unanswered: see {@linkcode answerClose}).
 * - A connection that dropped with no close frame leaves the socket CLOSING for good, kept in
 *   memory with the session that listens to it (and a Durable Object, never evicted), until the
 *   socket is closed from this side: it is, at once (see `releaseDropped`).
 *
 * Either way the transport and every other listener hear one close: one workerd sends later is
 * kept from them.
 */
export class WorkerdCloses {
  readonly #socket: WorkerdSocket;
  /** A close went to the listeners (workerd's own or one made up here): no other goes. */
  #closeTold = false;
  /** The close made up here, let through on its way to the listeners. */
  #madeUp: Event | undefined;
  /** The error told here (a refusal in place of workerd's own, or `neverServed`'s timeout). */
  #refusal: Event | undefined;

  /** Starts watching `socket`'s closes: call it before the transport listens to the socket. */
  constructor(socket: WorkerdSocket) {
    this.#socket = socket;
    socket.addEventListener("close", this.#onClose);
    socket.addEventListener("error", this.#onRefusal);
  }

  /**
   * Starts watching `socket`'s errors: call it once the transport listens, so that the transport
   * hears the error first and the close after it, as on every other runtime.
   */
  followErrors(): void {
    this.#socket.addEventListener("error", this.#onError);
  }

  #onClose = (event: Event): void => {
    if (event === this.#madeUp) return;
    if (this.#socket.readyState === 1) releaseDropped(this.#socket);
    answerClose(this.#socket, event);
    if (this.#closeTold) return event.stopImmediatePropagation();
    const uncarried = uncarriedCode(event);
    if (uncarried === undefined) {
      this.#closeTold = true;
      return;
    }
    event.stopImmediatePropagation();
    this.#dropped(uncarried);
  };

  #onError = (event: Event): void => {
    if (this.#closeTold || event === this.#refusal) return;
    const failed = failedWithoutClose(this.#socket, event);
    if (failed !== undefined) this.#dropped(failed);
  };

  /**
   * workerd refused a message over its cap: the listeners hear the transport's own refusal in
   * place of its error, then the close, 1009, as workerd sent the peer.
   */
  #onRefusal = (event: Event): void => {
    if (this.#closeTold || event === this.#refusal) return;
    const message = workerdRefusal(event);
    if (message === undefined || failedWithoutClose(this.#socket, event) === undefined) return;
    event.stopImmediatePropagation();
    const cause = (event as Event & { error?: unknown }).error;
    const error = new TransportError("protocol", message, { cause, closeCode: 1009, fatal: true });
    this.#socket.dispatchEvent(
      this.#refusal = Object.assign(new Event("error"), { error, message }),
    );
    this.#dropped(message, 1009);
  };

  /**
   * The Worker never sent the upgrade's 101 (see `upgrade`): no client has this socket, and
   * workerd tells it nothing, ever. The listeners hear a "timeout" error, then a dropped
   * connection (1006), as a socket that never opened is told on the other runtimes; the socket is
   * then closed, for workerd to free it (a close in answer is kept from the listeners).
   */
  neverServed(reason: string): void {
    if (this.#closeTold) return;
    const error = new TransportError("timeout", reason, { closeCode: 1006 });
    this.#socket.dispatchEvent(
      this.#refusal = Object.assign(new Event("error"), { error, message: reason }),
    );
    this.#dropped(reason);
    releaseDropped(this.#socket);
  }

  /**
   * Tells the listeners the connection dropped (1006, or `code`), now: in a Worker the request
   * may be torn down right after an error, so nothing may wait for a later task.
   */
  #dropped(reason: string, code = 1006): void {
    this.#closeTold = true;
    const close = this.#madeUp = new CloseEvent("close", { code, reason, wasClean: false });
    this.#socket.dispatchEvent(close);
  }
}
