/**
 * A Worker whose sessions end on a bound while their client stays quiet, so that a test can read
 * what close the client sees: `/cf/idle` (the Cloudflare adapter, `inactivityTimeoutMs`),
 * `/hono/idle` (Hono on Workers, `inactivityTimeoutMs`), `/hono/open` (Hono on Workers, whose
 * sessions open only at the client's first message: `openTimeoutMs`). Each session's end is logged
 * for `GET /log`, as `<path> closed <code> <reason>`, and `/hono/open past the bound` once the
 * adapter has looked whether that route's 101 went. `/hono/bye` (Hono on Workers) is a session
 * the bot closes as it starts, its close waiting for the socket past `openTimeoutMs`.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { upgradeWebSocket } from "hono/cloudflare-workers";
import { upgrade } from "../../src/adapters/cloudflare.ts";
import { type HonoUpgradeWebSocket, voiceSession } from "../../src/adapters/hono.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

/** Every bound that ends a quiet client's session here. */
const QUIET_BOUND_MS = 200;
/** A bound far past any wait of the test: the other bound is what ends the session. */
const NEVER_MS = 60_000;

const log: string[] = [];

/** Logs `transport`'s end as `where` saw it, and echoes what it receives. */
function watchAndEcho(transport: WebSocketTransport, where: string): void {
  void transport.closed.then(({ code, reason }) => log.push(`${where} closed ${code} ${reason}`));
  transport.readable.pipeTo(transport.writable).catch(() => {});
}

const honoUpgrade = upgradeWebSocket as unknown as HonoUpgradeWebSocket<Context, unknown>;
const app = new Hono();
app.get(
  "/hono/idle",
  voiceSession(honoUpgrade, (transport) => watchAndEcho(transport, "/hono/idle"), {
    inactivityTimeoutMs: QUIET_BOUND_MS,
    openTimeoutMs: NEVER_MS,
  }),
);
app.get(
  "/hono/open",
  voiceSession(honoUpgrade, (transport) => {
    watchAndEcho(transport, "/hono/open");
    // A runtime timer of the Worker's own: past it, the adapter's check of the 101 has been made.
    setTimeout(() => log.push("/hono/open past the bound"), QUIET_BOUND_MS + 100);
  }, { openTimeoutMs: QUIET_BOUND_MS }),
);

app.get(
  "/hono/bye",
  voiceSession(honoUpgrade, (transport) => {
    watchAndEcho(transport, "/hono/bye");
    void transport.close(4000, "bye");
  }, { openTimeoutMs: QUIET_BOUND_MS, closeTimeoutMs: 2 * QUIET_BOUND_MS }),
);

export default {
  async fetch(
    request: Request,
    env: unknown,
    ctx: { waitUntil(promise: Promise<unknown>): void },
  ): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/log") return Response.json(log);
    if (url.pathname.startsWith("/hono/")) return app.fetch(request, env, ctx as never);
    const { transport, response } = await upgrade(request, {
      inactivityTimeoutMs: QUIET_BOUND_MS,
      waitUntil: (promise) => ctx.waitUntil(promise),
    });
    if (transport === null) return response;
    watchAndEcho(transport, url.pathname);
    ctx.waitUntil(transport.closed);
    return response;
  },
};
