// Runs the parties of a test on one FakeClock over real sockets on 127.0.0.1, exactly: a
// simulated caller, a bot or bridge, a fake model service. Fake time moves only when nothing is in
// flight on any socket (every message either end sent has been received and handled, and no
// socket is opening or closing), so each message arrives at the fake instant it was sent and a
// 500 ms answer measures as 500 ms however slow the machine is.
import type { FakeClock } from "../src/testing/fake_clock.ts";
import type { WebSocketLike } from "../src/socket.ts";
import type { WebSocketTransport } from "../src/transport.ts";

/**
 * Opens a WebSocket with handshake headers: Deno's non-standard option, typed here because the
 * project's type check also sees the DOM's constructor, which takes only protocols.
 */
export function openWebSocket(url: string, headers?: Record<string, string>): WebSocket {
  const HeaderWebSocket = WebSocket as unknown as new (
    url: string,
    options: { headers?: Record<string, string> },
  ) => WebSocket;
  return new HeaderWebSocket(url, headers ? { headers } : {});
}

/** One end of a connection, with what it has sent and received so far. */
interface CountedEnd {
  readonly readyState: number;
  readonly sent: number;
  readonly received: number;
}

/** A socket that counts the messages it sends and receives (for the in-flight check). */
export class CountingSocket implements WebSocketLike, CountedEnd {
  sent = 0;
  received = 0;
  readonly #ws: WebSocket;

  constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener("message", () => this.received++);
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

/** Every connection of a test, client and server ends alike, stepped together on one clock. */
export class Lockstep {
  readonly clients: CountingSocket[] = [];
  /** Server ends: sockets from {@linkcode accept}, and the transports {@linkcode register}ed. */
  readonly #servers: CountedEnd[] = [];
  /** The transports {@linkcode register}ed, in order. */
  readonly transports: WebSocketTransport[] = [];
  readonly #clock: FakeClock;

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  /** Opens a counted client socket with handshake headers (for the model's `connect`). */
  readonly connect = (url: string, headers?: Record<string, string>): CountingSocket => {
    const socket = new CountingSocket(openWebSocket(url, headers));
    this.clients.push(socket);
    return socket;
  };

  /**
   * Opens a counted client socket for `simulateCall`'s `connect`: the subprotocols a far end
   * offers are not asked of the test's servers, which answer without one.
   */
  readonly connectCaller = (url: string): CountingSocket => this.connect(url);

  /** Upgrades a request to a counted server socket (for a server's `accept`). */
  readonly accept = (request: Request): { socket: CountingSocket; response: Response } => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    const counted = new CountingSocket(socket);
    this.#servers.push(counted);
    return { socket: counted, response };
  };

  /** A server made its own socket: its transport's counts stand for it. */
  register(transport: WebSocketTransport): void {
    this.transports.push(transport);
    this.#servers.push({
      get readyState() {
        return transport.socket.readyState;
      },
      get sent() {
        return transport.stats.messagesOut;
      },
      get received() {
        return transport.stats.messagesIn;
      },
    });
  }

  /** Steps the clock until `work` settles; fails after `realTimeoutMs` of real time. */
  async run<T>(work: Promise<T>, realTimeoutMs = 60_000): Promise<T> {
    let settled = false;
    work.then(() => (settled = true), () => (settled = true));
    const deadline = Date.now() + realTimeoutMs;
    // A channel per run: a message on it is a macrotask turn without timer clamping.
    const channel = new MessageChannel();
    try {
      while (!settled) {
        await this.#untilQuiet(channel, deadline);
        if (settled) break;
        const due = this.#clock.nextDue;
        if (due === undefined) {
          // Nothing scheduled: waiting on real I/O alone (a socket closing, say).
          if (Date.now() > deadline) throw new Error("lockstep: nothing happens any more");
          await this.#realPause();
          continue;
        }
        await this.#clock.tick(Math.max(0, due - this.#clock.now()));
      }
    } finally {
      channel.port1.close();
      channel.port2.close();
    }
    return await work;
  }

  #quiet(): boolean {
    const all = [...this.clients, ...this.#servers];
    // Open or closed, nothing between: a socket opening or closing has traffic in flight.
    if (!all.every((s) => s.readyState === 1 || s.readyState === 3)) return false;
    // Every caller hung up: nothing more can arrive.
    if (this.clients.length > 0 && this.clients.every((c) => c.readyState === 3)) return true;
    const open = (ends: CountedEnd[]) => ends.filter((s) => s.readyState === 1);
    const sum = (ends: CountedEnd[], count: "sent" | "received") =>
      ends.reduce((n, s) => n + s[count], 0);
    // Each connection is a client and a server end; one closed at both ends has nothing in
    // flight whatever its counts, so only open ends are summed. A client open before its server
    // end is known (a transport registered after an await) is a connection still being made.
    const clients = open(this.clients);
    const servers = open(this.#servers);
    return clients.length === servers.length &&
      sum(clients, "sent") === sum(servers, "received") &&
      sum(servers, "sent") === sum(clients, "received");
  }

  async #untilQuiet(channel: MessageChannel, deadline: number): Promise<void> {
    for (let polls = 0;; polls++) {
      // A macrotask turn: every promise callback queued so far has run, and socket events may
      // be delivered; the first few turns are free of timer clamping, later ones sleep 1 ms.
      if (polls < 20) {
        await new Promise<void>((resolve) => {
          channel.port1.onmessage = () => resolve();
          channel.port2.postMessage(0);
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
