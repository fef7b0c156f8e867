/**
 * Two connected in-memory WebSockets, for testing transports and bots without a network.
 *
 * @module
 */

import type { WebSocketLike } from "../socket.ts";

/** Options for one end of a {@linkcode MemorySocketPair}. */
export interface MemorySocketOptions {
  /**
   * How long {@linkcode MemorySocket.waitFor} waits by default, in real milliseconds.
   *
   * @default {2000}
   */
  waitTimeoutMs?: number;
}

/** Options for {@linkcode MemorySocketPair}. */
export interface MemorySocketPairOptions extends MemorySocketOptions {
  /**
   * Start both ends in CONNECTING; {@linkcode MemorySocketPair.open} opens them.
   *
   * @default {false}
   */
  connecting?: boolean;
}

/** What a {@linkcode MemorySocket} sends: text or bytes. */
export type MemorySocketData = string | ArrayBuffer | ArrayBufferView;

/**
 * One end of an in-memory WebSocket: messages sent are delivered to the other end on a later
 * microtask, as copies, as `ArrayBuffer` or `Blob` by the receiver's `binaryType`. The closing
 * handshake is modelled, and a test can make an end stop reading ({@linkcode stall}), so that
 * what it is sent piles up in the sender's `bufferedAmount`, or ignore a close.
 */
export class MemorySocket extends EventTarget implements WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readyState = 1;
  /** "blob" (the standard default) or "arraybuffer". */
  binaryType = "blob";
  /** Bytes sent to a peer that is not reading. */
  bufferedAmount = 0;
  /** Whether this end answers a close frame (a real peer does). */
  answersClose = true;
  /** Messages this end has sent, in order. */
  readonly sent: MemorySocketData[] = [];
  /** @internal */
  peer!: MemorySocket;
  readonly #waitTimeoutMs: number;
  #stalled = false;
  #held: (() => void)[] = [];
  #onEvent: (() => void)[] = [];

  /** Makes one end; {@linkcode MemorySocketPair} connects two. */
  constructor(options: MemorySocketOptions = {}) {
    super();
    this.#waitTimeoutMs = options.waitTimeoutMs ?? 2000;
  }

  /** Sends a message to the other end. Throws when this end is not open, as WebSocket does. */
  send(data: MemorySocketData): void {
    if (this.readyState !== 1) throw new DOMException("WebSocket is not open", "InvalidStateError");
    this.sent.push(data);
    const copy = typeof data === "string" ? data : new Uint8Array(
      ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : data,
    )
      .slice().buffer;
    const size = typeof copy === "string" ? copy.length : copy.byteLength;
    this.bufferedAmount += size;
    this.peer.#arrive(() => {
      this.bufferedAmount -= size;
      const payload = typeof copy === "string" || this.peer.binaryType === "arraybuffer"
        ? copy
        : new Blob([copy]);
      this.peer.#dispatch(Object.assign(new Event("message"), { data: payload }));
    });
  }

  /** Starts the closing handshake. */
  close(code = 1005, reason = ""): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    const peer = this.peer;
    queueMicrotask(() => {
      if (peer.readyState === 3 || !peer.answersClose) return;
      peer.readyState = 3;
      peer.#dispatch(Object.assign(new Event("close"), { code, reason, wasClean: true }));
      queueMicrotask(() => {
        this.readyState = 3;
        this.#dispatch(Object.assign(new Event("close"), { code, reason, wasClean: true }));
      });
    });
  }

  /** Drops the connection without a handshake: both ends see close code 1006. */
  terminate(): void {
    for (const end of [this, this.peer]) {
      if (end.readyState === 3) continue;
      end.readyState = 3;
      queueMicrotask(() =>
        end.#dispatch(
          Object.assign(new Event("close"), { code: 1006, reason: "", wasClean: false }),
        )
      );
    }
  }

  /** Stops reading: messages to this end wait (in the sender's `bufferedAmount`) until `resume`. */
  stall(): void {
    this.#stalled = true;
  }

  /** Reads again, delivering what waited. */
  resume(): void {
    this.#stalled = false;
    const held = this.#held;
    this.#held = [];
    for (const deliver of held) deliver();
  }

  /**
   * Resolves once `predicate` holds, checking after every event this end dispatches; rejects
   * after `timeoutMs` real milliseconds, so a broken test fails instead of hanging.
   */
  waitFor(predicate: () => boolean, timeoutMs: number = this.#waitTimeoutMs): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // deno-lint-ignore prefer-const -- `check` may run (and read it) while the timer is being created
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stop = () => {
        clearTimeout(timer);
        this.#onEvent = this.#onEvent.filter((f) => f !== check);
      };
      const check = () => {
        if (!predicate()) return;
        stop();
        resolve();
      };
      this.#onEvent.push(check);
      timer = setTimeout(() => {
        stop();
        reject(new Error(`waitFor: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      // Creating a timer may run pending microtasks (seen in Deno's test runner): look again.
      check();
    });
  }

  /** @internal Opens a connecting end. */
  open(): void {
    if (this.readyState !== 0) return;
    this.readyState = 1;
    this.#dispatch(new Event("open"));
  }

  #arrive(deliver: () => void): void {
    queueMicrotask(() => {
      if (this.readyState === 3) return;
      if (this.#stalled) this.#held.push(deliver);
      else deliver();
    });
  }

  #dispatch(event: Event): void {
    this.dispatchEvent(event);
    for (const check of [...this.#onEvent]) check();
  }
}

/**
 * Two {@linkcode MemorySocket}s joined to each other: give `server` to the code under test and
 * drive it from `client`.
 *
 * @example A message each way
 * ```ts
 * import { MemorySocketPair } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * const { server, client } = new MemorySocketPair();
 * const got: string[] = [];
 * server.addEventListener("message", (e) => got.push((e as MessageEvent).data));
 * client.send("hello");
 * await server.waitFor(() => got.length === 1);
 * assert.deepEqual(got, ["hello"]);
 * ```
 */
export class MemorySocketPair {
  /** The end for the code under test. */
  readonly server: MemorySocket;
  /** The end the test drives. */
  readonly client: MemorySocket;

  /** Makes two joined ends, open unless `connecting`. */
  constructor(options: MemorySocketPairOptions = {}) {
    this.server = new MemorySocket(options);
    this.client = new MemorySocket(options);
    this.server.peer = this.client;
    this.client.peer = this.server;
    this.client.binaryType = "arraybuffer";
    if (options.connecting) {
      this.server.readyState = 0;
      this.client.readyState = 0;
    }
  }

  /** Opens both ends of a pair made with `connecting`. */
  open(): void {
    this.server.open();
    this.client.open();
  }
}
