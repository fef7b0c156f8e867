// workerd's globals that the Cloudflare adapters use, on memory sockets, for tests on Deno.
import { type MemorySocket, MemorySocketPair } from "../../src/testing/memory_socket.ts";

/** The client's ends of the pairs made, in order. */
const clients: MemorySocket[] = [];

/** workerd's `WebSocketPair` on memory sockets: `[0]` the client's end, `[1]` the server's. */
class MemoryWebSocketPair {
  /** Whether the clients of the pairs made from now on answer a close. */
  static answersClose = true;
  readonly 0: MemorySocket;
  readonly 1: MemorySocket & { accept(): void };
  constructor() {
    const { client, server } = new MemorySocketPair();
    client.answersClose = MemoryWebSocketPair.answersClose;
    clients.push(client);
    this[0] = client;
    this[1] = Object.assign(server, { accept() {} });
  }
}

/** workerd's `Response`, which takes the 101 of an upgrade: Deno's refuses a status below 200. */
class WorkersResponse extends Response {
  readonly #status: number;
  constructor(body?: BodyInit | null, init?: ResponseInit) {
    super(body, init?.status === 101 ? { ...init, status: 200 } : init);
    this.#status = init?.status ?? 200;
  }
  override get status(): number {
    return this.#status;
  }
}

/**
 * Runs `body` with workerd's `WebSocketPair` and `Response` in place (clients that answer a close
 * as `answersClose` says), and hands it the client's end of each pair made; Deno's are back after.
 */
export async function withMemoryWorkers(
  body: (clients: readonly MemorySocket[]) => Promise<void>,
  answersClose = true,
): Promise<void> {
  const globals = globalThis as { WebSocketPair?: unknown; Response: typeof Response };
  const { Response: DenoResponse } = globals;
  globals.WebSocketPair = MemoryWebSocketPair;
  globals.Response = WorkersResponse;
  MemoryWebSocketPair.answersClose = answersClose;
  clients.length = 0;
  try {
    await body(clients);
  } finally {
    globals.Response = DenoResponse;
    delete globals.WebSocketPair;
  }
}
