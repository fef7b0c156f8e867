/**
 * A Worker whose Durable Object (`/ws/:id`) echoes each call, paced, with every runtime timer the
 * isolate sets watched: `GET /timers?ended=n` answers, once `n` sessions have ended (or after
 * 5 s) and a turn of I/O has passed, how many sessions ended and how many timers are still
 * pending, by the delay they were set with. A pending timer keeps an object from eviction ("pending
 * setTimeout() and setInterval() timers also receive this protection", from compatibility date
 * 2026-10-01: https://developers.cloudflare.com/changelog/post/2026-10-01-pending-io-keep-alive/).
 *
 * @module
 */

import {
  CallDurableObject,
  type DurableObjectNamespaceLike,
} from "../../src/adapters/cloudflare_durable_object.ts";
import type { CloudflareUpgradeOptions } from "../../src/adapters/cloudflare.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

/** The runtime's own timers, before they are watched, for this Worker's waits. */
const { setTimeout: runtimeSetTimeout, clearTimeout: runtimeClearTimeout } = globalThis;

/** Every timer set and neither fired nor cleared, with the delay it was set with. */
const pending = new Map<unknown, number>();

// The library looks `setTimeout` up when it sets a timer: these see every one it sets.
globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) => {
  const handle = runtimeSetTimeout(
    (...given: unknown[]) => {
      pending.delete(handle);
      callback(...given);
    },
    ms,
    ...args,
  );
  pending.set(handle, ms);
  return handle;
}) as typeof setTimeout;
globalThis.clearTimeout = ((handle: unknown) => {
  pending.delete(handle);
  runtimeClearTimeout(handle as number);
}) as typeof clearTimeout;

let ended = 0;

/** One call: 16 kHz mono PCM16 echoed in 40 ms chunks. */
export class TimedCall extends CallDurableObject {
  protected override upgradeOptions(): CloudflareUpgradeOptions {
    return {
      audioIn: { sampleRate: 16000 },
      audioOut: { sampleRate: 16000, chunkMs: 40 },
      inactivityTimeoutMs: 10_000,
      closeTimeoutMs: 200,
    };
  }
  protected override onSession(transport: WebSocketTransport): Promise<void> {
    transport.socket.addEventListener("message", (event) => {
      if ((event as MessageEvent).data === "server-close") void transport.close(4000, "bye");
    });
    void transport.closed.then(() => void ended++);
    return transport.readable.pipeTo(transport.writable).catch(() => {});
  }
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== "/timers") return super.fetch(request);
    const count = Number(url.searchParams.get("ended") ?? 0);
    for (let waited = 0; ended < count && waited < 5000; waited += 20) {
      await new Promise((resolve) => runtimeSetTimeout(resolve, 20));
    }
    await new Promise((resolve) => runtimeSetTimeout(resolve, 50)); // what ends later, ends
    return Response.json({ ended, pending: [...pending.values()] });
  }
}

export default {
  fetch(request: Request, env: { CALLS: DurableObjectNamespaceLike }): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/timers") {
      return env.CALLS.get(env.CALLS.idFromName(url.searchParams.get("id")!) as never).fetch(
        request,
      );
    }
    return CallDurableObject.route(request, env.CALLS);
  },
};
