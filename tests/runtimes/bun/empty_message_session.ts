/**
 * One session that sends an empty text message and then "after", for
 * `../bun_dropped_send_test.ts`: on the Bun adapter, or, given `hono`, on Hono's (`hono/bun`).
 * Bun's `send("")` "succeeds but also returns 0" (bun-types 1.4.5, `ServerWebSocketSendStatus`),
 * the value it returns for a message it dropped. The serializer is the one `FrameSerializer`'s
 * documentation shows (a message frame as its text). Bun's own WebSocket client reads both;
 * prints one JSON line: what the client received, and the session's stats and "error" events.
 * Bundled first (it imports Hono).
 *
 * @module
 */

import { Hono } from "hono";
import { upgradeWebSocket, websocket as honoHandlers } from "hono/bun";
import type { FrameSerializer } from "../../../src/serializer.ts";
import type { Frame } from "../../../src/frames.ts";
import type { WebSocketTransport } from "../../../src/transport.ts";
import { upgrade, websocket } from "../../../src/adapters/bun.ts";
import { voiceSession } from "../../../src/adapters/hono.ts";
import { serve } from "./_serve.ts";

/** A message frame as its text, as in `FrameSerializer`'s own example. */
class TextSerializer implements FrameSerializer {
  serialize(frame: Frame) {
    return frame.type === "message" ? String(frame.message) : null;
  }
  deserialize() {
    return null;
  }
}
const options = { serializer: () => new TextSerializer() };

let started: (transport: WebSocketTransport) => void;
const session = new Promise<WebSocketTransport>((resolve) => (started = resolve));
const errors: string[] = [];
async function sendEmptyThenAfter(transport: WebSocketTransport): Promise<void> {
  started(transport);
  transport.addEventListener("error", ({ error }) => void errors.push(error.message));
  const writer = transport.writable.getWriter();
  await writer.write({ type: "message", message: "" });
  await writer.write({ type: "message", message: "after" });
  writer.releaseLock();
}

const app = new Hono().get("/", voiceSession(upgradeWebSocket, sendEmptyThenAfter, options));
const { argv } = (globalThis as unknown as { process: { argv: string[] } }).process;
const onHono = argv.includes("hono");
const server = serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: onHono ? app.fetch as never : async (request, server) => {
    const { transport, response } = await upgrade(request, server, options);
    if (transport !== null) void sendEmptyThenAfter(transport);
    return response;
  },
  websocket: onHono ? honoHandlers as never : websocket,
});

/** `promise`, or a rejection naming `what` after 3 s: a broken server fails, never hangs. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what}`)), 3000)),
  ]);
}

const client = new WebSocket(`ws://127.0.0.1:${server.port}/`);
const received: unknown[] = [];
await within(
  new Promise<void>((resolve) => {
    client.onmessage = ({ data }) => {
      received.push(data);
      if (data === "after") resolve();
    };
  }),
  '"after"',
);
const transport = await session;
const { messagesOut } = transport.stats;
client.close();
await within(transport.closed, "end of the session");
console.log(JSON.stringify({ received, messagesOut, errors }));
(globalThis as unknown as { process: { exit(code: number): never } }).process.exit(0);
