/**
 * One session on a Bun server whose `websocket` has a low `backpressureLimit`, for
 * `../bun_dropped_send_test.ts`: on the Bun adapter, or, given `hono`, on Hono's (`hono/bun`).
 * Past that limit Bun's `send()` "drops the message and returns 0" (bun-types 1.4.5,
 * `WebSocketHandler.backpressureLimit`; `ServerWebSocketSendStatus`: "if 0, the message was
 * dropped"). A raw TCP client asks to upgrade and then reads nothing while the session writes
 * `MESSAGES` messages of about 16 KiB, more than the kernel's buffers take; then it reads all that
 * came and the session closes. Prints one JSON line: how many text messages the client received,
 * and what the session's stats and "error" events said. Bundled first (it imports Hono).
 *
 * @module
 */

import { connect, type Socket } from "node:net";
import { Hono } from "hono";
import { upgradeWebSocket, websocket as honoHandlers } from "hono/bun";
import type { WebSocketTransport } from "../../../src/transport.ts";
import { upgrade, websocket } from "../../../src/adapters/bun.ts";
import { voiceSession } from "../../../src/adapters/hono.ts";
import { serve } from "./_serve.ts";

const MESSAGES = 1500;
const PAD = "x".repeat(16 * 1024);
/** Far below the transport's `maxBufferedBytes` (512 KiB), so the transport never waits first. */
const BACKPRESSURE_LIMIT = 64 * 1024;

let written: (transport: WebSocketTransport) => void;
const sessionWritten = new Promise<WebSocketTransport>((resolve) => (written = resolve));
/** How many "error" events the session dispatched, by code. */
const errors: Record<string, number> = {};
async function writeAll(transport: WebSocketTransport): Promise<void> {
  transport.addEventListener("error", ({ error }) => {
    errors[error.code] = (errors[error.code] ?? 0) + 1;
  });
  const writer = transport.writable.getWriter();
  for (let i = 0; i < MESSAGES; i++) await writer.write({ type: "message", message: { i, PAD } });
  writer.releaseLock();
  written(transport);
}

const app = new Hono().get("/", voiceSession(upgradeWebSocket, (t) => void writeAll(t)));
const { argv } = (globalThis as unknown as { process: { argv: string[] } }).process;
const onHono = argv.includes("hono");
const server = serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: onHono ? app.fetch as never : async (request, server) => {
    const { transport, response } = await upgrade(request, server);
    if (transport !== null) void writeAll(transport);
    return response;
  },
  websocket: {
    ...(onHono ? honoHandlers as never : websocket),
    backpressureLimit: BACKPRESSURE_LIMIT,
  } as typeof websocket,
});

/** `promise`, or a rejection naming `what` after 10 s: a broken server fails, never hangs. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what}`)), 10_000)),
  ]);
}

/** Counts the server's text frames (RFC 6455 §5.2: unmasked, opcode 1) up to its close frame. */
function countTextFrames(client: Socket, head: Uint8Array): Promise<number> {
  let buffered = head;
  let texts = 0;
  return new Promise((resolve, reject) => {
    const take = (chunk: Uint8Array) => {
      const joined = new Uint8Array(buffered.length + chunk.length);
      joined.set(buffered);
      joined.set(chunk, buffered.length);
      buffered = joined;
      for (;;) {
        if (buffered.length < 2) return;
        const opcode = buffered[0]! & 0x0f;
        let length = buffered[1]! & 0x7f;
        let at = 2;
        if (length === 126) {
          if (buffered.length < 4) return;
          length = (buffered[2]! << 8) | buffered[3]!;
          at = 4;
        } else if (length === 127) {
          if (buffered.length < 10) return;
          length = Number(new DataView(buffered.buffer, buffered.byteOffset + 2).getBigUint64(0));
          at = 10;
        }
        if (buffered.length < at + length) return;
        buffered = buffered.subarray(at + length);
        if (opcode === 1) texts++;
        if (opcode === 8) return resolve(texts);
      }
    };
    client.on("data", (chunk: Uint8Array) => take(chunk));
    client.on("error", reject);
    client.on("close", () => reject(new Error("closed before the close frame")));
    take(new Uint8Array(0));
  });
}

const client = connect(server.port, "127.0.0.1");
client.write(
  "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
);
const afterHead = await within(
  new Promise<Uint8Array>((resolve) => {
    let received = new Uint8Array(0);
    const onData = (chunk: Uint8Array) => {
      const joined = new Uint8Array(received.length + chunk.length);
      joined.set(received);
      joined.set(chunk, received.length);
      received = joined;
      const end = new TextDecoder().decode(received).indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      client.pause(); // reads nothing more until the session has written everything
      resolve(received.subarray(end + 4));
    };
    client.on("data", onData);
  }),
  "101",
);
const transport = await within(sessionWritten, "end of the writes");
const received = countTextFrames(client, afterHead);
client.resume();
void transport.close(1000, "done");
const texts = await within(received, "close frame");
client.end();
const { messagesOut } = transport.stats;
console.log(JSON.stringify({ written: MESSAGES, received: texts, messagesOut, errors }));
(globalThis as unknown as { process: { exit(code: number): never } }).process.exit(0);
