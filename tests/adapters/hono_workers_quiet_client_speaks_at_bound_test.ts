// Hono on Workers, a served client quiet through `openTimeoutMs`, which speaks just as that bound
// passes: between the session's own bound (it ended as one whose socket never opened, 1006, and
// asked the socket, not yet handed over, to close with no code) and the adapter's check of the
// 101, each a runtime timer of its own on Workers (src/_system_timers.ts), the client's message a
// task between them. It is told 1001 and the session's reason, as a client quiet a moment longer
// is (hono_workerd_quiet_client_test.ts, on workerd itself), not 1005 and no reason.
//
// Memory Workers, a 101 that went to its client: see _carried_pair_workers.ts.
import assert from "node:assert/strict";
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/cloudflare-workers";
import { voiceSession } from "../../src/adapters/hono.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { MemorySocket } from "../../src/testing/memory_socket.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { withCarriedPairs } from "./_carried_pair_workers.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

const OPEN_TIMEOUT_MS = 200;
const NEVER_OPENED = `the socket did not open within ${OPEN_TIMEOUT_MS} ms`;

/**
 * A session of Hono on (memory) Workers whose client speaks once `speakAt` (ms) has passed: at
 * `OPEN_TIMEOUT_MS`, a timer armed after the session's bound and before the adapter's check
 * (by the serializer's `setup`, which the transport calls between them), so it fires between.
 */
async function quietClient(speakAt: number) {
  const clock = new FakeClock();
  const sessions: WebSocketTransport[] = [];
  let clients: readonly MemorySocket[] = [];
  const client = () => clients[0]!;
  clients = await withCarriedPairs(async () => {
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
  });
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
