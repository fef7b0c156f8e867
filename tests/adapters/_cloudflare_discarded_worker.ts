/**
 * A Worker that upgrades with the Cloudflare adapter and then, asked to, throws its 101 away and
 * answers 500 (as a handler does whose own code fails after the upgrade): `/worker?discard` in the
 * Worker, `/ws/:id?discard` in a Durable Object whose `fetch` override does the same. Every
 * session's end (and each "error" it reports) is logged, in the isolate, for `GET /log`; a served
 * session's bound passing is logged too ("past the bound"), so that a test knows when to look.
 *
 * @module
 */

import { upgrade } from "../../src/adapters/cloudflare.ts";
import {
  CallDurableObject,
  type DurableObjectNamespaceLike,
} from "../../src/adapters/cloudflare_durable_object.ts";
import type { CloudflareUpgradeOptions } from "../../src/adapters/cloudflare.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

/** The bound a session's 101 has to be sent in: short, so that the test waits little. */
const OPEN_TIMEOUT_MS = 200;

const log: string[] = [];

/** Logs `transport`'s errors and its end, as `where` saw them. */
function watch(transport: WebSocketTransport, where: string): void {
  transport.addEventListener("error", (event) => {
    const { error } = event as Event & { error: { code: string } };
    log.push(`${where} error ${error.code}`);
  });
  void transport.closed.then(({ code }) => log.push(`${where} closed ${code}`));
  // A runtime timer of the Worker's own: past it, the adapter's bound has passed.
  setTimeout(() => log.push(`${where} past the bound`), OPEN_TIMEOUT_MS + 100);
}

/** Echoes each call; `?discard` answers 500 in place of the upgrade's 101. */
export class DiscardingCall extends CallDurableObject {
  protected override upgradeOptions(): CloudflareUpgradeOptions {
    return { openTimeoutMs: OPEN_TIMEOUT_MS };
  }
  protected override onSession(transport: WebSocketTransport, request: Request): void {
    watch(transport, `object ${new URL(request.url).search}`);
    transport.readable.pipeTo(transport.writable).catch(() => {});
  }
  override async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === "/log") return Response.json(log);
    const response = await super.fetch(request);
    if (new URL(request.url).searchParams.has("discard")) {
      return new Response("failed after the upgrade", { status: 500 });
    }
    return response;
  }
}

export default {
  async fetch(
    request: Request,
    env: { CALLS: DurableObjectNamespaceLike },
    ctx: { waitUntil(promise: Promise<unknown>): void },
  ): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/log") return Response.json(log);
    if (url.pathname === "/object-log") {
      return env.CALLS.get(env.CALLS.idFromName("call") as never).fetch(
        new Request(new URL("/log", url)),
      );
    }
    if (url.pathname.startsWith("/ws/")) return CallDurableObject.route(request, env.CALLS);
    const { transport, response } = await upgrade(request, {
      openTimeoutMs: OPEN_TIMEOUT_MS,
      waitUntil: (promise) => ctx.waitUntil(promise),
    });
    if (transport === null) return response;
    watch(transport, `worker ${url.search}`);
    // Kept alive past the response, as a Worker that logs each session's end would keep it.
    ctx.waitUntil(transport.closed);
    if (url.searchParams.has("discard")) {
      return new Response("failed after the upgrade", { status: 500 });
    }
    transport.readable.pipeTo(transport.writable).catch(() => {});
    return response;
  },
};
