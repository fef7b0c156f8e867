/**
 * Bun's `ServerWebSocket` handlers as a `WebSocketLike`, for the Bun adapter.
 *
 * @module
 */

import { ReadyState } from "../socket.ts";
import { EventSocket } from "./_event_socket.ts";
import { closedByServerStop, followStop, type StoppableServer } from "./_server_stop_close.ts";
import { bunRefusal } from "./_size_refusal.ts";

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

/**
 * Throws where Bun's `send` returned 0 for `data`, a message that is not empty: Bun dropped it (the
 * connection gone, or past `backpressureLimit`), and the transport is to count it lost. An empty
 * message "succeeds but also returns 0" (bun-types 1.4.5, `ServerWebSocketSendStatus`): it went.
 */
export function throwIfDropped(sent: number, data: string | ArrayBuffer | ArrayBufferView): void {
  if (sent === 0 && (typeof data === "string" ? data.length : data.byteLength) > 0) {
    throw new TypeError("Bun dropped the message: connection gone or over backpressureLimit");
  }
}

/** Bun's `setImmediate`: it runs once the current turn of the event loop is over. */
declare const setImmediate: (callback: () => void) => unknown;

/**
 * The sockets whose `message` or `drain` handler ran in this turn of Bun's event loop. Bun corks
 * the task a handler begins, its microtasks too (`ServerWebSocket.cork`: "The message, open, and
 * drain callbacks are automatically corked"): what the task sends leaves only when it ends, yet
 * `getBufferedAmount()` counts none of it (measured on Bun 1.4.5: 0 after such a send, which
 * reached the peer 50 ms later, once the task's 50 ms of work was over; sent from a timer, it
 * left at once). Counted unsent until a `setImmediate`, one for every socket, armed once a turn.
 */
const corked = new Set<CorkedSends>();
let uncorkArmed = false;
function uncorkAll(): void {
  uncorkArmed = false;
  for (const sends of corked) sends.uncorked();
  corked.clear();
}

/**
 * What one socket sent in a task Bun corks (see `corked`), unsent until that task ends: the Bun
 * adapter's socket, and Hono's on Bun (whose `message` handler Bun corks the same way).
 */
export class CorkedSends {
  #corked = false;
  #bytes = 0;

  /** Bytes sent in the corked task so far: none has left yet. */
  get bytes(): number {
    return this.#bytes;
  }
  /** The task Bun corks begins here (a `message` or `drain` handler). */
  cork(): void {
    if (this.#corked) return;
    this.#corked = true;
    corked.add(this);
    if (uncorkArmed) return;
    uncorkArmed = true;
    setImmediate(uncorkAll);
  }
  /** A message of `size` that Bun took without queuing it (its own count has those). */
  sent(size: number): void {
    if (this.#corked) this.#bytes += size;
  }
  /** @internal The corked task is over: what it sent has been written. */
  uncorked(): void {
    this.#corked = false;
    this.#bytes = 0;
  }
}

/**
 * Bun's handlers driving a standard-looking socket: Bun calls one handler object per server,
 * and this socket (the upgrade's `data`) is what each call is for.
 */
export class BunSocket extends EventSocket {
  /** The server that upgraded it, to tell a close its `stop(true)` made (`closedByServerStop`). */
  readonly #server: StoppableServer | undefined;
  #raw: BunServerWebSocket | undefined;
  #state: number = ReadyState.CONNECTING;
  #binaryType = "arraybuffer";
  /** Bytes Bun queued behind backpressure, for a Bun without `getBufferedAmount`. */
  #queued = 0;
  /** A close waiting for the queue to drain. */
  #closeWhenDrained: [code: number | undefined, reason: string | undefined] | undefined;
  /** Bun has opened the socket and "open" has not been dispatched yet (see {@linkcode opened}). */
  #openDue = false;

  /** A socket `server` is upgrading. */
  constructor(server?: StoppableServer) {
    super();
    this.#server = server;
    followStop(server);
  }

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
  /** In a task Bun corks (see `corked`): what is sent waits for its end, counted here. */
  readonly #corkedSends = new CorkedSends();

  /** Bytes not yet written to the kernel: Bun's own count, and what a corked task has sent. */
  get bufferedAmount(): number {
    return this.#corkedSends.bytes + this.#unsent();
  }
  /** What Bun itself holds back (the kernel took no more), which its `drain` handler reports. */
  #unsent(): number {
    return this.#raw?.getBufferedAmount?.() ?? this.#queued;
  }
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (!this.#raw) throw new TypeError("send() before the socket opened");
    // The transport sends only strings and Uint8Arrays over ArrayBuffers.
    const sent = this.#raw.send(data as string | Uint8Array<ArrayBuffer>);
    throwIfDropped(sent, data);
    const size = typeof data === "string" ? data.length : data.byteLength;
    if (sent === -1) this.#queued += size;
    else this.#corkedSends.sent(size);
  }
  /**
   * Behind unsent bytes, Bun's close() reports the socket closed yet holds the connection for
   * seconds, and terminate() after it does nothing: close once drained, or be terminated.
   */
  close(code?: number, reason?: string): void {
    if (this.#unsent() > 0 || this.#raw === undefined) {
      // Behind unsent bytes, or before Bun has opened it: once it can be.
      this.#closeWhenDrained = [code, reason];
    } else this.#raw.close(code, reason);
  }
  terminate(): void {
    this.terminateWith(() => this.#raw?.terminate?.());
  }

  /**
   * Bun opens the socket inside `server.upgrade`, before `upgrade()` has returned the transport:
   * "open" waits a task, so that listeners added after `await upgrade(…)` see "connected". Bun
   * may hear from the peer within that task (a client that sends or leaves as soon as it reads
   * the 101): "open" then comes at once, first, as every other runtime orders them.
   */
  opened(raw: BunServerWebSocket): void {
    this.#raw = raw;
    raw.binaryType = this.#binaryType;
    if (this.#closeWhenDrained && this.#unsent() === 0) {
      return raw.close(...this.#closeWhenDrained); // closed before it opened: no session
    }
    this.#openDue = true;
    setTimeout(() => this.#dispatchOpen(), 0);
  }
  drained(): void {
    this.#corkedSends.cork();
    this.#queued = 0;
    if (this.#closeWhenDrained) this.#raw?.close(...this.#closeWhenDrained);
  }
  received(data: unknown): void {
    this.#corkedSends.cork();
    this.#dispatchOpen();
    this.dispatchMessage(data);
  }
  closed(code: number, reason: string): void {
    this.#raw = undefined;
    this.#state = ReadyState.CLOSED;
    // Opened by Bun, so "open" first even now (the session ends as one that began), with the
    // socket already closed: what its listeners send is counted lost, not handed to Bun.
    this.#dispatchOpen();
    const refusal = bunRefusal(code, reason);
    if (refusal !== undefined) {
      this.dispatchRefusal(refusal);
      code = 1009; // what Bun sent the peer; its handler is told 1006
    }
    // `server.stop(true)` closed it, on this side's behalf, and Bun tells it as the peer's close.
    if (closedByServerStop(this.#server, code, reason)) {
      return this.dispatchClosedHere(code, reason);
    }
    this.dispatchClose(code, reason);
  }

  /** The "open" Bun reported, once: when its task comes or Bun's next event, whichever is first. */
  #dispatchOpen(): void {
    if (!this.#openDue) return;
    this.#openDue = false;
    if (this.#state === ReadyState.CONNECTING) this.#state = ReadyState.OPEN;
    this.dispatch("open", { type: "open" });
  }
}
