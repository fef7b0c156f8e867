/**
 * A `ws` socket as a `WebSocketLike`, through `ws`'s own emitter: binary messages are handed on
 * as the Buffers `ws` read (views, no copy), and nothing goes through Node's EventTarget.
 *
 * @module
 */

import { ReadyState } from "../socket.ts";
import { EventSocket } from "./_event_socket.ts";
import { wsRefusal } from "./_size_refusal.ts";
import { wsSendable } from "./_ws_send_copy.ts";

/** The reason Deno's keep-alive closes with (1001) when its ping went unanswered. */
const NO_PONG = "No response from ping frame.";

/** What is used of a `ws` (version 8) `WebSocket`, structurally. */
export interface WsSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
  pause(): void;
  /** `ws` 8 gives every message as bytes (a Buffer) and says whether it was binary. */
  on(event: "message", listener: (data: Uint8Array, isBinary: boolean) => void): unknown;
  on(event: "close", listener: (code: number, reason: Uint8Array) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "pong", listener: () => void): unknown;
}

/** How a {@linkcode NodeSocket} watches its peer. */
export interface NodeSocketOptions {
  /** Keep-alive, in seconds, as in `NodeUpgradeOptions` (0: off). */
  idleTimeout: number;
  /**
   * How long a peer `ws` failed the connection of (a message over `maxPayload`, a broken frame)
   * may take to go, in milliseconds.
   */
  closeTimeoutMs: number;
}

/** A `ws` socket driving a standard-looking one, with `ws` pings as keep-alive. */
export class NodeSocket extends EventSocket {
  readonly #ws: WsSocket;
  #heard = true;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #cutOff: ReturnType<typeof setTimeout> | undefined;
  /**
   * The close this side ended the connection with, told in place of the 1006 `ws` reports for a
   * connection it dropped: 1009 when it refused a message, 1001 when the keep-alive went unanswered.
   */
  #closedWith: { code: number; reason?: string } | undefined;

  /** Wraps an open `ws` socket. */
  constructor(ws: WsSocket, { idleTimeout, closeTimeoutMs }: NodeSocketOptions) {
    super();
    this.#ws = ws;
    ws.binaryType = "nodebuffer"; // Buffers as read; "arraybuffer" would copy every message
    ws.on("message", (data, isBinary) => {
      this.#heard = true;
      // A Buffer's toString() decodes UTF-8 (a text message's bytes, already validated by ws).
      this.dispatchMessage(isBinary ? data : data.toString());
    });
    ws.on("pong", () => (this.#heard = true));
    ws.on("close", (code, reason) => {
      clearInterval(this.#keepAlive);
      clearTimeout(this.#cutOff);
      const told = this.#closedWith;
      this.dispatchClose(told?.code ?? code, told?.reason ?? reason.toString());
    });
    ws.on("error", (error) => {
      // ws has failed the connection on this side's behalf: a close frame (1009 for a message
      // over maxPayload; 1002, 1007, … for a peer that broke the protocol), its half ended, and
      // then only its own close timer (30 s) until the peer hangs up. The session, told an
      // "error", waits for the "close" that follows, and would be held as long: the peer is cut
      // off after the close timeout, as on the transport's own close (one timer, however many
      // errors come).
      this.#cutOff ??= setTimeout(() => ws.terminate(), closeTimeoutMs);
      const refusal = wsRefusal(error);
      if (refusal === undefined) return this.dispatchError(error.message, error);
      this.dispatchRefusal(refusal, error);
      // After 1009 ws reads the rest of the message to drop it, a new Buffer per read: tens of
      // MB of garbage before a GC. Stop reading once ws has resumed (next tick).
      this.#closedWith = { code: 1009 };
      setTimeout(() => ws.pause(), 0);
    });
    if (idleTimeout > 0) this.#keepAlive = setInterval(this.#check, idleTimeout * 500);
  }

  get readyState(): number {
    return this.#ws.readyState;
  }
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }
  /** Always "nodebuffer": the transport's "arraybuffer" is ignored, it reads views as well. */
  get binaryType(): string {
    return this.#ws.binaryType;
  }
  set binaryType(_value: string) {}
  /** Bytes are copied: `ws` keeps what it queues by reference (see `wsSendable`). */
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#ws.send(wsSendable(data));
  }
  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
  terminate(): void {
    this.#ws.terminate();
  }

  /** Every half idleTimeout: a peer that sent nothing, not even a pong, since the last is gone. */
  #check = (): void => {
    if (!this.#heard) return this.#dropSilent();
    this.#heard = false;
    this.#ws.ping();
  };

  /**
   * Drops a peer that answered no ping. An open connection ends as Deno's `idleTimeout` ends it
   * (Node's keep-alive is documented as Deno's): a close frame 1001 "No response from ping
   * frame.", an "error" saying so, and the close told with that code and reason, not `ws`'s 1006.
   * One already closing (a close the peer never answered) is dropped as it is.
   */
  #dropSilent(): void {
    if (this.#ws.readyState === ReadyState.OPEN && this.#closedWith === undefined) {
      this.#closedWith = { code: 1001, reason: NO_PONG };
      this.#ws.close(1001, NO_PONG);
      this.dispatchError(NO_PONG);
    }
    this.#ws.terminate();
  }
}
