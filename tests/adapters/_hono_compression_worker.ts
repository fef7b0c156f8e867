/**
 * A Hono app on Workers (`hono/cloudflare-workers`) whose echo sessions (the behavioural suite's
 * bot) decline compression on `/ws` and agree it on `/ws-compression` (`compression: true`),
 * behind the header middleware the suite's app has in front (`cors`, `poweredBy`,
 * `secureHeaders`), which writes on the 101 after the route. `GET /log?id=…&event=closed` tells
 * how a session ended.
 *
 * @module
 */

import { Hono } from "hono";
import { upgradeWebSocket } from "hono/cloudflare-workers";
import { cors } from "hono/cors";
import { poweredBy } from "hono/powered-by";
import { secureHeaders } from "hono/secure-headers";
import { voiceSession } from "../../src/adapters/hono.ts";
import { ECHO_OPTIONS, logResponse, runBot } from "../runtimes/behaviour/bot.ts";

const app = new Hono();
app.use(cors({ origin: "https://app.example" }), poweredBy(), secureHeaders());
app.get("/log", (c) => logResponse(new URL(c.req.url)));
for (const [path, options] of [["/ws", {}], ["/ws-compression", { compression: true }]] as const) {
  const session = voiceSession(upgradeWebSocket, (t, c) => runBot(t, new URL(c.req.url)), {
    ...ECHO_OPTIONS,
    ...options,
  });
  app.get(path, session);
}

export default app;
