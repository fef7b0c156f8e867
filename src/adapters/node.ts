/**
 * The Node adapter: a `node:http` (Express, Fastify, …) `upgrade` event, accepted by the `ws`
 * library's `WebSocketServer`, → {@linkcode WebSocketTransport}.
 *
 * @module
 */

import type { WebSocketTransport } from "../transport.ts";
import { checkSharedOptions } from "./_shared_options.ts";
import { checkIdleTimeout } from "./_idle_timeout.ts";
import type { TransportOptions } from "../transport_options.ts";
import { type AdmissionOptions, admit, checkAdmissionOptions, wrongMethod } from "./_admission.ts";
import { systemClock } from "../clock.ts";
import { type NodeDuplex, type NodeIncomingMessage, refuse, toRequest } from "./_node_http.ts";
import { NodeSocket, type WsSocket } from "./_node_socket.ts";
import { runSession, startSession } from "./_session.ts";
import { thrownText } from "../_thrown_text.ts";
import { type HeldWsSettings, withUpgradeSettings } from "./_node_ws_settings.ts";
import { checkSubprotocol } from "./_request_headers.ts";
import type { ShutdownOptions } from "./_shutdown.ts";

export type { NodeDuplex, NodeIncomingMessage };
export { sessionsEnded, type ShutdownOptions } from "./_shutdown.ts";

// Structural types for what we use of `node:http` and `ws`, so the module needs neither's types.

/**
 * A `ws` (version 8) `WebSocketServer` made with `{ noServer: true }`, structurally. Loosely
 * typed so that any version's declarations fit.
 */
export interface NodeWebSocketServer {
  /** Completes the handshake on `socket` and calls back with the open socket. */
  handleUpgrade(
    request: never,
    socket: never,
    head: never,
    callback: (socket: unknown, request: unknown) => void,
  ): void;
  /**
   * The server's settings: `maxPayload` is the largest message `ws` reads (0: no limit);
   * `handleProtocols` picks the subprotocol answered (missing: the first offered);
   * `verifyClient`, its own admission check, is run as it is.
   */
  options?: { maxPayload?: number | undefined; handleProtocols?: unknown; verifyClient?: unknown };
}

/**
 * Options for {@linkcode upgradeHandler}: the transport's, the admission checks and the server's
 * shutdown.
 */
export interface NodeUpgradeOptions extends TransportOptions, AdmissionOptions, ShutdownOptions {
  /**
   * The scheme and host the request URL is resolved against when the request has no `Host`
   * header; `authorize` sees `request.url` built from it.
   *
   * @default {"http://localhost"}
   */
  baseUrl?: string;
  /**
   * Keep-alive, in seconds: the connection is pinged every half of it, and dropped when a whole
   * half passed without a frame or pong from the peer (after 15–30 s of silence by default), with
   * an error and a close 1001 "No response from ping frame." as Deno's; 0 turns it off. Anything
   * but a finite number >= 0 throws a `RangeError`; past 49.7 days it is 49.7 days (the longest a
   * timer waits half of).
   *
   * @default {30}
   */
  idleTimeout?: number;
  /**
   * The subprotocol to answer with (`Sec-WebSocket-Protocol`), when the client offers it; a
   * client that offers none, or only others, is answered without one (RFC 6455 §4.2.2), as on
   * Deno, Bun and Workers. Not given, `ws` answers the first subprotocol the client offers,
   * whatever it is, unless the server has its own `handleProtocols`; given, it stands in for
   * that on these upgrades. One that is no subprotocol name (a token, RFC 6455 §4.1), such as
   * "", throws a `TypeError`.
   */
  protocol?: string;
}

/**
 * Called with each session's transport, before anything was received or sent on it. A throw or a
 * rejected promise ends that session with 1011 (reported as a fatal "error" event and logged).
 */
export type NodeSessionHandler = (
  transport: WebSocketTransport,
  request: NodeIncomingMessage,
) => void;

/** A listener for a Node HTTP server's `upgrade` event. */
export type NodeUpgradeListener = (
  request: NodeIncomingMessage,
  socket: NodeDuplex,
  head: Uint8Array,
) => Promise<void>;

/**
 * Makes the listener for a Node HTTP server's `upgrade` event (`node:http`, Express's
 * `app.listen()`, Fastify's `fastify.server`): it accepts the upgrade with the `ws` library's
 * `WebSocketServer` and hands each session's {@linkcode WebSocketTransport} to `onSession`.
 * Refuses like the Deno adapter, writing the refusal (426, 405, 403 for an origin not in
 * `allowedOrigins`, 401 or `authorize`'s own response, 400 for a `Host` with userinfo, 503 once
 * `shutdownSignal` has aborted) and closing the connection; `authorize`
 * gets a standard `Request` with the upgrade's URL and headers. Backpressure comes from `ws`'s
 * `bufferedAmount`, as in Deno. Messages are taken from `ws`'s own emitter as the Buffers it read,
 * without a copy; `ws` refuses a message over `maxMessageBytes` from its frame header (the server's
 * `maxPayload` is lowered to it for these sockets), and a peer that goes on sending is cut off
 * after `closeTimeoutMs`. `protocol` is answered only to a client that offers it (in place of
 * the server's own `handleProtocols`, for these sockets only). `idleTimeout` pings; a peer that
 * never answers the closing handshake is dropped (`terminate()`) once `closeTimeoutMs` has passed,
 * as is one that broke the protocol, failed by `ws` (1002, 1007) and silent since.
 *
 * `ws` hands over a socket that is already open, so the transport is handed over in a callback,
 * synchronously: listeners added there see its "connected" event.
 *
 * @example An echo server on `node:http`
 * ```ts
 * import { createServer } from "node:http";
 * import { WebSocketServer } from "ws";
 * import { upgradeHandler } from "@x/ws-transport/node";
 * import assert from "node:assert/strict";
 *
 * const wss = new WebSocketServer({ noServer: true });
 * const server = createServer();
 * server.on("upgrade", upgradeHandler(wss, (transport) => {
 *   transport.readable.pipeTo(transport.writable);
 * }, { allowedOrigins: ["https://app.example.com"] }));
 * await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
 * const { port } = server.address() as { port: number };
 *
 * const ws = new WebSocket(`ws://127.0.0.1:${port}`);
 * await new Promise((resolve) => (ws.onopen = resolve));
 * ws.send('{"hello":"node"}');
 * const echoed = await new Promise((resolve) => (ws.onmessage = (e) => resolve(e.data)));
 * assert.equal(echoed, '{"hello":"node"}');
 * ws.close();
 * await new Promise((resolve) => (ws.onclose = resolve));
 * await new Promise((resolve) => server.close(resolve));
 * ```
 */
