/**
 * The Bun adapter: `server.upgrade` in `Bun.serve`'s `fetch`, and {@linkcode websocket} as its
 * `websocket` handlers, → {@linkcode WebSocketTransport}.
 *
 * @module
 */

import type { TransportOptions } from "../transport_options.ts";
import { type AdmissionOptions, admit, type UpgradeResult } from "./_admission.ts";
import { type BunServerWebSocket, BunSocket } from "./_bun_socket.ts";
import { checkSubprotocol, offersSubprotocol } from "./_request_headers.ts";
import { startSession } from "./_session.ts";
import type { ShutdownOptions } from "./_shutdown.ts";

export type { AdmissionOptions, BunServerWebSocket, UpgradeResult };
export { sessionsEnded, type ShutdownOptions } from "./_shutdown.ts";

// Structural types for the little of Bun's API we use, so the module needs no `bun-types`.

/** The `server` argument of `Bun.serve`'s `fetch`, structurally. */
export interface BunServer {
  /** Upgrades `request`, attaching `data` to the socket; `false` when it cannot. */
  upgrade(request: Request, options: { data: unknown; headers?: Record<string, string> }): boolean;
  /**
   * Stops listening; `stop(true)` closes every open socket too, with 1001 "Server closed". The
   * adapter wraps it (once per server), so that a session it closes ends as this side's, not as
   * the caller's: nothing else on Bun's server tells that it has stopped (its `port` still says
   * the port).
   */
  stop?(closeActiveConnections?: boolean): unknown;
}

/** The handlers and settings {@linkcode websocket} gives `Bun.serve`. */
export interface BunWebSocketHandlers {
  /** The socket is open. */
  open(ws: BunServerWebSocket): void;
  /** A message arrived: a string, or bytes as `binaryType` says. */
  message(ws: BunServerWebSocket, message: string | ArrayBufferView | ArrayBuffer): void;
  /** The socket closed. */
  close(ws: BunServerWebSocket, code: number, reason: string): void;
  /** Bun took everything queued behind backpressure. */
  drain(ws: BunServerWebSocket): void;
  /**
   * Bun closes a connection with 1009 as soon as a larger message starts, before buffering it:
   * the transport's default `maxMessageBytes`. Raise both together.
   */
  maxPayloadLength: number;
}

/**
 * Options for {@linkcode upgrade}: the transport's, the admission checks, the server's shutdown
 * and Bun's own.
 */
export interface BunUpgradeOptions extends TransportOptions, AdmissionOptions, ShutdownOptions {
  /** Extra headers for the 101 response. */
  headers?: Record<string, string>;
  /**
   * The subprotocol to answer with (`Sec-WebSocket-Protocol`), when the client offers it; a
   * client that offers none, or only others, is answered without one (RFC 6455 §4.2.2), as on
   * Deno and Workers. Not given, Bun answers the first subprotocol the client offers, whatever
   * it is (Bun 1.4.5), unless `headers` names one. One that is no subprotocol name (a token,
   * RFC 6455 §4.1), such as "", rejects with a `TypeError`, as on Node, Deno and Workers.
   */
  protocol?: string;
}

function socketOf(ws: BunServerWebSocket): BunSocket | undefined {
  return ws.data instanceof BunSocket ? ws.data : undefined;
}

/**
 * The `websocket` handlers to give `Bun.serve` next to a `fetch` that calls {@linkcode upgrade}.
 * Spread it to add Bun's own settings: `websocket: { ...websocket, idleTimeout: 60 }`. Sockets
 * upgraded by other code (their `data` is not ours) are left alone.
 *
 * @example Bun's settings beside the handlers
 * ```ts
 * import { websocket } from "@x/ws-transport/bun";
 * import assert from "node:assert/strict";
 *
 * const handlers = { ...websocket, idleTimeout: 60, maxPayloadLength: 1 << 20 };
 * assert.equal(typeof handlers.message, "function");
 * ```
 */
