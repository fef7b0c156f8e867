// Runs a simulated call and a bot on one FakeClock over real sockets on 127.0.0.1, exactly: fake
// time moves only when nothing is in flight (every message either side sent has been received
// and handled, and no socket is opening or closing), so each message arrives at the fake instant
// it was sent, and a 500 ms answer measures as 500 ms however slow the machine is.
import type { FakeClock } from "../../src/testing/fake_clock.ts";
import type { WebSocketLike } from "../../src/socket.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

/** Counts what the client side sends and receives, for the in-flight check. */
class CountingSocket implements WebSocketLike {
  sent = 0;
  received = 0;
  readonly #ws: WebSocket;
  constructor(url: string) {
    this.#ws = new WebSocket(url);
    this.#ws.addEventListener("message", () => this.received++);
  }
  get readyState(): number {
    return this.#ws.readyState;
  }
  get binaryType(): string {
    return this.#ws.binaryType;
  }
  set binaryType(value: string) {
    this.#ws.binaryType = value as BinaryType;
  }
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#ws.send(data as string);
    this.sent++;
  }
  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
  // deno-lint-ignore no-explicit-any
  addEventListener(type: string, listener: (event: any) => void): void {
    this.#ws.addEventListener(type, listener);
  }
  // deno-lint-ignore no-explicit-any
  removeEventListener(type: string, listener: (event: any) => void): void {
    this.#ws.removeEventListener(type, listener);
  }
}

/** One call's client socket and server transports, stepped together on `clock`. */
export class Lockstep {
  readonly clients: CountingSocket[] = [];
  readonly servers: WebSocketTransport[] = [];
  readonly #clock: FakeClock;
  readonly #channel = new MessageChannel();
  #wake: (() => void) | undefined;

  constructor(clock: FakeClock) {
    this.#clock = clock;
    this.#channel.port1.onmessage = () => this.#wake?.();
  }

  /** For `simulateCall`'s `connect` option. */
  readonly connect = (url: string): WebSocketLike => {
    const socket = new CountingSocket(url);
    this.clients.push(socket);
    return socket;
  };

  /** The server registers each session's transport here. */
  register(transport: WebSocketTransport): void {
    this.servers.push(transport);
  }

  /** Steps the clock until `work` settles; fails after `realTimeoutMs` of real time. */
  async run<T>(work: Promise<T>, realTimeoutMs = 60_000): Promise<T> {
    let settled = false;
    work.then(() => (settled = true), () => (settled = true));
    const deadline = Date.now() + realTimeoutMs;
    try {
      while (!settled) {
        await this.#untilQuiet(deadline);
        if (settled) break;
        const due = this.#clock.nextDue;
        if (due === undefined) {
          await this.#realPause(); // nothing scheduled: waiting on real I/O alone
          continue;
        }
        await this.#clock.tick(Math.max(0, due - this.#clock.now()));
      }
    } finally {
      this.#channel.port1.close();
      this.#channel.port2.close();
    }
    return await work;
  }

  #quiet(): boolean {
    const settledState = (state: number) => state === 1 || state === 3;
    if (!this.clients.every((c) => settledState(c.readyState))) return false;
    if (!this.servers.every((s) => settledState(s.socket.readyState))) return false;
    if (this.clients.every((c) => c.readyState === 3)) return true;
    const sent = this.clients.reduce((n, c) => n + c.sent, 0);
    const received = this.clients.reduce((n, c) => n + c.received, 0);
    const serverIn = this.servers.reduce((n, s) => n + s.stats.messagesIn, 0);
    const serverOut = this.servers.reduce((n, s) => n + s.stats.messagesOut, 0);
    return sent === serverIn && serverOut === received && this.servers.length > 0;
  }

  async #untilQuiet(deadline: number): Promise<void> {
    for (let polls = 0;; polls++) {
      // A macrotask turn: every promise callback queued so far has run, and socket events may
      // be delivered; the first few turns are free of timer clamping, later ones sleep 1 ms.
      if (polls < 20) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#channel.port2.postMessage(0);
        });
      } else await this.#realPause();
      if (this.#quiet()) return;
      if (Date.now() > deadline) {
        throw new Error("lockstep: messages still in flight at the deadline");
      }
    }
  }

  #realPause(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 1));
  }
}
