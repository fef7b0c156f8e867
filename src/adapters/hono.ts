/**
 * The Hono adapter: the app's own `upgradeWebSocket` (from `hono/deno`, `hono/bun`,
 * `hono/cloudflare-workers` or `@hono/node-ws`) → {@linkcode WebSocketTransport}, on any runtime
 * Hono runs on. No dependency on Hono: the few shapes it uses are declared here.
 *
 * @module
 */

import type { WebSocketTransport } from "../transport.ts";
import { checkSharedOptions } from "./_shared_options.ts";
import { systemClock } from "../clock.ts";
import { resolveTransportOptions, type TransportOptions } from "../transport_options.ts";
import { type AdmissionOptions, admit, wrongMethod } from "./_admission.ts";
import { withCheckedIdleTimeout } from "./_idle_timeout.ts";
import { agreesCompression, NO_COMPRESSION } from "./_compression.ts";
import { HonoSocket, type HonoWSContext, type HonoWSEvents } from "./_hono_socket.ts";
import type { StoppableServer } from "./_server_stop_close.ts";
import { spaceSubprotocols, withHeader } from "./_request_headers.ts";
import { runSession, startSession } from "./_session.ts";
import type { ShutdownOptions } from "./_shutdown.ts";
import { closeIfNeverServed, type PairClientEnd } from "./_unsent_upgrade.ts";
import { closeFrameMayCarry } from "./_answer_close.ts";
import { capCloseReason } from "../_close_reason.ts";
import { ReadyState } from "../socket.ts";

export type { AdmissionOptions, HonoWSContext, HonoWSEvents };
export { sessionsEnded, type ShutdownOptions } from "./_shutdown.ts";

/** The request side of Hono's `Context`, structurally. */
export interface HonoContext {
  /** Hono's request wrapper: `raw` is the runtime's `Request`. */
  readonly req: { raw: Request };
}

/** A Hono middleware handler, structurally. */
export type HonoHandler<C extends HonoContext> = (
  c: C,
  next: () => Promise<void>,
) => Promise<Response | void>;

/**
 * The `upgradeWebSocket` of a Hono runtime adapter, structurally. Both of Hono's call forms are
 * declared, in Hono's order, so TypeScript infers the context type from the middleware form.
 */
export interface HonoUpgradeWebSocket<C extends HonoContext, U> {
  /** The middleware form, the one used here. */
  (createEvents: (c: C) => HonoWSEvents, options?: U): HonoHandler<C>;
  /** The direct form. */
  (c: C, events: HonoWSEvents, options?: U): Promise<Response>;
}

/**
 * Options for {@linkcode voiceSession}: the transport's, the admission checks, the server's
 * shutdown (on Deno, Node and Bun) and Hono's own.
 */
export interface HonoTransportOptions<U = unknown>
  extends TransportOptions, AdmissionOptions, ShutdownOptions {
  /**
   * Passed to `upgradeWebSocket` as its options (Deno's `idleTimeout`, …); an `idleTimeout` is
   * checked as the Deno adapter checks its own (a `RangeError` where the route is made).
   */
  upgradeOptions?: U;
  /**
   * Whether to agree per-message compression (`permessage-deflate`, RFC 7692) on Workers with a
   * client that offers it. Off by default, as in the Cloudflare adapter (see its `compression`):
   * workerd agrees it with every client that offers it (browsers and `ws` do) and inflates each
   * message whole, up to 32 MiB, before the session can refuse it; off, a client that sends a
   * compressed message anyway is closed with 1002, and the session ends with 1006. Deno, Node and
   * Bun follow their own settings, whatever this says: `Deno.upgradeWebSocket` agrees no
   * extension, and `@hono/node-ws`'s `ws` server and Bun's `websocket` (`perMessageDeflate`) agree
   * none unless told to.
   *
   * @default {false}
   */
  compression?: boolean;
}

/**
 * Called with each session's transport and Hono's context, as the upgrade is answered. The
 * request can be read here on every runtime (headers, params, query, `c.get()`). A throw or a
 * rejected promise ends this session with 1011 (reported, not rethrown).
 */
export type HonoSessionHandler<C> = (transport: WebSocketTransport, c: C) => void;