export const websocket: BunWebSocketHandlers = {
  open: (ws) => socketOf(ws)?.opened(ws),
  message: (ws, message) => socketOf(ws)?.received(message),
  close: (ws, code, reason) => socketOf(ws)?.closed(code, reason),
  drain: (ws) => socketOf(ws)?.drained(),
  maxPayloadLength: 1 << 20,
};

/**
 * Upgrades a request inside `Bun.serve`'s `fetch` and wraps the socket in a
 * {@linkcode WebSocketTransport}; give `Bun.serve` {@linkcode websocket} as its handlers. Refuses
 * like the Deno adapter (400 for a `Host` with userinfo, 503 once `shutdownSignal` has aborted,
 * then 426, 405, 400 for a malformed `Sec-WebSocket-Key`, 426 for another version, 403, 401 or
 * `authorize`'s own response, 503 past `authorizeTimeoutMs`). After an upgrade the
 * `response` is a placeholder Bun ignores. Backpressure comes from Bun's buffered amount.
 *
 * @example Refusing what is not a WebSocket upgrade
 * ```ts
 * import { upgrade } from "@x/ws-transport/bun";
 * import assert from "node:assert/strict";
 *
 * const server = { upgrade: () => assert.fail("a plain request is never upgraded") };
 * const { transport, response } = await upgrade(new Request("http://127.0.0.1/ws"), server);
 * assert.equal(transport, null);
 * assert.equal(response.status, 426);
 * ```
 *
 * @example An echo server, run with `bun server.ts` (Bun only)
 * ```ts ignore
 * import { upgrade, websocket } from "@x/ws-transport/bun";
 *
 * Bun.serve({
 *   async fetch(request, server) {
 *     const { transport, response } = await upgrade(request, server);
 *     transport?.readable.pipeTo(transport.writable);
 *     return response;
 *   },
 *   websocket,
 * });
 * ```
 */
export async function upgrade(
  request: Request,
  server: BunServer,
  options: BunUpgradeOptions = {},
): Promise<UpgradeResult> {
  // Called as the Deno and Cloudflare adapters are, `upgrade(request, options)`, the options were
  // taken for the server and never read, and every upgrade, admitted with no `allowedOrigins` or
  // `authorize`, failed as "server.upgrade is not a function" (Bun's 500).
  if (typeof (server as Partial<BunServer> | null)?.upgrade !== "function") {
    throw new TypeError(
      "upgrade(request, server, options) takes Bun.serve's server, the second argument of its " +
        `fetch, as its second argument; got ${server === null ? "null" : typeof server}`,
    );
  }
  const protocol = checkSubprotocol(options.protocol);
  const refusal = await admit(request, options);
  if (refusal !== null) return { transport: null, response: refusal };
  const socket = new BunSocket(server);
  const headers = withSubprotocol(request, options.headers, protocol);
  if (!server.upgrade(request, headers ? { data: socket, headers } : { data: socket })) {
    return { transport: null, response: new Response("Bad upgrade", { status: 400 }) };
  }
  // Bun has answered the upgrade itself and ignores what `fetch` returns now.
  return { transport: startSession(socket, options), response: new Response(null) };
}

/**
 * The 101's extra `headers`, with the subprotocol `protocol` settles: Bun answers the first
 * one offered unless told otherwise, and an empty value is how it is told to answer none (Bun
 * 1.4.5: a client offering `audio.v2, audio.v1` was answered `audio.v2` by a server speaking
 * `audio.v1`). A `Sec-WebSocket-Protocol` in `headers` stands.
 */
function withSubprotocol(
  request: Request,
  headers: BunUpgradeOptions["headers"],
  protocol: string | undefined,
): Record<string, string> | undefined {
  if (protocol === undefined) return headers;
  // Read as Bun reads them: plain JavaScript may pass a `Headers` or pairs, which a spread drops.
  const all: Record<string, string> = {};
  new Headers(headers as HeadersInit | undefined).forEach((value, name) => (all[name] = value));
  if ("sec-websocket-protocol" in all) return all;
  all["sec-websocket-protocol"] = offersSubprotocol(request, protocol) ? protocol : "";
  return all;
}