export function upgradeHandler(
  wss: NodeWebSocketServer,
  onSession: NodeSessionHandler,
  options: NodeUpgradeOptions = {},
): NodeUpgradeListener {
  const { baseUrl = "http://localhost" } = options;
  // A bad option throws here, once.
  const { maxMessageBytes, closeTimeoutMs } = checkSharedOptions(options);
  const idleTimeout = checkIdleTimeout(options.idleTimeout ?? 30);
  const protocol = checkSubprotocol(options.protocol);
  checkArguments(wss, onSession);
  // A refusal's body (`authorize`'s own response, perhaps an upstream's) gets the time
  // `authorize` had: one that never ends must not hold the connection.
  const bodyBound = {
    timeoutMs: checkAdmissionOptions(options),
    clock: options.clock ?? systemClock,
  };
  const accept = (ws: WsSocket, request: NodeIncomingMessage) => {
    const socket = new NodeSocket(ws, { idleTimeout, closeTimeoutMs });
    const transport = startSession(socket, options);
    if (transport !== null) runSession(transport, () => onSession(transport, request));
  };
  return async (request, socket, head) => {
    // Node's HTTP server stops listening for the socket's errors once it emits "upgrade", and ws
    // starts only inside handleUpgrade: a client that resets meanwhile (during `authorize`, or
    // under our refusal) would raise an unhandled "error" and end the whole process.
    const onReset = () => void socket.destroy();
    socket.on("error", onReset);
    let refusal: Response | null;
    try {
      refusal = await admit(toRequest(request, baseUrl), options);
    } catch (error) {
      // `new Request` refuses TRACE (fetch forbids it): refused as every method but GET is (405).
      // Otherwise a Host header or path that makes no URL: the client sent nonsense.
      const { method = "GET" } = request;
      refusal = method !== "GET"
        ? wrongMethod(method)
        : new Response(`Bad request: ${thrownText(error)}`, { status: 400 });
    }
    if (refusal !== null) return await refuse(socket, refusal, bodyBound, request.method);
    // ws checks each frame's length before reading it against its server's maxPayload: ours for
    // this socket, never above the server's own. It answers the first subprotocol offered
    // unless its server's handleProtocols picks: `protocol`'s choice for this socket.
    const held: HeldWsSettings = {
      maxPayload: payloadLimit(wss.options?.maxPayload, maxMessageBytes),
      ...(protocol === undefined ? {} : { handleProtocols: answerOnly(protocol) }),
    };
    try {
      withUpgradeSettings(wss.options, held, () =>
        wss.handleUpgrade(
          request as never,
          socket as never,
          head as never,
          (ws) => accept(ws as WsSocket, request),
        ));
    } catch (error) {
      // The server's own `verifyClient`, which ws calls in there, threw: this request fails,
      // logged; left to reject this listener's promise, it would end the process.
      console.error(error);
      const failed = new Response("Internal server error", { status: 500 });
      return await refuse(socket, failed, bodyBound, request.method);
    }
    socket.off("error", onReset); // ws listens from here on
  };
}

/** `maxMessageBytes` as `ws`'s `maxPayload`; the server's own, when lower, stays. */
function payloadLimit(own: number | undefined, maxMessageBytes: number): number {
  return own !== undefined && own > 0 && own <= maxMessageBytes ? own : maxMessageBytes;
}

/**
 * A `ws` `handleProtocols` that answers `protocol` to a client that offered it, and none to one
 * that offered only others (`false`; `ws` asks only when some were offered).
 */
function answerOnly(protocol: string): (offered: Set<string>) => string | false {
  return (offered) => offered.has(protocol) ? protocol : false;
}

/**
 * Throws a `TypeError` for a `wss` that cannot upgrade or an `onSession` that is no function, where
 * the listener is made. Plain JavaScript has no type checker: options given in `onSession`'s place
 * (`upgradeHandler(wss, { allowedOrigins })`) were never read, so every request, from any origin,
 * was upgraded, and each session then ended with 1011; a `wss` with no `handleUpgrade` answered
 * every upgrade 500.
 */
function checkArguments(wss: NodeWebSocketServer, onSession: NodeSessionHandler): void {
  if (typeof (wss as Partial<NodeWebSocketServer> | null)?.handleUpgrade !== "function") {
    throw new TypeError(
      "wss must be a ws WebSocketServer (new WebSocketServer({ noServer: true })), got " +
        (wss === null ? "null" : typeof wss),
    );
  }
  if (typeof onSession !== "function") {
    throw new TypeError(
      `onSession must be a function (transport, request) => void, got ${typeof onSession}`,
    );
  }
}
