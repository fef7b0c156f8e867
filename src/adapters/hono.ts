/**
 * The Hono adapter: the app's own `upgradeWebSocket` (from `hono/deno`, `hono/bun`,
 * `hono/cloudflare-workers` or `@hono/node-ws`) → {@linkcode WebSocketTransport}, on any runtime
 * Hono runs on. No dependency on Hono: the few shapes it uses are declared here.
 *
 * @module
 */

import { ReadyState } from "../socket.ts";
import { WebSocketTransport } from "../transport.ts";
import { resolveTransportOptions, type TransportOptions } from "../transport_options.ts";
import { type AdmissionOptions, admit } from "./_admission.ts";
import { EventSocket } from "./_event_socket.ts";
import { runSession } from "./_session.ts";
import { terminate } from "./_terminate.ts";

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
  /** Hono's request wrapper: `raw` is the runtime's `Request`. */
  readonly req: { raw: Request };
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

/** Options for {@linkcode voiceSession}: the transport's, the admission checks, and Hono's own. */
export interface HonoTransportOptions<U = unknown> extends TransportOptions, AdmissionOptions {
  /** Passed to `upgradeWebSocket` as its options (Deno's `idleTimeout`, …). */
  upgradeOptions?: U;
}

/**
 * Called with each session's transport and Hono's context, as the upgrade is answered. The
 * request can be read here on every runtime (headers, params, query, `c.get()`). A throw or a
 * rejected promise ends this session with 1011 (reported, not rethrown).
 */
export type HonoSessionHandler<C> = (transport: WebSocketTransport, c: C) => void;

/** What the adapter reads of a runtime's own socket (`ws.raw`), where present. */
interface RawSocket {
  readyState?: number;
  binaryType?: string;
  bufferedAmount?: number;
  addEventListener?: unknown;
}

/** Hono's events driving a standard-looking socket. */
class HonoSocket extends EventSocket {
  #ws: HonoWSContext | undefined;
  #raw: RawSocket | undefined;
  #getBuffered: (() => number) | undefined;
  #closed = false;
  #closeAtBind: [code: number | undefined, reason: string | undefined] | undefined;
  #drainWait: ReturnType<typeof setInterval> | undefined;
  #binaryType = "arraybuffer";

  readonly events: HonoWSEvents = {
    onOpen: (_event, ws) => this.#bind(ws),
    onMessage: (event, ws) => {
      this.#bind(ws);
      this.dispatch("message", event);
    },
    onClose: (event, ws) => {
      this.#bind(ws);
      this.#closed = true;
      this.#stopDrainWait();
      this.dispatch("close", event);
    },
    onError: (event, ws) => {
      this.#bind(ws);
      this.dispatch("error", event);
    },
  };

  get readyState(): number {
    if (this.#closed) return ReadyState.CLOSED;
    if (this.#drainWait !== undefined) return ReadyState.CLOSING;
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
    const ws = this.#ws;
    if (!ws) this.#closeAtBind = [code, reason]; // Hono hands the socket over with its first event
    else if (!this.#getBuffered?.()) ws.close(code, reason);
    else {
      // Bun's close() behind unsent bytes holds the connection for seconds and makes terminate()
      // a no-op; Hono passes on no "drain": close once drained, or be terminated.
      this.#drainWait = setInterval(() => {
        if (this.#getBuffered?.()) return;
        this.#stopDrainWait();
        ws.close(code, reason);
      }, 20);
    }
  }
  terminate(): void {
    this.#stopDrainWait();
    const raw = this.#raw;
    if (raw) this.terminateWith(() => terminate(raw)); // Workers have none: see the README
  }

  #stopDrainWait(): void {
    clearInterval(this.#drainWait);
    this.#drainWait = undefined;
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
    if (this.#closeAtBind) ws.close(...this.#closeAtBind);
    this.dispatch("open", { type: "open" });
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
}

/**
 * Makes a Hono route handler that upgrades with the app's own `upgradeWebSocket` and hands each
 * session's {@linkcode WebSocketTransport} to `onSession`, with Hono's context. Refuses, before
 * any upgrade, like the Deno adapter (426, 405, 403 for an origin not in `allowedOrigins`, 401 or
 * `authorize`'s own response). Copes with Hono's gaps: `onSession` can read the request on Deno
 * too (whose upgrade consumes it: `c.req.raw` becomes a copy taken before); the raw socket gets
 * `binaryType` and is read for `bufferedAmount`; on Workers, which never call `onOpen`, the
 * session opens at the client's first message. An `onSession` that throws (or rejects) ends its
 * session with 1011 and a fatal "error" event, logged; the app goes on. Middleware that writes
 * headers on every response (`cors`, `poweredBy`, `secureHeaders`) may sit in front of the route:
 * tested on Deno, Node, Bun and workerd.
 *
 * @example An echo route on Deno that reads the request
 * ```ts
 * import { Hono } from "hono";
 * import { upgradeWebSocket } from "hono/deno";
 * import { voiceSession } from "@x/ws-transport/hono";
 * import assert from "node:assert/strict";
 *
 * const app = new Hono();
 * app.get(
 *   "/ws/:room",
 *   voiceSession(upgradeWebSocket, (transport, c) => {
 *     assert.equal(c.req.param("room"), "lobby");
 *     assert.equal(c.req.header("host"), new URL(c.req.url).host);
 *     void transport.readable.pipeTo(transport.writable);
 *   }),
 * );
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
 * const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/ws/lobby`);
 * await new Promise((resolve) => (ws.onopen = resolve));
 * ws.send('{"hello":"hono"}');
 * const echoed = await new Promise((resolve) => (ws.onmessage = (e) => resolve(e.data)));
 * assert.equal(echoed, '{"hello":"hono"}');
 * ws.close();
 * await new Promise((resolve) => (ws.onclose = resolve));
 * await server.shutdown();
 * ```
 */
export function voiceSession<C extends HonoContext, U = unknown>(
  upgradeWebSocket: HonoUpgradeWebSocket<C, U>,
  onSession: HonoSessionHandler<C>,
  options: HonoTransportOptions<U> = {},
): HonoHandler<C> {
  resolveTransportOptions(options); // a bad option throws here, once
  const sockets = new WeakMap<C, HonoSocket>();
  const upgrader = upgradeWebSocket((c) => {
    const socket = new HonoSocket();
    sockets.set(c, socket);
    return socket.events;
  }, options.upgradeOptions);
  return async (c, next) => {
    const request = c.req.raw;
    const refusal = await admit(request, options);
    if (refusal !== null) return refusal;
    // Deno's upgrade consumes the request: its headers then throw "Request closed".
    const copy = new Request(request.url, { method: request.method, headers: request.headers });
    const response = await upgrader(c, next);
    const socket = sockets.get(c);
    // No response: the runtime adapter did not upgrade and passed the request on (`next()`).
    if (socket === undefined || response === undefined) return response;
    if (!readable(request)) c.req.raw = copy; // what onSession and later middleware read
    const transport = new WebSocketTransport(socket, options);
    // Synchronously, so that listeners added in onSession see "connected" on every runtime.
    runSession(transport, () => onSession(transport, c));
    return response;
  };
}

/**
 * The old name of {@linkcode voiceSession}, which clashed with the `transport` every session
 * callback is handed.
 *
 * @deprecated Use {@linkcode voiceSession}.
 */
export const transport: typeof voiceSession = voiceSession;

function readable(request: Request): boolean {
  try {
    request.headers.get("upgrade");
    return true;
  } catch {
    return false;
  }
}
