// Hono on Workers, a served client quiet through `openTimeoutMs`, which speaks just as that bound
// passes: between the session's own bound (it ended as one whose socket never opened, 1006, and
// asked the socket, not yet handed over, to close with no code) and the adapter's check of the
// 101, each a runtime timer of its own on Workers (src/_system_timers.ts), the client's message a
// task between them. It is told 1001 and the session's reason, as a client quiet a moment longer
// is (hono_workerd_quiet_client_test.ts, on workerd itself), not 1005 and no reason.
//
// workerd's `WebSocketPair` on memory sockets, from Cloudflare's documentation (Workers →
// Runtime APIs → WebSockets): `new WebSocketPair()` gives `[client, server]`; the server end is
// `accept()`ed and served by the Worker, the client end goes in the 101 (`new Response(null,
// { status: 101, webSocket: client })`). workerd's `accept()` on an end a response carried throws
// ("Can't accept() WebSocket that was already used in a response"), which is what tells the
// adapter the 101 went. Hono's Workers `upgradeWebSocket` (hono/cloudflare-workers) hands the
// route's events the server end, `onMessage` on its "message" events (no `onOpen`).
import assert from "node:assert/strict";
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/cloudflare-workers";
import { voiceSession } from "../../src/adapters/hono.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { type MemorySocket, MemorySocketPair } from "../../src/testing/memory_socket.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

const OPEN_TIMEOUT_MS = 200;
const NEVER_OPENED = `the socket did not open within ${OPEN_TIMEOUT_MS} ms`;

/** `WebSocketPair`, its client end one a 101 carried: `accept()` throws, as workerd's does. */
class CarriedPair {
  static clients: MemorySocket[] = [];
  readonly 0: MemorySocket & { accept(): void };
  readonly 1: MemorySocket & { accept(): void };
  constructor() {
    const { client, server } = new MemorySocketPair();
    CarriedPair.clients.push(client);
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
 * A session of Hono on (memory) Workers whose client speaks once `speakAt` (ms) has passed: at
 * `OPEN_TIMEOUT_MS`, a timer armed after the session's bound and before the adapter's check
 * (by the serializer's `setup`, which the transport calls between them), so it fires between.
 */
async function quietClient(speakAt: number) {
  const clock = new FakeClock();
  const globals = globalThis as { WebSocketPair?: unknown; Response: typeof Response };
  const { Response: DenoResponse } = globals;
  globals.WebSocketPair = CarriedPair;
  globals.Response = WorkersResponse;
  CarriedPair.clients = [];
  const sessions: WebSocketTransport[] = [];
  try {
    const serializer = (): FrameSerializer => ({
      setup: () => void clock.timer(() => client().send(new Uint8Array(320))).arm(speakAt),
      serialize: () => null,
      deserialize: () => null,
    });
    const app = new Hono();
    app.get(
      "/ws",
      voiceSession(upgradeWebSocket, (transport) => void sessions.push(transport), {
        clock,
        serializer,
        openTimeoutMs: OPEN_TIMEOUT_MS,
      }),
    );
    const response = await app.fetch(upgradeRequest({ url: "https://example.com/ws" }));
    assert.equal(response.status, 101);
  } finally {
    globals.Response = DenoResponse;
    delete globals.WebSocketPair;
  }
  const client = () => CarriedPair.clients[0]!;
  const seen = new Promise<{ code: number; reason: string }>((resolve) =>
    client().addEventListener("close", (event) => resolve(event as CloseEvent))
  );
  await clock.tick(OPEN_TIMEOUT_MS + 100);
  const { code, reason } = await seen;
  return { session: await sessions[0]!.closed, seen: { code, reason } };
}

Deno.test("Hono on Workers: a quiet client that speaks between the session's open bound and the adapter's check is told 1001 and the reason", async () => {
  const { session, seen } = await quietClient(OPEN_TIMEOUT_MS);
  assert.deepEqual([session.code, session.reason], [1006, NEVER_OPENED]);
  assert.deepEqual(seen, { code: 1001, reason: NEVER_OPENED });
});

Deno.test("Hono on Workers: a quiet client that speaks after the bound is told 1001 and the reason", async () => {
  const { session, seen } = await quietClient(OPEN_TIMEOUT_MS + 50);
  assert.deepEqual([session.code, session.reason], [1006, NEVER_OPENED]);
  assert.deepEqual(seen, { code: 1001, reason: NEVER_OPENED });
});
