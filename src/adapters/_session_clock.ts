/**
 * The clock of one session's transport, as the adapters choose it. A runtime timer on Cloudflare
 * Workers belongs to the request (or Durable Object) that set it, and one that shares another
 * request's runtime timer is lost when that request ends: a session pacing on `systemClock`,
 * whose timers every session of a process shares, stalls there. So on Workers each session gets
 * a clock of its own; elsewhere the transport's default, shared one, which is cheaper.
 *
 * @module
 */

import { createSystemClock } from "../clock.ts";
import type { TransportOptions } from "../transport_options.ts";

/** Whether this is Cloudflare Workers' runtime (workerd): the only one with `WebSocketPair`. */
export function onWorkers(): boolean {
  return typeof (globalThis as { WebSocketPair?: unknown }).WebSocketPair === "function";
}

/** `options`, with a clock of the session's own on Workers when they name none. */
export function withSessionClock<T extends TransportOptions>(options: T): T {
  if (options.clock !== undefined || !onWorkers()) return options;
  return { ...options, clock: createSystemClock() };
}
