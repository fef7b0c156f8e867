// Hono on Workers, a bot that closes its session (`transport.close(code, reason)`) before the
// client's first message: Hono hands the socket over only with that message, so the session's
// socket is still connecting, and the close waits for it, at most `closeTimeoutMs`. With
// `closeTimeoutMs` above `openTimeoutMs`, the open bound ended the session first, as one whose
// socket never opened: `closed` said 1006 "the socket did not open…", and the client, once it
// spoke, was closed with 1001 and that reason: the bot's close was lost. The bot's close is what
// ends the session and what the client reads (README, Hono: "closed in `onSession`… it is then
// closed with the session's code and reason"), whether the client speaks within the close's wait
// or after the session has ended (its close unanswered).
import assert from "node:assert/strict";
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/cloudflare-workers";
import { voiceSession } from "../../src/adapters/hono.ts";
import type { TransportError } from "../../src/errors.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { MemorySocket } from "../../src/testing/memory_socket.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { withCarriedPairs } from "./_carried_pair_workers.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 500;

/**
 * A session of Hono on (memory) Workers that the bot closes with 4000 "bye" as it starts, whose
 * client speaks first once `speakAt` (ms) has passed; what the session and the client saw.
 */
async function closedBeforeTheClientSpoke(speakAt: number) {
  const clock = new FakeClock();
  const sessions: WebSocketTransport[] = [];
  const errors: TransportError[] = [];
  let clients: readonly MemorySocket[] = [];
  clients = await withCarriedPairs(async () => {
    const serializer = (): FrameSerializer => ({
      setup: () => void clock.timer(() => clients[0]!.send(new Uint8Array(320))).arm(speakAt),
      serialize: () => null,
      deserialize: () => null,
    });
    const app = new Hono();
    app.get(
      "/ws",
      voiceSession(upgradeWebSocket, (transport) => {
        sessions.push(transport);
        transport.addEventListener("error", (e) => errors.push(e.error));
        void transport.close(4000, "bye");
      }, { clock, serializer, openTimeoutMs: OPEN_TIMEOUT_MS, closeTimeoutMs: CLOSE_TIMEOUT_MS }),
    );
    const response = await app.fetch(upgradeRequest({ url: "https://example.com/ws" }));
    assert.equal(response.status, 101);
  });
  const seen = new Promise<{ code: number; reason: string }>((resolve) =>
    clients[0]!.addEventListener("close", (event) => resolve(event as CloseEvent))
  );
  await clock.tick(Math.max(speakAt, 2 * CLOSE_TIMEOUT_MS) + 100);
  const { code, reason } = await seen;
  const session = await sessions[0]!.closed;
  // The client's message, read as the session ends, is dropped and reported ("closed"): not ours.
  const timeouts = errors.filter((e) => e.code === "timeout").map((e) => [e.closeCode, e.message]);
  return { session, seen: { code, reason }, timeouts };
}

Deno.test("Hono on Workers: a bot's close before the client spoke outlives the open bound: the client, speaking within its wait, reads it", async () => {
  const { session, seen, timeouts } = await closedBeforeTheClientSpoke(OPEN_TIMEOUT_MS + 100);
  assert.deepEqual(session, { code: 4000, reason: "bye", initiator: "local" });
  assert.deepEqual(seen, { code: 4000, reason: "bye" });
  assert.deepEqual(timeouts, [], "no open bound's timeout: the session was ending already");
});

Deno.test("Hono on Workers: a bot's close before the client spoke ends the session unanswered with its code, and is what the client reads later", async () => {
  const { session, seen, timeouts } = await closedBeforeTheClientSpoke(2 * CLOSE_TIMEOUT_MS + 50);
  assert.deepEqual(session, { code: 4000, reason: "bye", initiator: "local" });
  assert.deepEqual(seen, { code: 4000, reason: "bye" });
  assert.deepEqual(timeouts, [[4000, `no close handshake within ${CLOSE_TIMEOUT_MS} ms`]]);
});
