/**
 * The Hono adapter: the app's own `upgradeWebSocket` (from `hono/deno`, `hono/bun`,
 * `hono/cloudflare-workers` or `@hono/node-ws`) → {@linkcode WebSocketTransport}, on any runtime
 * Hono runs on. No dependency on Hono: the few shapes it uses are declared here.
 *
 * @module
 */

import { ReadyState, type WebSocketLike } from "../socket.ts";
import { WebSocketTransport } from "../transport.ts";
import type { TransportOptions } from "../transport_options.ts";
import { type AdmissionOptions, admit } from "./admission.ts";

/** Hono's `WSContext`, structurally: what each event handler is given. */
export interface HonoWSContext {
  /** Sends one message. */
  send(data: string | ArrayBuffer | Uint8Array<ArrayBuffer>): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** The runtime's own socket, where the adapter exposes it. */
  readonly raw?: unknown;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
}

/** Hono's `WSEvents`, structurally: the handlers `upgradeWebSocket`'s callback returns. */
export interface HonoWSEvents {
  /** The socket is open (never called on Cloudflare Workers). */
  onOpen(event: Event, ws: HonoWSContext): void;
  /** A message arrived. */
  onMessage(event: MessageEvent, ws: HonoWSContext): void;
  /** The socket closed. */
  onClose(event: CloseEvent, ws: HonoWSContext): void;
  /** The socket failed. */
  onError(event: Event, ws: HonoWSContext): void;
}

/** The request side of Hono's `Context`, structurally. */
export interface HonoContext {
  /** Hono's request wrapper. */
  readonly req: { readonly raw: Request };
}

/** A Hono middleware handler, structurally. */
export type HonoHandler<C extends HonoContext> = (
  c: C,
  next: () => Promise<void>,
) => Promise<Response | void>;

/**
 * The `upgradeWebSocket` of a Hono runtime adapter, structurally. Both of Hono's call forms are
 * declared, in Hono's order, so TypeScript infers the context type from the middleware form.
 */
export interface HonoUpgradeWebSocket<C extends HonoContext, U> {
  /** The middleware form, the one used here. */
  (createEvents: (c: C) => HonoWSEvents, options?: U): HonoHandler<C>;
  /** The direct form. */
  (c: C, events: HonoWSEvents, options?: U): Promise<Response>;
}

/** Options for {@linkcode transport}: the transport's, the admission checks, and Hono's own. */
export interface HonoTransportOptions<U = unknown> extends TransportOptions, AdmissionOptions {
  /** Passed to `upgradeWebSocket` as its options (Deno's `idleTimeout`, …). */
  upgradeOptions?: U;
}

/** Called with each session's transport once the upgrade has been answered. */
export type HonoSessionHandler<C> = (transport: WebSocketTransport, c: C) => void;

/** What the adapter reads of a runtime's own socket (`ws.raw`), where present. */
interface RawSocket {
  readyState?: number;
  binaryType?: string;
  bufferedAmount?: number;
  addEventListener?: unknown;
}

/** Hono's events driving a standard-looking socket. */
class HonoSocket implements WebSocketLike {
  #ws: HonoWSContext | undefined;
  #raw: RawSocket | undefined;
  #getBuffered: (() => number) | undefined;
  #closed = false;
  #binaryType = "arraybuffer";
  readonly #listeners = new Map<string, Set<(event: Event) => void>>();

  readonly events: HonoWSEvents = {
    onOpen: (_event, ws) => this.#bind(ws),
    onMessage: (event, ws) => {
      this.#bind(ws);
      this.#emit("message", event);
    },
    onClose: (event, ws) => {
      this.#bind(ws);
      this.#closed = true;
      this.#emit("close", event);
    },
    onError: (event, ws) => {
      this.#bind(ws);
      this.#emit("error", event);
    },
  };

