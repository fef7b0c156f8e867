// Runs several parties on one FakeClock over real sockets on 127.0.0.1, exactly: a simulated
// caller, the bridge, and the fake model service. Fake time moves only when nothing is in flight
// on any socket (every message either end sent has been received, and no socket is opening or
// closing), so each message arrives at the fake instant it was sent and the bridge's figures can
// be checked to the millisecond however slow the machine is. tests/simulator/_lockstep.ts does
// the same for two parties; here every socket, client or server, is counted the same way.
import type { FakeClock } from "../../../src/testing/fake_clock.ts";
import type { WebSocketLike } from "../../../src/socket.ts";

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

/** A socket that counts the messages it sends and receives (for the in-flight check). */
export class CountingSocket implements WebSocketLike {
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

/** Every socket of a test, client and server ends alike, stepped together on one clock. */
export class Lockstep {
  readonly clients: CountingSocket[] = [];
  readonly servers: CountingSocket[] = [];
  readonly #clock: FakeClock;

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  /** Opens a counted client socket (for `simulateCall`'s and the model's `connect`). */
  readonly connect = (url: string, headers?: Record<string, string>): CountingSocket => {
    const socket = new CountingSocket(openWebSocket(url, headers));
    this.clients.push(socket);
    return socket;
  };

  /** Upgrades a request to a counted server socket (for a server's `accept`). */
  readonly accept = (request: Request): { socket: CountingSocket; response: Response } => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    const counted = new CountingSocket(socket);
    this.servers.push(counted);
    return { socket: counted, response };
  };

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
    const all = [...this.clients, ...this.servers];
    // Open or closed, nothing between: a socket opening or closing has traffic in flight.
    if (!all.every((s) => s.readyState === 1 || s.readyState === 3)) return false;
    const open = (sockets: CountingSocket[]) => sockets.filter((s) => s.readyState === 1);
    const sum = (sockets: CountingSocket[], count: "sent" | "received") =>
      sockets.reduce((n, s) => n + s[count], 0);
    // Each pair is a client and a server socket; a pair closed at both ends has nothing in
    // flight whatever its counts, so only open sockets are summed (a pair is open at both ends
    // or closed at both, by the check above and the handshake).
    const clients = open(this.clients);
    const servers = open(this.servers);
    return sum(clients, "sent") === sum(servers, "received") &&
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
