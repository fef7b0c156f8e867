/**
 * workerd's `WebSocketPair` and `Response` on memory sockets, as a 101 that went to its client,
 * for Hono on (memory) Workers, from Cloudflare's documentation (Workers → Runtime APIs →
 * WebSockets): `new WebSocketPair()` gives `[client, server]`; the server end is `accept()`ed and
 * served by the Worker, the client end goes in the 101 (`new Response(null, { status: 101,
 * webSocket: client })`). workerd's `accept()` on an end a response carried throws ("Can't
 * accept() WebSocket that was already used in a response"), which is what tells the adapter the
 * 101 went. Hono's Workers `upgradeWebSocket` (hono/cloudflare-workers) hands the route's events
 * the server end, `onMessage` on its "message" events (no `onOpen`).
 *
 * @module
 */

import { type MemorySocket, MemorySocketPair } from "../../src/testing/memory_socket.ts";

/** The client's ends of the pairs made, in order. */
const clients: MemorySocket[] = [];

/** `WebSocketPair`, its client end one a 101 carried: `accept()` throws, as workerd's does. */
class CarriedPair {
  readonly 0: MemorySocket & { accept(): void };
  readonly 1: MemorySocket & { accept(): void };
  constructor() {
    const { client, server } = new MemorySocketPair();
    clients.push(client);
    this[0] = Object.assign(client, {
      accept() {
        throw new TypeError("Can't accept() WebSocket that was already used in a response.");
      },
    });
    this[1] = Object.assign(server, { accept() {} });
  }
}

/** workerd's `Response`: takes a 101 (Deno's refuses a status below 200) and its `webSocket`. */
class WorkersResponse extends Response {
  readonly #status: number;
  readonly webSocket: unknown;
  constructor(body?: BodyInit | null, init?: ResponseInit & { webSocket?: unknown }) {
    super(body, init?.status === 101 ? { ...init, status: 200 } : init);
    this.#status = init?.status ?? 200;
    this.webSocket = init?.webSocket ?? null;
  }
  override get status(): number {
    return this.#status;
  }
}

/**
 * Runs `upgrade` (the route's `fetch`) with workerd's `WebSocketPair` and `Response` in place,
 * Deno's back after; returns the client's ends of the pairs it made, in order.
 */
export async function withCarriedPairs(
  upgrade: () => Promise<void>,
): Promise<readonly MemorySocket[]> {
  const globals = globalThis as { WebSocketPair?: unknown; Response: typeof Response };
  const { Response: DenoResponse } = globals;
  globals.WebSocketPair = CarriedPair;
  globals.Response = WorkersResponse;
  clients.length = 0;
  try {
    await upgrade();
  } finally {
    globals.Response = DenoResponse;
    delete globals.WebSocketPair;
  }
  return [...clients];
}
