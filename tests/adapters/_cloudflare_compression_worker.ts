/**
 * A Worker whose sessions echo and log how they ended, reached by the Cloudflare adapter
 * (`/direct`) or a `CallDurableObject` (`/ws/:id`); `?compression` gives the session
 * `compression: true`. `GET /log?count=N` answers with the log, as JSON, once it holds N entries
 * (or after 5 s, with what it holds).
 *
 * @module
 */
import type { WebSocketTransport } from "../../src/transport.ts";
import { type CloudflareUpgradeOptions, upgrade } from "../../src/adapters/cloudflare.ts";
import {
  CallDurableObject,
  type DurableObjectNamespaceLike,
} from "../../src/adapters/cloudflare_durable_object.ts";

/** How a session ended: the path it came by, its close, and its fatal error's message. */
export interface CompressionLogEntry {
  path: string;
  code: number;
  initiator: string;
  fatal?: string;
}

/** Every session's end, in order (the Worker and its objects share this module's isolate). */
const log: CompressionLogEntry[] = [];
/** Wakes the `/log` requests waiting for more entries. */
const logWaiters = new Set<() => void>();

/** The log, once it holds `count` entries, or after 5 s with what it holds. */
async function logResponse(count: number): Promise<Response> {
  if (log.length < count) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(bound);
        logWaiters.delete(check);
        resolve();
      };
      const check = () => void (log.length >= count && done());
      const bound = setTimeout(done, 5000);
      logWaiters.add(check);
    });
  }
  return Response.json(log);
}

function logged(transport: WebSocketTransport, path: string): void {
  let fatal: string | undefined;
  transport.addEventListener(
    "error",
    (event) => void (event.error.fatal && (fatal ??= event.error.message)),
  );
  void transport.closed.then(({ code, initiator }) => {
    log.push({ path, code, initiator, ...(fatal === undefined ? {} : { fatal }) });
    for (const check of [...logWaiters]) check();
  });
  transport.readable.pipeTo(transport.writable).catch(() => {});
}

function sessionOptions(request: Request): CloudflareUpgradeOptions {
  return new URL(request.url).searchParams.has("compression") ? { compression: true } : {};
}

/** One call per object, with the options `?compression` asks for. */
export class CompressionCall extends CallDurableObject {
  protected override upgradeOptions(request: Request): CloudflareUpgradeOptions {
    return sessionOptions(request);
  }
  protected override onSession(transport: WebSocketTransport, request: Request): void {
    logged(transport, new URL(request.url).pathname);
  }
}

export default {
  async fetch(request: Request, env: { CALLS: DurableObjectNamespaceLike }): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/log") return logResponse(Number(url.searchParams.get("count") ?? 0));
    if (url.pathname !== "/direct") return CallDurableObject.route(request, env.CALLS);
    const { transport, response } = await upgrade(request, sessionOptions(request));
    if (transport) logged(transport, url.pathname);
    return response;
  },
};
