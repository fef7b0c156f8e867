/**
 * The Worker the workerd memory test runs (see `../workerd_memory_test.ts`): echo sessions that
 * end, for the test to count what of them stays in the isolate's heap. `/direct` is the bare
 * adapter in a Worker, `/ws/:id` a `CallDurableObject` per id; either ends from the server's side
 * when the client sends the text `server-close`. `/ended?count=n` answers how many sessions have
 * ended, once `n` have (or after 5 s). With the binding `KEEP_TRANSPORTS` set, every transport is
 * kept in a module-level list for good: the leak the test must be able to see.
 *
 * @module
 */

import { upgrade } from "../../../src/adapters/cloudflare.ts";
import {
  CallDurableObject,
  type DurableObjectNamespaceLike,
} from "../../../src/adapters/cloudflare_durable_object.ts";
import type { CloudflareUpgradeOptions } from "../../../src/adapters/cloudflare.ts";
import type { WebSocketTransport } from "../../../src/transport.ts";

/** The text a client sends to have the server close the session (4000). */
const SERVER_CLOSE = "server-close";

interface MemoryEnv {
  CALLS: DurableObjectNamespaceLike;
  /** Set: keep every transport (a deliberate leak, to show the test can fail). */
  KEEP_TRANSPORTS?: string;
}

const OPTIONS: CloudflareUpgradeOptions = {
  audioIn: { sampleRate: 16000 },
  audioOut: { sampleRate: 16000, chunkMs: 40 },
};

/** The deliberate leak: filled only with `KEEP_TRANSPORTS`. */
const kept: WebSocketTransport[] = [];

/** How many sessions have ended, with whoever waits for a number of them. */
let ended = 0;
const waiting = new Set<() => void>();

/** Echoes the session, closes it on {@linkcode SERVER_CLOSE}, and counts its end. */
function serve(transport: WebSocketTransport, env: MemoryEnv): Promise<void> {
  if (env.KEEP_TRANSPORTS) kept.push(transport);
  transport.socket.addEventListener("message", (event) => {
    if ((event as MessageEvent).data === SERVER_CLOSE) void transport.close(4000, SERVER_CLOSE);
  });
  void transport.closed.then(() => {
    ended++;
    for (const wake of [...waiting]) wake();
  });
  return transport.readable.pipeTo(transport.writable).catch(() => {
    // A remote close ends the pipe mid-flight: the session is over either way.
  });
}

/** `?count=n`: the number of ended sessions once it is `n`, or what it is after 5 s. */
async function endedResponse(url: URL): Promise<Response> {
  const count = Number(url.searchParams.get("count") ?? 0);
  if (ended < count) {
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        waiting.delete(check);
        resolve();
      };
      const check = () => void (ended >= count && finish());
      const timer = setTimeout(finish, 5000);
      waiting.add(check);
    });
  }
  return Response.json({ ended });
}

/** One call per id, echoing. */
export class MemoryCall extends CallDurableObject<MemoryEnv> {
  protected override upgradeOptions(): CloudflareUpgradeOptions {
    return OPTIONS;
  }
  protected override onSession(transport: WebSocketTransport): Promise<void> {
    return serve(transport, this.env);
  }
}

export default {
  async fetch(request: Request, env: MemoryEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/ended") return await endedResponse(url);
    if (url.pathname !== "/direct") return CallDurableObject.route(request, env.CALLS);
    const { transport, response } = await upgrade(request, OPTIONS);
    if (transport !== null) void serve(transport, env);
    return response;
  },
};
