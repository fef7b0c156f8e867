/**
 * The Node adapter: a `node:http` (Express, Fastify, …) `upgrade` event, accepted by the `ws`
 * library's `WebSocketServer`, → {@linkcode WebSocketTransport}.
 *
 * @module
 */

import type { WebSocketLike } from "../socket.ts";
import { WebSocketTransport } from "../transport.ts";
import type { TransportOptions } from "../transport_options.ts";
import { type AdmissionOptions, admit } from "./admission.ts";

// Structural types for what we use of `node:http` and `ws`, so the module needs neither's types.

/** The `IncomingMessage` of an `upgrade` event, structurally. */
export interface NodeIncomingMessage {
  /** The request target: path and query. */
  readonly url?: string | undefined;
  /** The request method. */
  readonly method?: string | undefined;
  /** Header values by lower-case name. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The raw TCP (or TLS) socket of an `upgrade` event, structurally. */
export interface NodeDuplex {
  /** Writes bytes (the refusal response). */
  write(data: string): unknown;
  /** Flushes and closes. */
  end(): unknown;
  /** Closes at once. */
  destroy(): unknown;
}

/**
 * A `ws` `WebSocketServer` made with `{ noServer: true }`, structurally. Loosely typed so that
 * any version's declarations fit: at run time `ws`'s sockets are standard (`addEventListener`,
 * `binaryType`, `bufferedAmount`), though `@types/ws` does not declare them so.
 */
export interface NodeWebSocketServer {
  /** Completes the handshake on `socket` and calls back with the open socket. */
  handleUpgrade(
    request: never,
    socket: never,
    head: never,
    callback: (socket: unknown, request: unknown) => void,
  ): void;
}

/** Options for {@linkcode upgradeHandler}: the transport's and the admission checks. */
export interface NodeUpgradeOptions extends TransportOptions, AdmissionOptions {
  /**
   * The scheme and host the request URL is resolved against when the request has no `Host`
   * header; `authorize` sees `request.url` built from it.
   *
   * @default {"http://localhost"}
   */
  baseUrl?: string;
}

/** Called with each session's transport, before anything was received or sent on it. */
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
 * `allowedOrigins`, 401 or `authorize`'s own response) and closing the connection; `authorize`
 * gets a standard `Request` with the upgrade's URL and headers. Backpressure comes from `ws`'s
 * `bufferedAmount`, as in Deno.
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
  const { allowedOrigins: _o, authorize: _a, baseUrl = "http://localhost", ...transportOptions } =
    options;
  return async (request, socket, head) => {
    let refusal: Response | null;
    try {
      refusal = await admit(toRequest(request, baseUrl), options);
    } catch (error) {
      // A Host header or path that makes no URL: the client sent nonsense.
      refusal = new Response(`Bad request: ${String(error)}`, { status: 400 });
    }
    if (refusal !== null) return await refuse(socket, refusal);
    wss.handleUpgrade(request as never, socket as never, head as never, (ws) => {
      onSession(new WebSocketTransport(ws as WebSocketLike, transportOptions), request);
    });
  };
}

function toRequest(message: NodeIncomingMessage, baseUrl: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) { for (const v of value) headers.append(name, v); }
    else headers.set(name, value);
  }
  const host = headers.get("host");
  const url = new URL(message.url ?? "/", host ? `http://${host}` : baseUrl);
  return new Request(url, { method: message.method ?? "GET", headers });
}

/** Reason phrases for the refusals `admit` makes (its responses carry none). */
const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  405: "Method Not Allowed",
  426: "Upgrade Required",
};

/** Writes `response` as a raw HTTP/1.1 reply on the connection the upgrade asked for, then ends. */
async function refuse(socket: NodeDuplex, response: Response): Promise<void> {
  const body = await response.text();
  const reason = response.statusText || REASONS[response.status] || "Refused";
  let head = `HTTP/1.1 ${response.status} ${reason}\r\n`;
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection") head += `${name}: ${value}\r\n`;
  });
  head += `connection: close\r\ncontent-length: ${new TextEncoder().encode(body).length}\r\n\r\n`;
  try {
    socket.write(head + body);
    socket.end();
  } catch {
    // The client already hung up: nothing left to tell it.
    socket.destroy();
  }
}
