/**
 * A Worker whose Twilio sessions hang the call up (an `end`) as soon as the call's `start` comes,
 * through Twilio's REST API served at `?api=` (an http origin), given up after 1000 ms; with
 * `?keep`, handing the `fetch` handler's `ctx.waitUntil` to the session. Under `/hono`, sessions
 * come through Hono's Workers helper and `voiceSession`, given no `waitUntil`; under `/object`, in
 * a `CallDurableObject` (bound as `CALLS`, one object for every call), given no `waitUntil`
 * either: the object passes its own `ctx.waitUntil`. Each error a
 * session reports is posted to the API's origin, at `/reported`. `GET /log` answers with what the
 * sessions did since the last `GET /log`: `closed`, or an error's code and message.
 *
 * @module
 */
import { type ExecutionContext, Hono } from "hono";
import { upgradeWebSocket } from "hono/cloudflare-workers";
import { type CloudflareUpgradeOptions, upgrade } from "../../src/adapters/cloudflare.ts";
import {
  CallDurableObject,
  type DurableObjectNamespaceLike,
} from "../../src/adapters/cloudflare_durable_object.ts";
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
function hangUpAtStart(
  transport: WebSocketTransport,
  api: string,
  ctx: Pick<ExecutionContext, "waitUntil">,
): void {
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

/** The `?api=` origin of `request`. */
const apiOf = (request: Request) => new URL(request.url).searchParams.get("api")!;

/** A call in a Durable Object: its options name no `waitUntil`, the object passes its own. */
export class HangUpCall extends CallDurableObject<unknown, Pick<ExecutionContext, "waitUntil">> {
  protected override upgradeOptions(request: Request): CloudflareUpgradeOptions {
    return { serializer: twilio(apiOf(request)) };
  }
  protected override onSession(transport: WebSocketTransport, request: Request): void {
    hangUpAtStart(transport, apiOf(request), this.ctx);
  }
}

export default {
  async fetch(
    request: Request,
    env: { CALLS?: DurableObjectNamespaceLike },
    ctx: ExecutionContext,
  ): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/log") return Response.json(log.splice(0));
    if (url.pathname === "/hono") return hono.fetch(request, env, ctx);
    if (url.pathname === "/object") {
      return CallDurableObject.route(request, env.CALLS!, { idFrom: () => "CA1" });
    }
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
