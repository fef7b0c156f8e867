/**
 * A Worker whose Twilio sessions hang the call up (an `end`) as soon as the call's `start` comes,
 * through Twilio's REST API served at `?api=` (an http origin), given up after 1000 ms; with
 * `?keep`, handing the `fetch` handler's `ctx.waitUntil` to the session. Under `/hono`, sessions
 * come through Hono's Workers helper and `voiceSession`, given no `waitUntil`. Each error a
 * session reports is posted to the API's origin, at `/reported`. `GET /log` answers with what the
 * sessions did since the last `GET /log`: `closed`, or an error's code and message.
 *
 * @module
 */
import { type ExecutionContext, Hono } from "hono";
import { upgradeWebSocket } from "hono/cloudflare-workers";
import { upgrade } from "../../src/adapters/cloudflare.ts";
import { voiceSession } from "../../src/adapters/hono.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

const log: string[] = [];

/** Twilio's serializer, its REST API at `api`. */
function twilio(api: string): TwilioSerializer {
  return new TwilioSerializer({
    accountSid: "AC1",
    authToken: "token",
    fetch: (input, init) => fetch(input.replace("https://api.twilio.com", api), init),
    hangUpTimeoutMs: 1000,
  });
}

/** Hangs the call up at its `start`, logging the session's end and errors (posted to `api`). */
function hangUpAtStart(transport: WebSocketTransport, api: string, ctx: ExecutionContext): void {
  transport.addEventListener("error", ({ error }) => {
    const entry = `${error.code}: ${error.message}`;
    log.push(entry);
    ctx.waitUntil(fetch(`${api}/reported`, { method: "POST", body: entry }));
  });
  void transport.closed.then(() => log.push("closed"));
  transport.receive((frame) => {
    if (frame.type === "start") void transport.send({ type: "end" });
  });
}

const hono = new Hono();
hono.get("/hono", (c, next) => {
  const api = c.req.query("api")!;
  // Made per request only for the `?api=` origin: the route's options name no `waitUntil`.
  const route = voiceSession(
    upgradeWebSocket,
    (transport) => hangUpAtStart(transport, api, c.executionCtx),
    { serializer: () => twilio(api) },
  );
  return route(c, next);
});

export default {
  async fetch(request: Request, env: unknown, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/log") return Response.json(log.splice(0));
    if (url.pathname === "/hono") return hono.fetch(request, env, ctx);
    const api = url.searchParams.get("api")!;
    const keep = url.searchParams.has("keep");
    const { transport, response } = await upgrade(request, {
      serializer: twilio(api),
      ...(keep ? { waitUntil: (promise: Promise<unknown>) => ctx.waitUntil(promise) } : {}),
    });
    if (transport !== null) hangUpAtStart(transport, api, ctx);
    return response;
  },
};
