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
import type { FrameSerializer } from "../../src/serializer.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { sessionBeforeTheClientSpoke } from "./_hono_workers_first_message.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 500;

/**
 * A session of Hono on (memory) Workers that the bot closes with 4000 "bye" as it starts, whose
 * client speaks first once `speakAt` (ms) has passed; what the session and the client saw.
 */
async function closedBeforeTheClientSpoke(speakAt: number) {
  const clock = new FakeClock();
  const serializer = (): FrameSerializer => ({ serialize: () => null, deserialize: () => null });
  const { session: transport, errors, client } = await sessionBeforeTheClientSpoke(
    speakAt,
    { clock, serializer, openTimeoutMs: OPEN_TIMEOUT_MS, closeTimeoutMs: CLOSE_TIMEOUT_MS },
    (transport) => void transport.close(4000, "bye"),
  );
  const seen = new Promise<{ code: number; reason: string }>((resolve) =>
    client.addEventListener("close", (event) => resolve(event as CloseEvent))
  );
  await clock.tick(Math.max(speakAt, 2 * CLOSE_TIMEOUT_MS) + 100);
  const { code, reason } = await seen;
  const session = await transport.closed;
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
