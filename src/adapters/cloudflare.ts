/**
 * The Cloudflare Workers adapter: `WebSocketPair` → {@linkcode WebSocketTransport}. Works in a
 * Worker's `fetch` and in a Durable Object's.
 *
 * @module
 */

import { systemClock } from "../clock.ts";
import type { WebSocketTransport } from "../transport.ts";
import { resolveTransportOptions, type TransportOptions } from "../transport_options.ts";
import type { WebSocketLike } from "../socket.ts";
import { type AdmissionOptions, admit, type UpgradeResult } from "./_admission.ts";
import { agreesCompression, NO_COMPRESSION } from "./_compression.ts";
import { checkSubprotocol, offersSubprotocol } from "./_request_headers.ts";
import { startSession } from "./_session.ts";
import { closeIfNeverServed } from "./_unsent_upgrade.ts";
import { WorkerdCloses, type WorkerdSocket } from "./_workerd_socket.ts";

export type { AdmissionOptions, UpgradeResult };

/** Options for {@linkcode upgrade}: the transport's, the admission checks, and the handshake's. */
export interface CloudflareUpgradeOptions extends TransportOptions, AdmissionOptions {
  /**
   * The subprotocol to answer with (`Sec-WebSocket-Protocol`), to a client that offers it: one
   * that offers none, or only others, is upgraded with no subprotocol (answering one it did not
   * offer fails the connection in browsers and `ws`, RFC 6455 §4.1). Browsers take that; the `ws`
   * client fails a connection that offered subprotocols and was answered none. One that is no
   * subprotocol name (a token, RFC 6455 §4.1), such as "", rejects with a `TypeError`, as on
   * Node, Deno and Bun: no client could offer it, and every one would be answered none.
   */
  protocol?: string;
  /**
   * Drops the connection when the peer never answered the closing handshake. Workers cannot drop
   * one socket: without this, workerd keeps the connection until the peer goes away. A Durable
   * Object can reset itself, dropping its sockets: `() => setTimeout(() => ctx.abort(), 0)`, as
   * `CallDurableObject` does. The reset drops every socket of the object and its memory, not only
   * this session's: give it only to an object that holds this one connection.
   */
  terminate?: () => void;
  /**
   * Whether to agree per-message compression (`permessage-deflate`, RFC 7692) with a client that
   * offers it. Off by default, as on Node (`ws`) and Bun: from compatibility date 2023-08-15
   * (Cloudflare's `web_socket_compression` flag) workerd agrees it with every client that offers
   * it, as browsers and `ws` do, and inflates each message whole before the session sees it, up to
   * its 32 MiB limit: in local workerd, 30,596 bytes on the wire arrived as a 30 MiB message
   * before `maxMessageBytes` could refuse it, a thousandfold cheaper way to make the isolate
   * allocate. Voice gains little: audio compresses poorly, and deflating every outbound chunk
   * costs CPU time, which Workers bill. Off, a client that sends a compressed message anyway (RSV1
   * set) breaks the protocol: workerd closes with 1002, and the session ends with 1006. `true`
   * leaves the choice to workerd. The `no_web_socket_compression` compatibility flag strips the
   * 101's `Sec-WebSocket-Extensions`, this adapter's too: workerd on its own then agrees none,
   * whatever this says; under Miniflare (`wrangler dev`) the 101 goes out through Miniflare's own
   * Worker, which then agrees the client's offer, so there the flag turns compression on.
   *
   * @default {false}
   */
  compression?: boolean;
}

/** The server end of a `WebSocketPair`: a standard socket plus `accept()`. Declared locally. */
interface WorkersWebSocket extends WebSocketLike, WorkerdSocket {
  accept(): void;
}

type WebSocketPairConstructor = new () => { 0: WorkersWebSocket; 1: WorkersWebSocket };

/**
 * Ends the session if its 101 is not sent within `openTimeoutMs`: the Worker answered otherwise
 * (see `closeIfNeverServed`), and the session stayed unsettled, a Durable Object's call claimed,
 * every reconnect refused (409). A first message from the peer, or the session's end with its
 * close answered (see `endedAnswered`), says the check is done with.
 */
