/**
 * The Cloudflare Workers adapter: `WebSocketPair` → {@linkcode WebSocketTransport}. Works in a
 * Worker's `fetch` and in a Durable Object's.
 *
 * @module
 */

import type { TransportOptions } from "../transport_options.ts";
import type { WebSocketLike } from "../socket.ts";
import { type AdmissionOptions, admit, type UpgradeResult } from "./_admission.ts";
import { answerClose } from "./_answer_close.ts";
import { startSession } from "./_session.ts";

export type { AdmissionOptions, UpgradeResult };

/** Options for {@linkcode upgrade}: the transport's, the admission checks, and the handshake's. */
export interface CloudflareUpgradeOptions extends TransportOptions, AdmissionOptions {
  /** The subprotocol to answer with (`Sec-WebSocket-Protocol`), when the client offers some. */
  protocol?: string;
  /**
   * Drops the connection when the peer never answered the closing handshake. Workers cannot drop
   * one socket: without this, workerd keeps the connection until the peer goes away. A Durable
   * Object can reset itself, dropping its sockets: `() => ctx.abort()`, as `CallDurableObject`
   * does.
   */
  terminate?: () => void;
}

/** The server end of a `WebSocketPair`: a standard socket plus `accept()`. Declared locally. */
interface WorkersWebSocket extends WebSocketLike {
  accept(): void;
}

type WebSocketPairConstructor = new () => { 0: WorkersWebSocket; 1: WorkersWebSocket };

/**
 * Upgrades a request to a WebSocket with `WebSocketPair` and wraps the server end in a
 * {@linkcode WebSocketTransport}. Refuses, with no upgrade, a request that is not a WebSocket
 * upgrade (426), whose browser origin is not in `allowedOrigins` (403), or that `authorize` turns
 * down (401, or its own response).
 *
 * Workers have no `bufferedAmount`, so what bounds sending is the transport's pacing (each audio
 * chunk leaves at its deadline) and `maxQueuedMs`; timers keep pacing exact even though the
 * Workers clock stands still while code runs.
 *
 * @example A Worker that echoes every session
 * ```ts
 * import { upgrade } from "@x/ws-transport/cloudflare";
 * import assert from "node:assert/strict";
 *
 * const worker = {
 *   async fetch(request: Request): Promise<Response> {
 *     const { transport, response } = await upgrade(request, {
 *       allowedOrigins: ["https://app.example.com"],
 *       audioIn: { sampleRate: 16000 },
 *       audioOut: { sampleRate: 16000 },
 *     });
 *     transport?.readable.pipeTo(transport.writable).catch(() => {});
 *     return response;
 *   },
 * };
 * export default worker; // deploy with: npx wrangler deploy
 *
 * // Refusals need no Workers runtime: a plain GET is told to upgrade.
 * const refused = await worker.fetch(new Request("https://example.com/ws"));
 * assert.equal(refused.status, 426);
 * ```
 */
export async function upgrade(
  request: Request,
  options: CloudflareUpgradeOptions = {},
): Promise<UpgradeResult> {
  const refusal = await admit(request, options);
  if (refusal !== null) return { transport: null, response: refusal };
  const Pair = (globalThis as { WebSocketPair?: WebSocketPairConstructor }).WebSocketPair;
  if (Pair === undefined) {
    throw new TypeError("WebSocketPair is not defined: this adapter runs on Cloudflare Workers");
  }
  const { 0: client, 1: server } = new Pair();
  // From compatibility date 2026-03-17 binary messages arrive as Blob unless set before accept().
  server.binaryType = "arraybuffer";
  server.accept();
  server.addEventListener("close", (event) => answerClose(server, event));
  const { protocol, terminate } = options;
  const headers = protocol === undefined ? undefined : { "sec-websocket-protocol": protocol };
  return {
    // A `serializer` function that throws ends this session (1011, logged), not the Worker.
    transport: startSession(terminate ? Object.assign(server, { terminate }) : server, options),
    response: new Response(null, { status: 101, webSocket: client, headers } as ResponseInit),
  };
}
