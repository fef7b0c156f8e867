/**
 * A Worker whose upgrades' 101s never reach a client in three other ways than
 * `_cloudflare_discarded_worker.ts`'s: a Hono app on Workers whose middleware replaces the route's
 * 101 (`/hono/replace`) or throws after it (`/hono/throw`); a POST upgrade with no body, whose 101
 * workerd fails itself (500); a client that hangs up while `authorize` is awaited (`/worker?gated`
 * in the Worker, `/ws/call?gated` in a Durable Object), the answer held until `/release`. Every
 * session's end, each "error" it reports and each call to `authorize` is logged for `GET /log`
 * (`/object-log` for the object's).
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { upgradeWebSocket } from "hono/cloudflare-workers";
import { upgrade } from "../../src/adapters/cloudflare.ts";
import {
  CallDurableObject,
  type DurableObjectNamespaceLike,
} from "../../src/adapters/cloudflare_durable_object.ts";
import type { CloudflareUpgradeOptions } from "../../src/adapters/cloudflare.ts";
import {
  type HonoUpgradeWebSocket,
  type HonoWSEvents,
  voiceSession,
} from "../../src/adapters/hono.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

/**
 * The Hono routes' bound: Hono on Workers hands the session its socket only with the client's
 * first message, so this bound is what ends a session whose 101 never went, and when the adapter
 * looks whether it went.
 */
const HONO_OPEN_TIMEOUT_MS = 200;

/**
 * The Cloudflare adapter's bound, far past any wait of the test: a session that ends within the
 * test was ended by workerd, not by `upgrade`'s check of a 101 never sent.
 */
const CLOUDFLARE_OPEN_TIMEOUT_MS = 60_000;

const log: string[] = [];

/**
 * The answers of `authorize` held until `/release`. Each is made in its own request: workerd
 * cancels what waits on a promise made in a request that has since completed.
 */
const held = new Set<() => void>();

/** An `authorize` that logs its call and says yes once released. */
function gatedYes(where: string): () => Promise<boolean> {
  return async () => {
    log.push(`${where} authorize asked`);
    await new Promise<void>((resolve) => held.add(resolve));
    return true;
  };
}

/** Answers the isolate's own `/log` and `/release`, else `undefined`. */
function ownRoute(request: Request): Response | undefined {
  const { pathname } = new URL(request.url);
  if (pathname === "/log") return Response.json(log);
  if (pathname !== "/release") return undefined;
  for (const resolve of held) resolve();
  held.clear();
  return new Response("released");
}

/** Logs `transport`'s errors and its end, as `where` saw them, and echoes what it receives. */
function watchAndEcho(transport: WebSocketTransport, where: string): void {
  transport.addEventListener("error", (event) => {
    const { error } = event as Event & { error: { code: string } };
    log.push(`${where} error ${error.code}`);
  });
  void transport.closed.then(({ code }) => log.push(`${where} closed ${code}`));
  transport.readable.pipeTo(transport.writable).catch(() => {});
}

/** A call whose `?gated` connection waits on its `authorize` (see `/release`). */
export class GatedCall extends CallDurableObject {
  protected override upgradeOptions(request: Request): CloudflareUpgradeOptions {
    const { search, searchParams } = new URL(request.url);
    return {
      openTimeoutMs: CLOUDFLARE_OPEN_TIMEOUT_MS,
      ...(searchParams.has("gated") ? { authorize: gatedYes(`object ${search}`) } : {}),
    };
  }
  protected override onSession(transport: WebSocketTransport, request: Request): void {
    watchAndEcho(transport, `object ${new URL(request.url).search}`);
  }
  override fetch(request: Request): Promise<Response> {
    return Promise.resolve(ownRoute(request) ?? super.fetch(request));
  }
}

/**
 * Hono's Workers `upgradeWebSocket`, its sockets' "close" logged as they reach Hono (`pair
 * closed`): a server end that never gets one stays accepted, holding its request in workerd.
 */
const loggingUpgrade =
  ((createEvents: (c: Context) => HonoWSEvents, options?: unknown) =>
    upgradeWebSocket((c) => {
      const events = createEvents(c);
      const onClose: HonoWSEvents["onClose"] = (event, ws) => {
        log.push(`hono ${new URL(c.req.url).pathname} pair closed`);
        events.onClose(event, ws);
      };
      return { ...events, onClose } as never;
    }, options as never)) as unknown as HonoUpgradeWebSocket<Context, unknown>;

const app = new Hono();
app.use("/hono/replace", async (c, next) => {
  await next();
  c.res = new Response("replaced after the upgrade", { status: 500 });
});
app.use("/hono/throw", async (_c, next) => {
  await next();
  throw new Error("failed after the upgrade");
});
app.onError(() => new Response("failed after the upgrade", { status: 500 }));
app.get(
  "/hono/*",
  voiceSession(loggingUpgrade, (transport, c) => {
    const where = `hono ${new URL(c.req.url).pathname}`;
    watchAndEcho(transport, where);
    // A runtime timer of the Worker's own: past it, the check of the 101 has been made.
    setTimeout(() => log.push(`${where} past the bound`), HONO_OPEN_TIMEOUT_MS + 100);
  }, { openTimeoutMs: HONO_OPEN_TIMEOUT_MS }),
);

export default {
  async fetch(
    request: Request,
    env: { CALLS: DurableObjectNamespaceLike },
    ctx: { waitUntil(promise: Promise<unknown>): void },
  ): Promise<Response> {
    const own = ownRoute(request);
    if (own !== undefined) return own;
    const url = new URL(request.url);
    const object = env.CALLS.get(env.CALLS.idFromName("call") as never);
    if (url.pathname === "/object-log") return object.fetch(new Request(new URL("/log", url)));
    if (url.pathname === "/object-release") {
      return object.fetch(new Request(new URL("/release", url)));
    }
    if (url.pathname.startsWith("/ws/")) return CallDurableObject.route(request, env.CALLS);
    if (url.pathname.startsWith("/hono/")) return app.fetch(request, env, ctx as never);
    const where = `worker ${url.search}`;
    const { transport, response } = await upgrade(request, {
      openTimeoutMs: CLOUDFLARE_OPEN_TIMEOUT_MS,
      waitUntil: (promise) => ctx.waitUntil(promise),
      ...(url.searchParams.has("gated") ? { authorize: gatedYes(where) } : {}),
    });
    if (transport === null) return response;
    watchAndEcho(transport, where);
    ctx.waitUntil(transport.closed); // the end is logged after the response
    return response;
  },
};
