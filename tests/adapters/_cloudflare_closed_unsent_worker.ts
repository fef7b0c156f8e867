/**
 * A Worker that upgrades with the Cloudflare adapter, ends the session itself at once (as a
 * handler does whose own set-up fails after the upgrade: it closes the transport) and then answers
 * 500 in place of the 101. The pair's server end is watched through a `WebSocketPair` that notes
 * the last pair made: whether workerd ever tells it its close was answered (its "close" event,
 * readyState CLOSED). The session's end and the server end's state once the adapter's bound has
 * passed are logged, in the isolate, for `GET /log`.
 *
 * @module
 */

import { upgrade } from "../../src/adapters/cloudflare.ts";

/** The bound a session's 101 has to be sent in: well past the session's own end. */
const OPEN_TIMEOUT_MS = 400;
/** How long the session's close waits for an answer: none comes, no client has the socket. */
const CLOSE_TIMEOUT_MS = 20;

const log: string[] = [];

type Pair = { 0: WebSocket; 1: WebSocket };
const WorkerdPair = (globalThis as unknown as { WebSocketPair: new () => Pair }).WebSocketPair;
/** The server end of the last pair made: the adapter's. */
let lastServer: WebSocket | undefined;
(globalThis as unknown as { WebSocketPair: unknown }).WebSocketPair = function (): Pair {
  const pair = new WorkerdPair();
  lastServer = pair[1];
  return pair;
};

export default {
  async fetch(
    request: Request,
    _env: unknown,
    ctx: { waitUntil(promise: Promise<unknown>): void },
  ): Promise<Response> {
    if (new URL(request.url).pathname === "/log") return Response.json(log);
    const { transport, response } = await upgrade(request, {
      openTimeoutMs: OPEN_TIMEOUT_MS,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
    });
    if (transport === null) return response;
    const server = lastServer!;
    server.addEventListener("close", () => log.push("server end closed"));
    transport.addEventListener("error", (event) => {
      const { error } = event as Event & { error: { code: string } };
      log.push(`session error ${error.code}`);
    });
    void transport.closed.then(({ code }) => log.push(`session closed ${code}`));
    // A runtime timer of the Worker's own: past it, the adapter's bound has passed.
    ctx.waitUntil(
      new Promise<void>((resolve) =>
        setTimeout(() => {
          log.push(`past the bound: server end readyState ${server.readyState}`);
          resolve();
        }, OPEN_TIMEOUT_MS + 300)
      ),
    );
    transport.close(1011, "set-up failed");
    return new Response("failed after the upgrade", { status: 500 });
  },
};
