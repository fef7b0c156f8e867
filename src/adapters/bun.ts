/**
 * The Bun adapter: `server.upgrade` in `Bun.serve`'s `fetch`, and {@linkcode websocket} as its
 * `websocket` handlers, → {@linkcode WebSocketTransport}.
 *
 * @module
 */

import { ReadyState } from "../socket.ts";
import { WebSocketTransport } from "../transport.ts";
import type { TransportOptions } from "../transport_options.ts";
import { type AdmissionOptions, admit, type UpgradeResult } from "./_admission.ts";
import { EventSocket } from "./_event_socket.ts";

export type { AdmissionOptions, UpgradeResult };

// Structural types for the little of Bun's API we use, so the module needs no `bun-types`.

/** Bun's `ServerWebSocket`, structurally. */
export interface BunServerWebSocket {
  /** What `server.upgrade` was given as `data`: here, the session's socket. */
  readonly data: unknown;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** "nodebuffer" (Bun's default), "arraybuffer" or "uint8array". */
  binaryType?: string;
  /** Bytes sent but not yet taken by the kernel. */
  getBufferedAmount?(): number;
  /** -1: queued behind backpressure; 0: dropped; otherwise bytes sent. */
  send(data: string | Uint8Array<ArrayBuffer>): number;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Drops the connection without a closing handshake. */
  terminate?(): void;
}

/** The `server` argument of `Bun.serve`'s `fetch`, structurally. */
export interface BunServer {
  /** Upgrades `request`, attaching `data` to the socket; `false` when it cannot. */
  upgrade(
    request: Request,
    options: { data: unknown; headers?: Record<string, string> | undefined },
  ): boolean;
}

/** The handlers and settings {@linkcode websocket} gives `Bun.serve`. */
export interface BunWebSocketHandlers {
  /** The socket is open. */
  open(ws: BunServerWebSocket): void;
  /** A message arrived: a string, or bytes as `binaryType` says. */
  message(ws: BunServerWebSocket, message: string | ArrayBufferView | ArrayBuffer): void;
  /** The socket closed. */
  close(ws: BunServerWebSocket, code: number, reason: string): void;
  /** Bun took everything queued behind backpressure. */
  drain(ws: BunServerWebSocket): void;
  /**
   * Bun closes a connection with 1009 as soon as a larger message starts, before buffering it:
   * the transport's default `maxMessageBytes`. Raise both together.
   */
  maxPayloadLength: number;
}

/** Options for {@linkcode upgrade}: the transport's, the admission checks, and Bun's own. */
export interface BunUpgradeOptions extends TransportOptions, AdmissionOptions {
  /** Extra headers for the 101 response. */
  headers?: Record<string, string>;
}

/** The reason Bun gives when it closed a connection for a message over `maxPayloadLength`. */
const TOO_BIG = "Received too big message";

/**
 * Bun's handlers driving a standard-looking socket: Bun calls one handler object per server,
 * and this socket (the upgrade's `data`) is what each call is for.
 */
class BunSocket extends EventSocket {
  #raw: BunServerWebSocket | undefined;
  #state: number = ReadyState.CONNECTING;
  #binaryType = "arraybuffer";
  /** Bytes Bun queued behind backpressure, for a Bun without `getBufferedAmount`. */
  #queued = 0;
  /** A close waiting for the queue to drain. */
  #closeWhenDrained: [code: number | undefined, reason: string | undefined] | undefined;

