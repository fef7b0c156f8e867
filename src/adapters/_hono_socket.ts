/**
 * Hono's socket events as a `WebSocketLike`, for the Hono adapter: the runtime's raw socket is
 * used where Hono's `WSContext` falls short (binaryType, bufferedAmount, terminate, and on Bun
 * what `send` returns).
 *
 * @module
 */

import { ReadyState } from "../socket.ts";
import { answerClose, type ClosableSocket } from "./_answer_close.ts";
import { EventSocket } from "./_event_socket.ts";
import { bunRefusal, workerdRefusal, wsRefusal } from "./_size_refusal.ts";
import { CorkedSends, throwIfDropped } from "./_bun_socket.ts";
import { closedByServerStop, followStop, type StoppableServer } from "./_server_stop_close.ts";
import { terminate } from "../_terminate.ts";
import { wsSendable } from "./_ws_send_copy.ts";
import { failedWithoutClose, releaseDropped, uncarriedCode } from "./_workerd_socket.ts";

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

/** What the adapter reads of a runtime's own socket (`ws.raw`), where present. */
interface RawSocket {
  readyState?: number;
  binaryType?: string;
  bufferedAmount?: number;
  addEventListener?: unknown;
  send?: (data: unknown) => void;
  close?: (code?: number, reason?: string) => void;
}

/** Hono's events driving a standard-looking socket: `events` goes to `upgradeWebSocket`. */
export class HonoSocket extends EventSocket {
  /** Bun's server, under Hono on Bun: to tell a close its `stop(true)` made. */
  readonly #server: StoppableServer | undefined;
  #ws: HonoWSContext | undefined;
  #raw: RawSocket | undefined;
  #getBuffered: (() => number) | undefined;
  #rawSend: ((data: unknown) => void) | undefined;
  /** Bun's `ServerWebSocket.send`, whose result Hono's WSContext throws away (see #bind). */
  #bunSend: ((data: unknown) => number) | undefined;
  /** Hono on Bun: what a task Bun corks has sent, unsent until it ends (see `CorkedSends`). */
  readonly #corkedSends = new CorkedSends();
  #closed = false;
  /** The raw socket is a Workers one (`WebSocketPair`'s, which alone has `accept()`). */
  #workerd = false;
  /** The runtime refused a message over its size limit: the close that follows is 1009. */
  #refused = false;
  /** The errors `ws` reported (Hono on Node), heard from it and from Hono: each told once. */
  readonly #rawErrors = new WeakSet<object>();
  #closeAtBind: [code: number | undefined, reason: string | undefined] | undefined;
  #drainWait: ReturnType<typeof setInterval> | undefined;
  #binaryType = "arraybuffer";

