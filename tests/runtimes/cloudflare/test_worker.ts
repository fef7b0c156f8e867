/**
 * The Worker the workerd tests run: the example's Worker and Durable Object, plus `/direct`, the
 * bare adapter in a Worker (no Durable Object; `?frozen` paces with a production-like clock,
 * `?close-with=…` closes at once with that reason), and `/closes`, how its sessions ended.
 *
 * @module
 */

import example, { EchoCall, type Env } from "../../../examples/cloudflare/worker.ts";
import { upgrade } from "../../../src/adapters/cloudflare.ts";
import type { Clock } from "../../../src/clock.ts";
import { systemClock } from "../../../src/clock.ts";
import type { TransportClosed } from "../../../src/events.ts";

export { EchoCall };

/** How each `/direct` session ended, in order, with the data types its messages arrived as. */
const closes: (TransportClosed & { received: string[] })[] = [];

/**
 * Production workerd's clock stands still while code runs and moves only when an event (a
 * request, a message, a timer) starts; local workerd's does not. This one behaves like
 * production's: it reads the time once per event and holds it until the event is over.
 */
function frozenWhileRunning(): Clock {
  let held: number | undefined;
  return {
    now() {
      if (held === undefined) {
        held = performance.now();
        setTimeout(() => (held = undefined), 0); // the event is over once its task has run
      }
      return held;
    },
    sleep: systemClock.sleep,
    timer: systemClock.timer,
  };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/closes") return Response.json(closes);
    if (url.pathname !== "/direct") return example.fetch(request, env);
    const { transport, response } = await upgrade(request, {
      allowedOrigins: ["https://app.example"],
      audioIn: { sampleRate: 16000 },
      audioOut: { sampleRate: 16000, chunkMs: 40 },
      ...(url.searchParams.has("frozen") ? { clock: frozenWhileRunning() } : {}),
    });
    if (transport === null) return response;
    const received: string[] = [];
    transport.socket.addEventListener("message", (event) => {
      received.push(Object.prototype.toString.call((event as MessageEvent).data));
    });
    transport.closed.then((closed) => closes.push({ ...closed, received }));
    const reason = url.searchParams.get("close-with");
    if (reason !== null) {
      // workerd throws on a close reason over 123 bytes: the transport must cut it first. Not on
      // "connected": a Workers socket is open at once, so that event fired inside `upgrade()`.
      setTimeout(() => void transport.close(4000, reason), 0);
    }
    transport.readable.pipeTo(transport.writable).catch(() => {
      // A remote close ends the pipe mid-flight; `closed` has recorded how the session ended.
    });
    return response;
  },
};