/**
 * Makes a Hono route handler that upgrades with the app's own `upgradeWebSocket` and hands each
 * session's {@linkcode WebSocketTransport} to `onSession`, with Hono's context. Refuses, before
 * any upgrade, like the Deno adapter (426, 405, 403 for an origin not in `allowedOrigins`, 401 or
 * `authorize`'s own response, 400 for a `Host` with userinfo, 503 once `shutdownSignal` has
 * aborted). Copes with Hono's gaps: `onSession` can read the request on Deno
 * too (whose upgrade consumes it: `c.req.raw` becomes a copy taken before); the raw socket gets
 * `binaryType` and is read for `bufferedAmount`; on Workers, which never call `onOpen`, the
 * session opens at the client's first message, and the closes workerd leaves out or gets wrong
 * are made up for as in the Cloudflare adapter (a client that breaks the protocol ends its
 * session with 1006, as does a close code no close frame may carry), and the session's
 * `waitUntil` is the request's `c.executionCtx.waitUntil` unless the options give one (a REST
 * hang-up may outlive the socket), and per-message compression is declined there as in the
 * Cloudflare adapter unless `compression: true`. An `onSession` that throws (or rejects) ends its
 * session with 1011 and a fatal "error" event, logged; the app goes on.
 * Middleware that writes headers on every response (`cors`, `poweredBy`, `secureHeaders`) may sit
 * in front of the route: tested on Deno, Node, Bun and workerd.
 *
 * @example An echo route on Deno that reads the request
 * ```ts
 * import { Hono } from "hono";
 * import { upgradeWebSocket } from "hono/deno";
 * import { voiceSession } from "@x/ws-transport/hono";
 * import assert from "node:assert/strict";
 *
 * const app = new Hono();
 * app.get(
 *   "/ws/:room",
 *   voiceSession(upgradeWebSocket, (transport, c) => {
 *     assert.equal(c.req.param("room"), "lobby");
 *     assert.equal(c.req.header("host"), new URL(c.req.url).host);
 *     void transport.readable.pipeTo(transport.writable);
 *   }),
 * );
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
 * const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/ws/lobby`);
 * await new Promise((resolve) => (ws.onopen = resolve));
 * ws.send('{"hello":"hono"}');
 * const echoed = await new Promise((resolve) => (ws.onmessage = (e) => resolve(e.data)));
 * assert.equal(echoed, '{"hello":"hono"}');
 * ws.close();
 * await new Promise((resolve) => (ws.onclose = resolve));
 * await server.shutdown();
 * ```
 */
export function voiceSession<C extends HonoContext, U = unknown>(
  upgradeWebSocket: HonoUpgradeWebSocket<C, U>,
  onSession: HonoSessionHandler<C>,
  options: HonoTransportOptions<U> = {},
): HonoHandler<C> {
  checkSharedOptions(options); // a bad option throws here, once
  const compression = agreesCompression(options.compression);
  // Options given in its place (plain JavaScript) were never read: every request was upgraded,
  // whatever `allowedOrigins` or `authorize` said, and each session then ended with 1011.
  if (typeof onSession !== "function") {
    throw new TypeError(
      `onSession must be a function (transport, c) => void, got ${typeof onSession}`,
    );
  }
  const sockets = new WeakMap<C, HonoSocket>();
  const upgrader = upgradeWebSocket((c) => {
    const socket = new HonoSocket(bunServerOf(c));
    sockets.set(c, socket);
    return socket.events;
  }, withCheckedIdleTimeout(options.upgradeOptions));
  return async (c, next) => {
    const request = c.req.raw;
    // The method first, as `admit` does: `authorize` is not asked about a request refused anyway.
    const refusal = refusedOnNode(c) ?? await admit(request, options);
    if (refusal !== null) {
      closeOnceRefused(c);
      return refusal;
    }
    // Hono on Deno answers the first subprotocol offered, the list split at ",", which Deno finds
    // only in a list split at ", " (the route answered 500 to `ws`'s `a,b`).
    spaceSubprotocols(request);
    lowerUpgradeToken(request);
    // Deno's upgrade consumes the request: its headers then throw "Request closed".
    const copy = new Request(request.url, { method: request.method, headers: request.headers });
    const response = await upgrader(c, next);
    const socket = sockets.get(c);
    // No socket: the runtime adapter did not upgrade and passed the request on (`next()`).
    if (socket === undefined) return response;
    // A socket but no response: the runtime refused the upgrade (Bun's `server.upgrade()`).
    if (response === undefined) return new Response("Bad upgrade", { status: 400 });
    if (!readable(request)) c.req.raw = copy; // what onSession and later middleware read
    const transport = startSession(socket, withRuntimeWaitUntil(options, c));
    watchNodeConnection(c, socket);
    closeWorkersPairIfNeverSent(response, socket, options, transport);
    // Synchronously, so that listeners added in onSession see "connected" on every runtime.
    if (transport !== null) runSession(transport, () => onSession(transport, c));
    return compression ? response : declineWorkersCompression(response);
  };
}

