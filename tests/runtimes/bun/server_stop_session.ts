/**
 * One session ended by Bun's own `server.stop(true)` (not the adapters' `shutdownSignal`), for
 * `../bun_server_stop_test.ts`: on the Bun adapter, or, given `hono`, on Hono's (`hono/bun`).
 * Serves on 127.0.0.1 port 0 or, given `fixed-port`, on a port named in `Bun.serve` (as a
 * production server does: Bun's `server.port` then still says it once stopped), connects Bun's
 * own WebSocket client, waits for an echo, stops the server, and prints one JSON line: the
 * session's `closed`, whether it heard "disconnected", and the client's close. Bundled first (see
 * `../node/child_runtime.ts`): it imports Hono.
 *
 * @module
 */

import { Hono } from "hono";
import { upgradeWebSocket, websocket as honoHandlers } from "hono/bun";
import type { WebSocketTransport } from "../../../src/transport.ts";
import { upgrade, websocket } from "../../../src/adapters/bun.ts";
import { voiceSession } from "../../../src/adapters/hono.ts";
import { serve } from "./_serve.ts";

const sessions: WebSocketTransport[] = [];
let disconnected = false;
function echo(transport: WebSocketTransport): void {
  sessions.push(transport);
  transport.addEventListener("disconnected", () => (disconnected = true));
  transport.readable.pipeTo(transport.writable).catch(() => {});
}

const app = new Hono().get("/", voiceSession(upgradeWebSocket, echo));
const { argv } = (globalThis as unknown as { process: { argv: string[] } }).process;
const onHono = argv.includes("hono");
const server = serve({
  hostname: "127.0.0.1",
  port: argv.includes("fixed-port") ? freePort() : 0,
  fetch: onHono ? app.fetch as never : async (request, server) => {
    const { transport, response } = await upgrade(request, server);
    if (transport !== null) echo(transport);
    return response;
  },
  websocket: onHono ? honoHandlers as never : websocket,
}) as { port: number; stop(closeActiveConnections: boolean): void };

/** A port free now: taken by a listener of our own, then let go for the server. */
function freePort(): number {
  const probe = serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => Promise.resolve(new Response(null)),
    websocket,
  }) as { port: number; stop(closeActiveConnections: boolean): void };
  const { port } = probe;
  probe.stop(true);
  return port;
}

/** `promise`, or a rejection naming `what` after 3 s: a broken server fails, never hangs. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what}`)), 3000)),
  ]);
}

const client = new WebSocket(`ws://127.0.0.1:${server.port}/`);
const clientClosed = new Promise<CloseEvent>((resolve) => (client.onclose = resolve));
await within(new Promise((resolve) => (client.onopen = resolve)), "open");
const echoed = new Promise((resolve) => (client.onmessage = resolve));
client.send('{"hello":"bun"}');
await within(echoed, "echo"); // the session is up at both ends

server.stop(true);
const closed = await within(sessions[0]!.closed, "end of the session");
const { code, reason } = await within(clientClosed, "close at the client");
console.log(JSON.stringify({ closed, disconnected, client: { code, reason } }));
(globalThis as unknown as { process: { exit(code: number): never } }).process.exit(0);
