/**
 * A Hono app whose one route (`/ws`) is `voiceSession` on Hono's Workers `upgradeWebSocket`
 * (hono/cloudflare-workers), asked for one upgrade: run it where workerd's `WebSocketPair` and
 * `Response` stand in (`withCarriedPairs`, `withMemoryWorkers`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/cloudflare-workers";
import { type HonoTransportOptions, voiceSession } from "../../src/adapters/hono.ts";
import type { TransportError } from "../../src/errors.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

/**
 * Serves one upgrade (answered 101) with `options`, `executionCtx` as the request's Workers
 * context if any; the route hands each session to `onSession` once listening to its errors.
 */
export async function serveHonoVoiceRoute(
  options: HonoTransportOptions,
  onSession: (transport: WebSocketTransport) => void,
  executionCtx?: Parameters<Hono["fetch"]>[2],
) {
  const sessions: WebSocketTransport[] = [];
  const errors: TransportError[] = [];
  const app = new Hono();
  app.get(
    "/ws",
    voiceSession(upgradeWebSocket, (transport) => {
      sessions.push(transport);
      transport.addEventListener("error", (e) => errors.push(e.error));
      onSession(transport);
    }, options),
  );
  const response = await app.fetch(
    upgradeRequest({ url: "https://example.com/ws" }),
    {},
    executionCtx,
  );
  assert.equal(response.status, 101);
  return { sessions, errors };
}
