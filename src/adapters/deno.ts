/**
 * The Deno adapter: `Deno.upgradeWebSocket` → {@linkcode WebSocketTransport}.
 *
 * @module
 */

import type { TransportOptions } from "../transport_options.ts";
import { type AdmissionOptions, admit, type UpgradeResult } from "./_admission.ts";
import { checkIdleTimeout } from "./_idle_timeout.ts";
import { checkSubprotocol, spaceSubprotocols } from "./_request_headers.ts";
import { startSession } from "./_session.ts";
import { dropDenoSocket } from "../_terminate.ts";
import { thrownText } from "../_thrown_text.ts";
import type { ShutdownOptions } from "./_shutdown.ts";

export type { AdmissionOptions, UpgradeResult } from "./_admission.ts";
export { sessionsEnded, type ShutdownOptions } from "./_shutdown.ts";

/**
 * Options for {@linkcode upgrade}: the transport's, the admission checks, the server's shutdown
 * and Deno's own.
 */
export interface DenoUpgradeOptions extends TransportOptions, AdmissionOptions, ShutdownOptions {
  /**
   * Keep-alive, in seconds: after half of it without a frame from the peer Deno pings, and after
   * the other half without an answer it closes the connection (1001); 0 turns it off. Anything
   * but a finite number >= 0 throws a `RangeError`; past 49.7 days it is 49.7 days (the longest a
   * timer waits half of).
   *
   * @default {30}
   */
  idleTimeout?: number;
  /**
   * The subprotocol to answer with (`Sec-WebSocket-Protocol`), when the client offers it; a
   * client that offers none, or others, is answered without one (RFC 6455 §4.2.2 lets a server),
   * and decides itself whether to go on. A list written without spaces (`a,b`, as the `ws`
   * client writes several) is read as one with them. One that is no subprotocol name (a token,
   * RFC 6455 §4.1), such as "", rejects with a `TypeError`, as on Node, Bun and Workers: no
   * client could offer it, and every one would be answered none.
   */
  protocol?: string;
}

/**
 * Upgrades a request to a WebSocket and wraps it in a {@linkcode WebSocketTransport}. Refuses,
 * with no upgrade, a request whose `Host` is no host (userinfo: 400), every one once
 * `shutdownSignal` has aborted (503), then one that is not a WebSocket upgrade (426), not a GET or
 * one with a body (405), with a malformed `Sec-WebSocket-Key` (400) or a `Sec-WebSocket-Version`
 * other than 13 (426), whose browser origin is not in `allowedOrigins` (403), or that `authorize`
 * turns down (401, or its own response; 503 once `authorizeTimeoutMs` has passed). A bad option
 * throws a `RangeError` or `TypeError` first; a `serializer` function that throws gives
 * `transport: null` with the upgrade's response (the session closed with 1011, logged).
 *
 * @example An echo server for `deno serve`
 * ```ts
 * import { upgrade } from "@x/ws-transport/deno";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
 *   const { transport, response } = await upgrade(request, { audioOut: { sampleRate: 16000 } });
 *   transport?.readable.pipeTo(transport.writable);
 *   return response;
 * });
 * const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}`);
 * ws.binaryType = "arraybuffer";
 * await new Promise((resolve) => (ws.onopen = resolve));
 * ws.send('{"hello":"world"}');
 * const echoed = await new Promise((resolve) => (ws.onmessage = (e) => resolve(e.data)));
 * assert.equal(echoed, '{"hello":"world"}');
 * ws.close();
 * await new Promise((resolve) => (ws.onclose = resolve));
 * await server.shutdown();
 * ```
 */
export async function upgrade(
  request: Request,
  options: DenoUpgradeOptions = {},
): Promise<UpgradeResult> {
  const idleTimeout = options.idleTimeout === undefined
    ? undefined
    : checkIdleTimeout(options.idleTimeout);
  const protocol = checkSubprotocol(options.protocol);
  const refusal = await admit(request, options);
  if (refusal !== null) return { transport: null, response: refusal };
  // Deno finds `protocol` only in a list split at ", ": the `ws` client's `a,b` was answered with
  // none, and `ws` then fails the connection ("Server sent no subprotocol").
  if (protocol !== undefined) spaceSubprotocols(request);
  let upgraded: { socket: WebSocket; response: Response };
  try {
    upgraded = Deno.upgradeWebSocket(request, {
      ...(idleTimeout === undefined ? {} : { idleTimeout }),
      ...(protocol !== undefined && denoFindsOffered(request, protocol) ? { protocol } : {}),
    });
  } catch (error) {
    const response = new Response(`Bad upgrade: ${thrownText(error)}`, { status: 400 });
    return { transport: null, response };
  }
  const { socket, response } = upgraded;
  const terminate = () => void dropDenoSocket(socket); // Deno's WebSocket has no terminate()
  return {
    // A `serializer` function that throws ends this session (1011, logged), not the server.
    transport: startSession(Object.assign(socket, { terminate }), options),
    response,
  };
}

/**
 * Whether Deno finds `protocol` in the request's `Sec-WebSocket-Protocol` (spaced, see
 * `spaceSubprotocols`): given one it does not find (none offered, or others),
 * `Deno.upgradeWebSocket` throws rather than answer without one.
 */
function denoFindsOffered(request: Request, protocol: string): boolean {
  return (request.headers.get("sec-websocket-protocol") ?? "").split(", ").includes(protocol);
}
