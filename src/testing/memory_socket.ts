/**
 * Two connected in-memory WebSockets, for testing transports and bots without a network.
 *
 * @module
 */

import { MAX_DELAY_MS } from "../_swept_timer.ts";
import type { WebSocketLike } from "../socket.ts";
import { utf8Length } from "../_utf8_length.ts";

/**
 * `value` as a `setTimeout` delay, refused with a `RangeError` naming `name` where the timer would
 * read it as something else: NaN, a negative number or one past the largest delay it keeps
 * (Infinity too) fire at once.
 */
function timerDelay(value: number, name: string): number {
  if (typeof value !== "number" || !(value >= 0 && value <= MAX_DELAY_MS)) {
    throw new RangeError(`${name} must be a number from 0 to ${MAX_DELAY_MS}, got ${value}`);
  }
  return value;
}

/** Options for one end of a {@linkcode MemorySocketPair}. */
export interface MemorySocketOptions {
  /**
   * How long {@linkcode MemorySocket.waitFor} waits by default, in real milliseconds (0 to
   * 2,147,483,647, `setTimeout`'s limit).
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
 * microtask, as copies, as `ArrayBuffer` or `Blob` by the receiver's `binaryType`, unless it has
 * begun closing by then (a WebSocket dispatches no message once it is CLOSING). The closing
 * handshake is modelled, and a test can make an end stop reading ({@linkcode stall}), so that
 * what it is sent piles up in the sender's `bufferedAmount`, or ignore a close.
 */
export class MemorySocket extends EventTarget implements WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readyState = 1;
  /** "blob" (the standard default) or "arraybuffer". */
  binaryType = "blob";
  /** Bytes sent to a peer that is not reading (text as its UTF-8, as a WebSocket counts it). */
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
  /** The close frame this end read and, not answering closes, did not answer. */
  #ignoredClose: { code: number; reason: string } | undefined;

  /** Makes one end; {@linkcode MemorySocketPair} connects two. */
  constructor(options: MemorySocketOptions = {}) {
    super();
    this.#waitTimeoutMs = timerDelay(options.waitTimeoutMs ?? 2000, "waitTimeoutMs");
  }

  /** Sends a message to the other end. Throws when this end is not open, as WebSocket does. */
  send(data: MemorySocketData): void {
    if (this.readyState !== 1) throw new DOMException("WebSocket is not open", "InvalidStateError");
    this.sent.push(data);
    // Text goes as a WebSocket sends it: `send` takes a USVString (a lone surrogate arrives as
    // U+FFFD), and its bytes on the wire, counted in `bufferedAmount`, are its UTF-8.
    const copy = typeof data === "string" ? data.toWellFormed() : new Uint8Array(
      ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : data,
    )
      .slice().buffer;
    const size = typeof copy === "string" ? utf8Length(copy) : copy.byteLength;
    this.bufferedAmount += size;
    this.peer.#arrive(() => {
      this.bufferedAmount -= size; // it left this end all the same: the receiver read it
      // A message read by an end that is not open is dropped, not dispatched: the WebSockets
      // Standard, "Feedback from the protocol" (when a WebSocket message has been received, step
      // 1: "If ready state is not OPEN (1), then return"), as Firefox does. So an end that has
      // called close() hears nothing more, though RFC 6455 lets its peer send until it answers
      // (Deno's server sockets dispatch none either: one read while closing ends the connection).
      if (this.peer.readyState !== 1) return;
      const payload = typeof copy === "string" || this.peer.binaryType === "arraybuffer"
        ? copy
        : new Blob([copy]);
      this.peer.#dispatch(Object.assign(new Event("message"), { data: payload }));
    });
  }

  /**
   * Starts the closing handshake: sends a close frame, behind the messages sent before it. The
   * other end answers with one (echoing `code` and `reason`, as real peers do) unless it ignores
   * closes ({@linkcode answersClose}); each end closes, one close event each, once it has both sent
   * a close frame and read one, and its event carries the code of the one it read (RFC 6455
   * §7.1.5): when both ends close at once, each reports the other's code.
   */
  close(code = 1005, reason = ""): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.#sendClose(code, reason);
    // An end that ignored a close it read: this close is its (late) answer, and ends it (on a
    // later microtask, as events never come from within close()).
    const ignored = this.#ignoredClose;
    if (ignored) queueMicrotask(() => this.readyState === 2 && this.#closed(ignored));
  }

  /** Sends a close frame: it travels as messages do, so a stalled peer reads it after them. */
  #sendClose(code: number, reason: string): void {
    const peer = this.peer;
    peer.#arrive(() => peer.#readClose(code, reason));
  }

  /** Reads a close frame: answers it unless this end sent one first, and closes. */
  #readClose(code: number, reason: string): void {
    if (this.readyState < 2) {
      if (!this.answersClose) {
        this.#ignoredClose = { code, reason }; // no answer, no event (until it closes itself)
        return;
      }
      this.readyState = 2;
      this.#sendClose(code, reason);
    }
    this.#closed({ code, reason });
  }

  #closed(frame: { code: number; reason: string }): void {
    this.readyState = 3;
    this.#dispatch(Object.assign(new Event("close"), { ...frame, wasClean: true }));
  }

  /**
   * Drops the connection without a handshake: both ends see close code 1006, a stalled end too
   * (what it had not read is lost).
   */
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

  /**
   * Stops reading, as a peer that no longer reads its socket: messages to this end wait (in the
   * sender's `bufferedAmount`) until `resume`, and so does a close frame sent after them, so the
   * closing handshake waits too (a closer's own bound, like the transport's `closeTimeoutMs`,
   * ends it with {@linkcode terminate}).
   */
  stall(): void {
    this.#stalled = true;
  }

  /** Reads again, delivering what waited, in order, up to a close (or until stalled again). */
  resume(): void {
    this.#stalled = false;
    while (!this.#stalled && this.#held.length > 0) {
      // Closed (by the close frame just read, or dropped while stalled): the rest is never read.
      if (this.readyState === 3) this.#held.length = 0;
      else this.#held.shift()!();
    }
  }

  /**
   * Resolves once `predicate` holds, checking after every event this end dispatches; rejects
   * after `timeoutMs` real milliseconds, so a broken test fails instead of hanging.
   */
  waitFor(predicate: () => boolean, timeoutMs: number = this.#waitTimeoutMs): Promise<void> {
    timerDelay(timeoutMs, "waitFor: timeoutMs");
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