  get readyState(): number {
    if (this.#closed) return ReadyState.CLOSED;
    // The raw socket's state is live; Bun's WSContext holds a snapshot taken per event.
    return this.#raw?.readyState ?? this.#ws?.readyState ?? ReadyState.CONNECTING;
  }
  get binaryType(): string {
    return this.#binaryType;
  }
  set binaryType(value: string) {
    this.#binaryType = value;
    this.#applyBinaryType();
  }
  /** 0 where the runtime has no such count (Workers): pacing bounds the sends there. */
  get bufferedAmount(): number {
    return this.#getBuffered?.() ?? this.#raw?.bufferedAmount ?? 0;
  }
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (!this.#ws) throw new TypeError("send() before the socket opened");
    this.#ws.send(data as string | Uint8Array<ArrayBuffer>);
  }
  close(code?: number, reason?: string): void {
    this.#ws?.close(code, reason);
  }
  addEventListener(type: string, listener: (event: Event) => void): void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, set = new Set());
    set.add(listener);
  }
  removeEventListener(type: string, listener: (event: Event) => void): void {
    this.#listeners.get(type)?.delete(listener);
  }

  /**
   * The first event hands us the context. On Workers there is no onOpen, so the session opens at
   * the client's first message; Hono re-creates the context per event on Bun, so keep the first.
   */
  #bind(ws: HonoWSContext): void {
    if (this.#ws) return;
    this.#ws = ws;
    const raw = ws.raw;
    if (typeof raw === "object" && raw !== null) {
      this.#raw = raw;
      // Bun's ServerWebSocket reports its buffer by method, not property.
      const get = (raw as { getBufferedAmount?: () => number }).getBufferedAmount;
      if (typeof get === "function") this.#getBuffered = () => get.call(raw);
    }
    this.#applyBinaryType();
    this.#emit("open", new Event("open"));
  }
  /**
   * Hono's WSContext has a binaryType that never reaches the runtime's socket: set it there, on
   * standard sockets (Deno, Workers, `ws`) only. Hono's Bun adapter reads `message.buffer` and
   * needs Bun's default Buffers.
   */
  #applyBinaryType(): void {
    const raw = this.#raw;
    if (raw && typeof raw.binaryType === "string" && typeof raw.addEventListener === "function") {
      raw.binaryType = this.#binaryType;
    }
  }
  #emit(type: string, event: Event): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
}

/**
 * Makes a Hono route handler that upgrades with the app's own `upgradeWebSocket` and hands each
 * session's {@linkcode WebSocketTransport} to `onSession`. Refuses, before any upgrade, like the
 * Deno adapter (426, 405, 403 for an origin not in `allowedOrigins`, 401 or `authorize`'s own
 * response). Copes with Hono's gaps: the raw socket gets `binaryType` and is read for
 * `bufferedAmount`; on Workers, which never call `onOpen`, the session opens at the client's
 * first message. Middleware that writes headers on every response (`cors`, `poweredBy`,
 * `secureHeaders`) may sit in front of the route: tested on Deno, Node, Bun and workerd.
 *
 * @example An echo route on Deno
 * ```ts
 * import { Hono } from "hono";
 * import { upgradeWebSocket } from "hono/deno";
 * import { transport } from "@x/ws-transport/hono";
 * import assert from "node:assert/strict";
 *
 * const app = new Hono();
 * app.get("/ws", transport(upgradeWebSocket, (t) => void t.readable.pipeTo(t.writable)));
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
 * const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/ws`);
 * await new Promise((resolve) => (ws.onopen = resolve));
 * ws.send('{"hello":"hono"}');
 * const echoed = await new Promise((resolve) => (ws.onmessage = (e) => resolve(e.data)));
 * assert.equal(echoed, '{"hello":"hono"}');
 * ws.close();
 * await new Promise((resolve) => (ws.onclose = resolve));
 * await server.shutdown();
 * ```
 */
export function transport<C extends HonoContext, U = unknown>(
  upgradeWebSocket: HonoUpgradeWebSocket<C, U>,
  onSession: HonoSessionHandler<C>,
  options: HonoTransportOptions<U> = {},
): HonoHandler<C> {
  const { allowedOrigins: _o, authorize: _a, upgradeOptions, ...transportOptions } = options;
  const sockets = new WeakMap<C, HonoSocket>();
  const upgrader = upgradeWebSocket((c) => {
    const socket = new HonoSocket();
    sockets.set(c, socket);
    return socket.events;
  }, upgradeOptions);
  return async (c, next) => {
    const refusal = await admit(c.req.raw, options);
    if (refusal !== null) return refusal;
    const response = await upgrader(c, next);
    const socket = sockets.get(c);
    // No response: the runtime adapter did not upgrade and passed the request on (`next()`).
    if (socket === undefined || response === undefined) return response;
    // Synchronously, so that listeners added in onSession see "connected" on every runtime.
    onSession(new WebSocketTransport(socket, transportOptions), c);
    return response;
  };
}
