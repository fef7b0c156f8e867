/**
 * The Hono app of the behavioural suite, the same on every runtime: only `upgradeWebSocket`
 * changes. Middleware that writes headers on every response (`cors`, `poweredBy`,
 * `secureHeaders`) sits in front of the WebSocket routes on purpose: it used to break upgrades.
 * Besides the suite's routes, `/rooms/:room` answers each session with what its callback read of
 * the request: a header, the path parameter, the query and a value set by middleware.
 *
 * @module
 */

import { Hono } from "hono";
import { cors } from "hono/cors";
import { poweredBy } from "hono/powered-by";
import { secureHeaders } from "hono/secure-headers";
import { type HonoUpgradeWebSocket, voiceSession } from "../../../src/adapters/hono.ts";
import { ADMISSION, logResponse, optionsFor, runBot, throwingSession } from "../behaviour/bot.ts";

/** What `/rooms/:room` sends first: what the session callback read. */
export interface RoomGreeting {
  host: string | undefined;
  room: string;
  q: string | undefined;
  greeting: string;
}

/** The app's context: what middleware sets for the session callbacks. */
export type AppEnv = { Variables: { greeting: string } };

/** Builds the app around a runtime's `upgradeWebSocket`. */
// deno-lint-ignore no-explicit-any
export function behaviourApp(upgradeWebSocket: HonoUpgradeWebSocket<any, any>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(cors({ origin: "https://app.example" }), poweredBy(), secureHeaders());
  app.get("/log", (c) => logResponse(new URL(c.req.url)));
  for (const path of ["/ws", "/ws-blast", "/ws-close"]) {
    const options = { ...ADMISSION, ...optionsFor(path) };
    app.get(path, voiceSession(upgradeWebSocket, (t, c) => runBot(t, new URL(c.req.url)), options));
  }
  app.get(
    "/ws-throws",
    voiceSession(upgradeWebSocket, (_t, c) => throwingSession(new URL(c.req.url)), ADMISSION),
  );
  app.use("/rooms/*", async (c, next) => {
    c.set("greeting", "set by middleware");
    await next();
  });
  app.get(
    "/rooms/:room",
    voiceSession(upgradeWebSocket, (transport, c) => {
      const message: RoomGreeting = {
        host: c.req.header("host"),
        room: c.req.param("room"),
        q: c.req.query("q"),
        greeting: c.get("greeting"),
      };
      const writer = transport.writable.getWriter();
      void writer.write({ type: "message", message });
      writer.releaseLock();
    }),
  );
  return app;
}