  get readyState(): number {
    if (this.#closeWhenDrained && this.#raw) return ReadyState.CLOSING;
    // Open, Bun's own state is live (closing after close()); before and after, ours.
    return this.#state === ReadyState.OPEN ? this.#raw?.readyState ?? this.#state : this.#state;
  }
  get binaryType(): string {
    return this.#binaryType;
  }
  set binaryType(value: string) {
    this.#binaryType = value;
    if (this.#raw) this.#raw.binaryType = value;
  }
  get bufferedAmount(): number {
    return this.#raw?.getBufferedAmount?.() ?? this.#queued;
  }
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (!this.#raw) throw new TypeError("send() before the socket opened");
    // The transport sends only strings and Uint8Arrays over ArrayBuffers.
    const sent = this.#raw.send(data as string | Uint8Array<ArrayBuffer>);
    if (sent === 0) {
      throw new TypeError("Bun dropped the message: connection gone or over backpressureLimit");
    }
    if (sent === -1) this.#queued += typeof data === "string" ? data.length : data.byteLength;
  }
  /**
   * Behind unsent bytes, Bun's close() reports the socket closed yet holds the connection for
   * seconds, and terminate() after it does nothing: close once drained, or be terminated.
   */
  close(code?: number, reason?: string): void {
    if (this.bufferedAmount > 0) this.#closeWhenDrained = [code, reason];
    else this.#raw?.close(code, reason);
  }
  terminate(): void {
    this.terminateWith(() => this.#raw?.terminate?.());
  }

  /**
   * Bun opens the socket inside `server.upgrade`, before `upgrade()` has returned the transport:
   * "open" waits a task, so that listeners added after `await upgrade(…)` see "connected".
   */
  opened(raw: BunServerWebSocket): void {
    this.#raw = raw;
    raw.binaryType = this.#binaryType;
    setTimeout(() => {
      if (this.#state !== ReadyState.CONNECTING) return; // closed meanwhile
      this.#state = ReadyState.OPEN;
      this.dispatch("open", { type: "open" });
    }, 0);
  }
  drained(): void {
    this.#queued = 0;
    if (this.#closeWhenDrained) this.#raw?.close(...this.#closeWhenDrained);
  }
  received(data: unknown): void {
    this.dispatchMessage(data);
  }
  closed(code: number, reason: string): void {
    this.#raw = undefined;
    this.#state = ReadyState.CLOSED;
    if (code === 1006 && reason === TOO_BIG) {
      this.dispatchError(`Bun refused a message over maxPayloadLength: ${reason}`);
      code = 1009; // what Bun sent the peer; its handler is told 1006
    }
    this.dispatchClose(code, reason);
  }
}

function socketOf(ws: BunServerWebSocket): BunSocket | undefined {
  return ws.data instanceof BunSocket ? ws.data : undefined;
}

/**
 * The `websocket` handlers to give `Bun.serve` next to a `fetch` that calls {@linkcode upgrade}.
 * Spread it to add Bun's own settings: `websocket: { ...websocket, idleTimeout: 60 }`. Sockets
 * upgraded by other code (their `data` is not ours) are left alone.
 *
 * @example Bun's settings beside the handlers
 * ```ts
 * import { websocket } from "@x/ws-transport/bun";
 * import assert from "node:assert/strict";
 *
 * const handlers = { ...websocket, idleTimeout: 60, maxPayloadLength: 1 << 20 };
 * assert.equal(typeof handlers.message, "function");
 * ```
 */
export const websocket: BunWebSocketHandlers = {
  open: (ws) => socketOf(ws)?.opened(ws),
  message: (ws, message) => socketOf(ws)?.received(message),
  close: (ws, code, reason) => socketOf(ws)?.closed(code, reason),
  drain: (ws) => socketOf(ws)?.drained(),
  maxPayloadLength: 1 << 20,
};

/**
 * Upgrades a request inside `Bun.serve`'s `fetch` and wraps the socket in a
 * {@linkcode WebSocketTransport}; give `Bun.serve` {@linkcode websocket} as its handlers. Refuses
 * like the Deno adapter (426, 403, 401 or `authorize`'s own response). After an upgrade the
 * `response` is a placeholder Bun ignores. Backpressure comes from Bun's buffered amount.
 *
 * @example Refusing what is not a WebSocket upgrade
 * ```ts
 * import { upgrade } from "@x/ws-transport/bun";
 * import assert from "node:assert/strict";
 *
 * const server = { upgrade: () => assert.fail("a plain request is never upgraded") };
 * const { transport, response } = await upgrade(new Request("http://127.0.0.1/ws"), server);
 * assert.equal(transport, null);
 * assert.equal(response.status, 426);
 * ```
 *
 * @example An echo server, run with `bun server.ts` (Bun only)
 * ```ts ignore
 * import { upgrade, websocket } from "@x/ws-transport/bun";
 *
 * Bun.serve({
 *   async fetch(request, server) {
 *     const { transport, response } = await upgrade(request, server);
 *     transport?.readable.pipeTo(transport.writable);
 *     return response;
 *   },
 *   websocket,
 * });
 * ```
 */
export async function upgrade(
  request: Request,
  server: BunServer,
  options: BunUpgradeOptions = {},
): Promise<UpgradeResult> {
  const refusal = await admit(request, options);
  if (refusal !== null) return { transport: null, response: refusal };
  const socket = new BunSocket();
  if (!server.upgrade(request, { data: socket, headers: options.headers })) {
    return { transport: null, response: new Response("Bad upgrade", { status: 400 }) };
  }
  // Bun has answered the upgrade itself and ignores what `fetch` returns now.
  return { transport: new WebSocketTransport(socket, options), response: new Response(null) };
}
