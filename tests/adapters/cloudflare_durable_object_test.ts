// `CallDurableObject` drops a connection whose peer never answered the close by resetting itself
// (`ctx.abort()`), and refuses calls (409) from then until the reset. `abort()` came to
// `DurableObjectState` late (workerd's src/workerd/api/actor-state.h long declared only
// `waitUntil`, `id`, `storage` and `blockConcurrencyWhile`): where it is missing nothing resets
// the object, which refused every later call (409) for as long as it stayed in memory.
import assert from "node:assert/strict";
import type { CloudflareUpgradeOptions } from "../../src/adapters/cloudflare.ts";
import { CallDurableObject } from "../../src/adapters/cloudflare_durable_object.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { type MemorySocket, MemorySocketPair } from "../../src/testing/memory_socket.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

/** workerd's `WebSocketPair` on memory sockets: `[0]` the client's end, `[1]` the server's. */
class MemoryWebSocketPair {
  readonly 0: MemorySocket;
  readonly 1: MemorySocket & { accept(): void };
  constructor() {
    const { client, server } = new MemorySocketPair();
    client.answersClose = false; // a peer that never answers the close
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

/** A call that hangs up at once, on `clock`, in an object whose state has no `abort()`. */
class HangingUpCall extends CallDurableObject<undefined, Record<string, never>> {
  readonly clock = new FakeClock();
  readonly sessions: WebSocketTransport[] = [];
  protected override upgradeOptions(): CloudflareUpgradeOptions {
    return { clock: this.clock, closeTimeoutMs: 100 };
  }
  protected override onSession(transport: WebSocketTransport): void {
    this.sessions.push(transport);
    transport.addEventListener("error", () => {}); // the "timeout" of the unanswered close
    void transport.close(4000, "bye");
  }
}

const UPGRADE = {
  upgrade: "websocket",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

Deno.test("`CallDurableObject` without `ctx.abort()` takes the next call once a peer never answered the close", async () => {
  const globals = globalThis as { WebSocketPair?: unknown; Response: typeof Response };
  const { Response: DenoResponse } = globals;
  globals.WebSocketPair = MemoryWebSocketPair;
  globals.Response = WorkersResponse;
  try {
    const call = new HangingUpCall({}, undefined);
    const upgrade = () => new Request("https://example.com/ws/CA1", { headers: UPGRADE });
    assert.equal((await call.fetch(upgrade())).status, 101);
    await call.clock.tick(100); // the close goes unanswered: the connection would be dropped
    const [first] = call.sessions;
    assert.equal((await first?.closed)?.code, 4000);
    assert.equal((await call.fetch(upgrade())).status, 101, "the next call is taken, not 409");
    await call.clock.tick(100);
    assert.equal(call.sessions.length, 2);
  } finally {
    globals.Response = DenoResponse;
    delete globals.WebSocketPair;
  }
});