/**
 * The old name of {@linkcode voiceSession}, which clashed with the `transport` every session
 * callback is handed.
 *
 * @deprecated Use {@linkcode voiceSession}.
 */
export const transport: typeof voiceSession = voiceSession;

/**
 * The options, with the request's `waitUntil` where the runtime has one and they name none: Hono
 * on Workers passes the `fetch` handler's context as `c.executionCtx`, and Workers cancel what a
 * request left pending once its handling is over (a REST hang-up still under way as the socket
 * closes; see `TransportOptions.waitUntil`). Hono's getter throws where the runtime passed no
 * context to `app.fetch` (Deno, Node, Bun), whose processes live on: the options stay as given.
 */
function withRuntimeWaitUntil<O extends TransportOptions>(options: O, c: HonoContext): O {
  if (options.waitUntil !== undefined) return options;
  let context: { waitUntil?: unknown } | undefined;
  try {
    context = (c as { executionCtx?: { waitUntil?: unknown } }).executionCtx;
  } catch {
    return options; // "This context has no ExecutionContext"
  }
  const waitUntil = context?.waitUntil;
  if (typeof waitUntil !== "function") return options;
  return { ...options, waitUntil: (promise: Promise<unknown>) => waitUntil.call(context, promise) };
}

/**
 * Hono on Workers: closes the pair once `openTimeoutMs` has passed if the 101 was never sent (a
 * middleware replaced it, or threw after it, and the app answered 500: see `closeIfNeverServed`).
 * Hono hands the socket over only with an event, so the session, still connecting, has ended at
 * that bound already (a "timeout", 1006, its timer armed first); but workerd kept the accepted
 * server end, and the request with it, for good. Closed, it frees both, and Hono's "close" reaches
 * the socket of a session that no longer listens. The client end is the 101's `webSocket`; a first
 * message says the 101 went (the socket opens with it). If it went and the client has said nothing
 * by then, see {@linkcode closeQuietClientAsOthers}, watching from the start. Not Workers (no
 * `webSocket` to accept): nothing to do.
 */
function closeWorkersPairIfNeverSent(
  response: Response,
  socket: HonoSocket,
  options: TransportOptions,
  transport: WebSocketTransport | null,
): void {
  const client = (response as { webSocket?: Partial<PairClientEnd> | null }).webSocket;
  if (typeof client?.accept !== "function" || typeof client.close !== "function") return;
  const { openTimeoutMs } = resolveTransportOptions(options); // checked by the transport already
  closeIfNeverServed(client as PairClientEnd, {
    clock: options.clock ?? systemClock,
    timeoutMs: openTimeoutMs,
    servedBy: { target: socket, type: "open" },
  });
  if (transport !== null) closeQuietClientAsOthers(transport, socket);
}

/**
 * The code a served Workers client that stayed quiet through `openTimeoutMs` is closed with: 1001,
 * as the silent-peer bound (`inactivityTimeoutMs`) closes a quiet client on every runtime, workerd
 * included (measured on Deno, Node, Bun, workerd, directly and under Hono).
 */
const QUIET_CLIENT_CLOSE_CODE = 1001;

/**
 * Hono on Workers, a 101 that went to a client that has said nothing within `openTimeoutMs`: Hono
 * has not handed the socket over (it does with the first message), so the session ended at that
 * bound as one whose socket never opened, 1006, and asked the socket to close with no code; the
 * client, told at its first message, saw 1005 and no reason, where the quiet client of every other
 * runtime, its session ended by a bound, sees a code and the reason. 1006 is one no close frame may
 * carry: the close waiting for Hono's first event is made {@linkcode QUIET_CLIENT_CLOSE_CODE} with
 * the session's reason, so the client reads what `closed` says. workerd gives no way to reach the
 * server end before that event (the client end, once in a 101, closes nothing the client sees):
 * the connection stays until the client speaks or leaves. Watched from the session's start, not
 * from the check of the 101 at the same bound: on Workers each is a runtime timer of its own, and
 * a client speaking between them was handed the session's close as it stood, with no code (1005).
 * The close is set as the session's end settles, before any event of the socket's can come; where
 * the 101 never went, no client is there to read it.
 */
