/**
 * The Hono app of the behavioural suite, the same on every runtime: only `upgradeWebSocket`
 * changes. Middleware that writes headers on every response (`cors`, `poweredBy`,
 * `secureHeaders`) sits in front of the WebSocket routes on purpose: it used to break upgrades.
 *
 * @module
 */

import { Hono } from "hono";
import { cors } from "hono/cors";
import { poweredBy } from "hono/powered-by";
import { secureHeaders } from "hono/secure-headers";
import { type HonoUpgradeWebSocket, transport } from "../../../src/adapters/hono.ts";
import { ADMISSION, BLAST_OPTIONS, ECHO_OPTIONS, logResponse, runBot } from "../behaviour/bot.ts";

/** Builds the app around a runtime's `upgradeWebSocket`. */
// deno-lint-ignore no-explicit-any
export function behaviourApp(upgradeWebSocket: HonoUpgradeWebSocket<any, any>): Hono {
  const app = new Hono();
  app.use(cors({ origin: "https://app.example" }), poweredBy(), secureHeaders());
  app.get("/log", (c) => logResponse(new URL(c.req.url)));
  const session = (t: Parameters<typeof runBot>[0], c: { req: { url: string } }) =>
    runBot(t, new URL(c.req.url));
  app.get("/ws", transport(upgradeWebSocket, session, { ...ADMISSION, ...ECHO_OPTIONS }));
  app.get("/ws-blast", transport(upgradeWebSocket, session, { ...ADMISSION, ...BLAST_OPTIONS }));
  return app;
}
