/**
 * A `ws` socket as a `WebSocketLike`, through `ws`'s own emitter: binary messages are handed on
 * as the Buffers `ws` read (views, no copy), and nothing goes through Node's EventTarget.
 *
 * @module
 */

import { EventSocket } from "./_event_socket.ts";
import { wsRefusal } from "./_size_refusal.ts";
import { wsSendable } from "./_ws_send_copy.ts";

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
  /** How long a peer refused for an oversized message may take to go, in milliseconds. */
  closeTimeoutMs: number;
}

/** A `ws` socket driving a standard-looking one, with `ws` pings as keep-alive. */
export class NodeSocket extends EventSocket {
  readonly #ws: WsSocket;
  #heard = true;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #cutOff: ReturnType<typeof setTimeout> | undefined;
  /** The code `ws` closed with itself, when it refused a message. */
  #refusedWith: number | undefined;

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
      this.dispatchClose(this.#refusedWith ?? code, reason.toString());
    });
    ws.on("error", (error) => {
      const refusal = wsRefusal(error);
      if (refusal === undefined) return this.dispatchError(error.message, error);
      this.dispatchRefusal(refusal, error);
      // ws has sent 1009 (maxPayload) and reads the rest of the message to drop it, a new Buffer
      // per read: tens of MB of garbage before a GC. Stop reading once ws has resumed (next
      // tick), and cut a peer that goes on sending off after the close timeout.
      this.#refusedWith = 1009;
      setTimeout(() => ws.pause(), 0);
      this.#cutOff = setTimeout(() => ws.terminate(), closeTimeoutMs);
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
    if (!this.#heard) return this.#ws.terminate();
    this.#heard = false;
    this.#ws.ping();
  };
}