function closeQuietClientAsOthers(transport: WebSocketTransport, socket: HonoSocket): void {
  void transport.closed.then(({ code, reason }) => {
    if (socket.readyState !== ReadyState.CONNECTING || closeFrameMayCarry(code)) return;
    socket.close(QUIET_CLIENT_CLOSE_CODE, capCloseReason(reason)); // a close frame's 123 bytes
  });
}

/**
 * The 101 with compression declined on Workers, told by the `webSocket` workerd's 101 carries:
 * Hono's Workers `upgradeWebSocket` answers with no `Sec-WebSocket-Extensions`, and workerd then
 * agrees the client's offer. The 101 Hono made (`new Response`) has mutable headers in workerd,
 * which header middleware relies on too. On Deno, Node and Bun it is left as it is: there this
 * header would reach the client, which must fail a connection answered with an extension it did
 * not offer (RFC 6455, 4.1).
 */
function declineWorkersCompression(response: Response): Response {
  if ((response as { webSocket?: unknown }).webSocket == null) return response;
  response.headers.set("sec-websocket-extensions", NO_COMPRESSION);
  return response;
}

/**
 * `@hono/node-ws` hands the route every upgrade as a GET, and `ws` refuses another method only
 * after the route answered, keeping the request for good: the method is read off the raw one.
 */
function refusedOnNode(c: HonoContext): Response | null {
  const method = (c as { env?: { incoming?: { method?: unknown } } }).env?.incoming?.method;
  return typeof method !== "string" || method === "GET" ? null : wrongMethod(method);
}

/**
 * Bun's server under Hono on Bun, where `hono/bun` finds it (`c.env`, or `c.env.server`), else
 * `undefined`: told by its `upgrade()`, so that no other runtime's `env` is taken for one.
 */
function bunServerOf(c: HonoContext): StoppableServer | undefined {
  const env = (c as { env?: unknown }).env as { server?: unknown } | null | undefined;
  const server = typeof env === "object" && env !== null && "server" in env ? env.server : env;
  const upgrade = (server as { upgrade?: unknown } | null | undefined)?.upgrade;
  return typeof upgrade === "function" ? server as StoppableServer : undefined;
}

/** The raw connection of a request on Node (`@hono/node-server` passes `env.incoming`). */
interface NodeConnection {
  readonly destroyed?: boolean;
  once?: (event: "close" | "finish", listener: () => void) => unknown;
  destroy?: () => unknown;
}

/**
 * On Node, `@hono/node-ws` writes the refusal of an upgrade with `socket.end()`, which only
 * half-closes, and a `node:http` server keeps its connections half-open: a client that read the
 * refusal and never hangs up would hold its connection for good. It is closed once the refusal is
 * written, as the Node adapter closes its own. Only an upgrade's connection (node-ws passes no
 * `env.outgoing`): a plain request's is kept alive for the next request.
 */
function closeOnceRefused(c: HonoContext): void {
  const env = (c as { env?: { incoming?: { socket?: NodeConnection }; outgoing?: unknown } }).env;
  const connection = env?.incoming?.socket;
  if (env?.outgoing !== undefined || typeof connection?.once !== "function") return;
  connection.once("finish", () => void connection.destroy?.());
}

/** On Node, a client gone before the upgrade completes ends its session (see `connectionLost`). */
function watchNodeConnection(c: HonoContext, socket: HonoSocket): void {
  const env = (c as { env?: { incoming?: { socket?: NodeConnection } } }).env;
  const connection = env?.incoming?.socket;
  if (typeof connection?.once !== "function") return;
  if (connection.destroyed) socket.connectionLost();
  else connection.once("close", () => socket.connectionLost());
}

/**
 * Hono's Deno and Workers helpers take a request for an upgrade only if its `Upgrade` says
 * `websocket` in lower case (passing `WebSocket` on, which was answered 400), where RFC 6455
 * (4.2.1) has the value compared case-insensitively, as `admit` does: it is written in lower case.
 */
function lowerUpgradeToken(request: Request): void {
  const upgrade = request.headers.get("upgrade");
  if (upgrade !== null && upgrade !== "websocket") withHeader(request, "upgrade", "websocket");
}

function readable(request: Request): boolean {
  try {
    request.headers.get("upgrade");
    return true;
  } catch {
    return false;
  }
}
