/**
 * The WebSocket client the tests share: it keeps every message with its arrival time and waits
 * for what it is told to expect, each wait bounded, so a broken server fails a test instead of
 * hanging it.
 *
 * @module
 */

import { concatBytes } from "./_bytes.ts";

/** One received message: text as a string, binary as bytes, and when it arrived. */
export interface Received {
  /** The message. */
  data: string | Uint8Array;
  /** `performance.now()` at arrival. */
  at: number;
}

/** Options for {@linkcode WsClient.open}. */
export interface WsClientOptions {
  /** Subprotocols to offer. */
  protocols?: string | string[];
  /**
   * How long opening may take.
   *
   * @default {5000}
   */
  timeoutMs?: number;
}

/** A WebSocket client that records what arrives and waits with a bound. */
export class WsClient {
  /** The socket itself, for what this class does not wrap. */
  readonly ws: WebSocket;
  /** Everything received so far, in order. */
  readonly received: Received[] = [];
  /** Settles when the socket has closed. */
  readonly closed: Promise<CloseEvent>;
  #waiters = new Set<() => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("message", (event) => {
      const data = typeof event.data === "string" ? event.data : new Uint8Array(event.data);
      this.received.push({ data, at: performance.now() });
      for (const wake of [...this.#waiters]) wake();
    });
    this.closed = new Promise((resolve) => {
      ws.addEventListener("close", (event) => {
        resolve(event);
        for (const wake of [...this.#waiters]) wake();
      }, { once: true });
    });
  }

  /** Connects to `url`; rejects if the connection is refused or does not open in time. */
  static open(url: string, options: WsClientOptions = {}): Promise<WsClient> {
    const ws = new WebSocket(url, options.protocols);
    ws.binaryType = "arraybuffer";
    const client = new WsClient(ws);
    return within(
      new Promise<WsClient>((resolve, reject) => {
        ws.addEventListener("open", () => resolve(client), { once: true });
        ws.addEventListener("error", () => reject(new Error(`could not open ${url}`)), {
          once: true,
        });
      }),
      options.timeoutMs ?? 5000,
      `open of ${url}`,
    ).catch((error) => {
      ws.close();
      throw error;
    });
  }

  /** Sends text or bytes. */
  send(data: string | Uint8Array): void {
    this.ws.send(data as string | Uint8Array<ArrayBuffer>);
  }

  /** The text messages received so far. */
  get texts(): string[] {
    return this.received.flatMap((r) => typeof r.data === "string" ? [r.data] : []);
  }

  /** The binary messages received so far. */
  get binaries(): Uint8Array[] {
    return this.received.flatMap((r) => typeof r.data === "string" ? [] : [r.data]);
  }

  /** Every binary message received so far, joined. */
  get binaryBytes(): Uint8Array {
    return concatBytes(this.binaries);
  }

  /**
   * Resolves when `done()` holds (checked now and after each message or the close); rejects
   * after `timeoutMs` naming what was awaited.
   */
  waitFor(done: () => boolean, timeoutMs = 3000, what = "the expected messages"): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `${what} did not come within ${timeoutMs} ms (${this.received.length} received)`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  /**
   * The first message received from index `from` on (default: the next one to arrive) that
   * `match` accepts; rejects after `timeoutMs`.
   */
  async next(
    match: (data: string | Uint8Array) => boolean = () => true,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<string | Uint8Array> {
    let index = options.from ?? this.received.length;
    let found: string | Uint8Array | undefined;
    await this.waitFor(
      () => {
        for (; index < this.received.length; index++) {
          const data = this.received[index]!.data;
          if (match(data)) {
            found = data;
            return true;
          }
        }
        return false;
      },
      options.timeoutMs,
      "a matching message",
    );
    return found!;
  }

  /** The next JSON text message that `match` accepts, parsed. */
  async nextJson(
    match: (message: Record<string, unknown>) => boolean = () => true,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<Record<string, unknown>> {
    const parse = (data: string | Uint8Array) => {
      if (typeof data !== "string") return undefined;
      try {
        return JSON.parse(data) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    };
    const data = await this.next((d) => {
      const message = parse(d);
      return message !== undefined && match(message);
    }, options);
    return parse(data)!;
  }

  /** Closes (if still open) and resolves with the close event, at most `timeoutMs` later. */
  async close(code?: number, reason?: string, timeoutMs = 3000): Promise<CloseEvent> {
    if (this.ws.readyState < WebSocket.CLOSING) this.ws.close(code, reason);
    return await within(this.closed, timeoutMs, "the close");
  }
}

/** `promise`, or a failure naming `what` once `ms` have passed: a broken peer fails, not hangs. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