  readonly events: HonoWSEvents = {
    onOpen: (_event, ws) => this.#bind(ws),
    onMessage: (event, ws) => {
      this.#bind(ws);
      if (this.#bunSend) this.#corkedSends.cork(); // Bun corks its `message` handler's task
      this.dispatch("message", event);
    },
    onClose: (event, ws) => {
      this.#bind(ws);
      // Hono on Workers before compatibility date 2026-04-07: nobody answers the peer's close.
      const raw = this.#raw;
      // Hono on Workers: a connection dropped with no close frame is reported on a socket still
      // OPEN, kept (with this session) until closed from this side (see `releaseDropped`).
      if (this.#workerd && raw?.readyState === ReadyState.OPEN) {
        releaseDropped(raw as ClosableSocket);
      }
      if (raw?.readyState === ReadyState.CLOSING && typeof raw.close === "function") {
        answerClose(raw as ClosableSocket, event);
      }
      if (this.#closed) return; // told already (made up on Workers, or the connection lost)
      this.#closed = true;
      this.#stopDrainWait();
      // Hono on Bun: Bun refused a message over maxPayloadLength (and sent the peer 1009).
      const refusal = bunRefusal(event.code, event.reason);
      if (refusal !== undefined) this.dispatchRefusal(refusal);
      if (refusal !== undefined || this.#refused) return this.dispatchClose(1009, event.reason);
      // Hono on Workers: a code no close frame may carry, which Deno and Bun fail the connection
      // for, is told as a dropped connection (see `WorkerdCloses`).
      const uncarried = this.#workerd ? uncarriedCode(event) : undefined;
      if (uncarried !== undefined) return this.dispatchClose(1006, uncarried);
      // Hono on Bun: `server.stop(true)` closed it, on this side's behalf, told as the peer's.
      if (closedByServerStop(this.#server, event.code, event.reason)) {
        return this.dispatchClosedHere(event.code, event.reason);
      }
      this.dispatch("close", event);
    },
    onError: (event, ws) => {
      this.#bind(ws);
      const error = (event as ErrorEvent).error;
      // A `ws` error (Hono on Node) is also heard from ws itself (see #bind): told once.
      if (this.#rawErrors.has(error)) return;
      if (this.#raw !== undefined && "on" in this.#raw) return this.#onRawError(error);
      // Hono on Workers: workerd refused a message over its cap (and sent the peer 1009).
      const refusal = this.#workerd ? workerdRefusal(event) : undefined;
      this.#refused ||= refusal !== undefined;
      if (refusal === undefined) this.dispatch("error", event);
      else this.dispatchRefusal(refusal, error);
      if (this.#workerd) this.#onWorkerdError(event);
    },
  };

  /** A socket for one upgrade; `server` is Bun's, under Hono on Bun (`hono/bun`'s `c.env`). */
  constructor(server?: StoppableServer) {
    super();
    this.#server = server;
    followStop(server);
  }

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
    const corked = this.#corkedSends.bytes; // Hono on Bun: Bun's own count has none of them
    return corked + (this.#getBuffered?.() ?? this.#raw?.bufferedAmount ?? 0);
  }
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (!this.#ws) throw new TypeError("send() before the socket opened");
    if (this.#rawSend) return this.#rawSend.call(this.#raw, data); // see #bind
    if (this.#bunSend) return this.#sendOnBun(this.#bunSend, data);
    // Hono on Node: `ws` keeps what it queues by reference (see `wsSendable`).
    const sendable = this.#raw !== undefined && "on" in this.#raw ? wsSendable(data) : data;
    this.#ws.send(sendable as string | Uint8Array<ArrayBuffer>);
  }
  /** Hono on Bun: a message Bun dropped throws (see #bind); one sent in a corked task is counted. */
  #sendOnBun(send: (data: unknown) => number, data: string | ArrayBuffer | ArrayBufferView): void {
    const sent = send.call(this.#raw, data);
    throwIfDropped(sent, data);
    // -1: queued behind backpressure, in Bun's own count already.
    if (sent !== -1) {
      this.#corkedSends.sent(typeof data === "string" ? data.length : data.byteLength);
    }
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

  /**
   * The connection ended before the runtime handed the socket over: Hono on Node
   * (`@hono/node-ws`) completes the upgrade after the route has answered, and never if the client
   * has gone by then, so no event of Hono's would end the session.
   */
  connectionLost(): void {
    if (this.#ws !== undefined || this.#closed) return;
    this.#closed = true;
    this.dispatchClose(1006, "");
  }

  /**
   * Hono on Workers: workerd failed the connection (the client broke the protocol) with this
   * error and will send no close, so one is made up now, in the same turn (see `WorkerdCloses`).
   */
  #onWorkerdError(event: Event): void {
    if (this.#closed) return;
    const failed = failedWithoutClose(this.#raw as ClosableSocket, event);
    if (failed === undefined) return; // a close is on its way
    this.#closed = true;
    this.#stopDrainWait();
    this.dispatchClose(this.#refused ? 1009 : 1006, failed);
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
      // Bun's send returns 0 for a message it dropped (past `backpressureLimit`), which Hono's
      // WSContext throws away: sent on it directly, so that the transport counts it lost, as the
      // Bun adapter does, not sent.
      const bunSend = (raw as { send?: (data: unknown) => number }).send;
      if (typeof get === "function" && typeof bunSend === "function") this.#bunSend = bunSend;
      // A standard WebSocket (Deno's, Workers'): send on it directly, as Hono's WSContext does
      // there, saving the options object and two calls it adds a message. Not `ws` (Node), whose
      // send takes Hono's options, nor Bun's ServerWebSocket (see above).
      const { send, addEventListener } = raw as RawSocket;
      if (typeof send === "function" && typeof addEventListener === "function" && !("on" in raw)) {
        this.#rawSend = send;
      }
      // `ws` (Hono on Node): its errors, heard from it directly. @hono/node-ws hands them to
      // onError as an `ErrorEvent`, which Node 20 does not have: there they never arrive (and
      // Hono logs a ReferenceError instead).
      const on = (raw as { on?: unknown }).on;
      if (typeof on === "function") on.call(raw, "error", this.#onRawError);
      this.#workerd = typeof (raw as { accept?: unknown }).accept === "function";
    }
    this.#applyBinaryType();
    if (this.#closeAtBind) ws.close(...this.#closeAtBind);
    this.dispatch("open", { type: "open" });
  }
  /** An error of `ws` (Hono on Node); a refused oversized message is the transport's own 1009. */
  #onRawError = (error: unknown): void => {
    if (typeof error === "object" && error !== null) {
      if (this.#rawErrors.has(error)) return;
      this.#rawErrors.add(error);
    }
    const refusal = wsRefusal(error);
    if (refusal === undefined) {
      return this.dispatchError((error as { message?: string })?.message ?? "socket error", error);
    }
    // Its close event may say 1006 rather than 1009: a peer still sending never answers it.
    this.#refused = true;
    this.dispatchRefusal(refusal, error);
  };

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