function endIfNeverServed(
  { client, server }: { client: WorkersWebSocket; server: WorkersWebSocket },
  closes: WorkerdCloses,
  transport: WebSocketTransport,
  options: TransportOptions,
): void {
  const { openTimeoutMs } = resolveTransportOptions(options); // checked by the transport already
  closeIfNeverServed(client, {
    clock: options.clock ?? systemClock,
    timeoutMs: openTimeoutMs,
    servedBy: { target: server, type: "message" },
    moot: endedAnswered(transport, server),
    end: () =>
      closes.neverServed(
        `the upgrade's 101 was not sent within ${openTimeoutMs} ms: the Worker answered otherwise`,
      ),
  });
}

/**
 * Settles when the session has ended with its socket CLOSED (its close answered, or a dropped
 * connection let go: workerd holds nothing of it). Never where it ended otherwise: a session the
 * Worker closed itself before throwing the 101 away (its own set-up failed) ends at
 * `closeTimeoutMs`, its close unanswered and the server end CLOSING, well before `openTimeoutMs`;
 * dropped then, the check left that end, and the session's listeners, to workerd for good. It
 * runs to its bound instead, and closes the pair (a served socket is left alone there: see
 * `closeIfNeverServed`).
 */
function endedAnswered(transport: WebSocketTransport, server: WorkersWebSocket): Promise<void> {
  return transport.closed.then(() =>
    server.readyState === 3 ? undefined : new Promise<void>(() => {}) // the bound decides
  );
}

/**
 * Upgrades a request to a WebSocket with `WebSocketPair` and wraps the server end in a
 * {@linkcode WebSocketTransport}. Refuses, with no upgrade, a request whose `Host` is no host
 * (400), then one that is not a WebSocket upgrade (426), with a malformed `Sec-WebSocket-Key`
 * (400) or a `Sec-WebSocket-Version` other than 13 (426), whose browser origin is not in
 * `allowedOrigins` (403), or that `authorize` turns down (401, or its own response; 503 once
 * `authorizeTimeoutMs` has passed). An upgrade by POST or PUT is refused with 405 as on the other
 * runtimes, told by its body: workerd hands it to the Worker as a GET. One with no body looks
 * like a GET to the Worker, and workerd itself fails the 101 it is answered with (a 500), closing
 * the session's socket at once (1006).
 *
 * Workers have no `bufferedAmount`, so what bounds sending is the transport's pacing (each audio
 * chunk leaves at its deadline) and `maxQueuedMs`; timers keep pacing exact even though the
 * Workers clock stands still while code runs.
 *
 * A serializer that hangs calls up through its provider's REST API (Twilio, Telnyx, Plivo,
 * jambonz) may still be waiting for the provider when the socket closes, and Workers cancel what
 * is pending once the request's handling is over: pass the `fetch` handler's
 * `waitUntil: (promise) => ctx.waitUntil(promise)`, which lets the hang-up finish (within its
 * bound) and its failure be reported. `CallDurableObject` passes its own.
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
  // Plain JavaScript has no type checker: a `terminate` that is no function was found only when a
  // peer left a close unanswered, as a "closed" error, the connection left up.
  const { terminate } = options;
  if (terminate !== undefined && typeof terminate !== "function") {
    throw new TypeError(`terminate must be a function, got ${typeof terminate}`);
  }
  const compression = agreesCompression(options.compression);
  const protocol = checkSubprotocol(options.protocol);
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
  // Before the transport listens: it is to hear only the closes this lets through.
  const closes = new WorkerdCloses(server);
  const headers: Record<string, string> = {};
  if (protocol !== undefined && offersSubprotocol(request, protocol)) {
    headers["sec-websocket-protocol"] = protocol;
  }
  if (!compression) headers["sec-websocket-extensions"] = NO_COMPRESSION;
  // A `serializer` function that throws ends this session (1011, logged), not the Worker.
  const transport = startSession(
    terminate ? Object.assign(server, { terminate }) : server,
    options,
  );
  closes.followErrors();
  if (transport !== null) endIfNeverServed({ client, server }, closes, transport, options);
  return {
    transport,
    response: new Response(null, { status: 101, webSocket: client, headers } as ResponseInit),
  };
}
