/**
 * One session that Bun's own `server.stop(true)` closes while it is already ending, for
 * `../bun_server_stop_closing_test.ts`, on the Bun adapter. Given `farewell`, the bot has queued
 * 2 s of audio and its `end` (the farewell playing); given `throwing`, the same with a
 * "speakingstop" listener that throws; given `closing`, the same with `transport.close(4000)`
 * called just before, in the same turn (the close handshake under way); given `shutdown`, the
 * adapter's `shutdownSignal` is aborted just before, in the same turn. Serves on 127.0.0.1 port 0, connects Bun's own WebSocket client,
 * waits for the session's first message, stops the server, and prints one JSON line: the session's
 * `closed`, whether it heard "disconnected", the errors it reported, whether `sessionsEnded`
 * settled, and what it counted dropped at the close.
 *
 * @module
 */

import type { WebSocketTransport } from "../../../src/transport.ts";
import { sessionsEnded, upgrade, websocket } from "../../../src/adapters/bun.ts";
import { serve } from "./_serve.ts";

const { argv } = (globalThis as unknown as { process: { argv: string[] } }).process;
const scenario = argv.at(-1);
const shutdown = new AbortController();
const sessions: WebSocketTransport[] = [];
let disconnected = false;
const errors: string[] = [];

/** 2 s of 16 kHz mono silence and the bot's `end`: a farewell far longer than the test. */
function sayFarewell(transport: WebSocketTransport): void {
  const second = new Uint8Array(16000 * 2);
  void transport.send({ type: "audio", audio: second, sampleRate: 16000, channels: 1 });
  void transport.send({ type: "audio", audio: second, sampleRate: 16000, channels: 1 });
  void transport.send({ type: "end", reason: "goodbye" });
}

const server = serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: async (request, server) => {
    const { transport, response } = await upgrade(request, server, {
      shutdownSignal: shutdown.signal,
      audioOut: { sampleRate: 16000 },
    });
    if (transport === null) return response;
    sessions.push(transport);
    transport.addEventListener("disconnected", () => (disconnected = true));
    transport.addEventListener("error", (event) => {
      errors.push(`${event.error.code}: ${event.error.message}`);
    });
    if (scenario === "throwing") {
      transport.addEventListener("speakingstop", () => {
        throw new Error("speakingstop listener threw");
      });
    }
    transport.receive(() => {});
    transport.addEventListener("connected", () => {
      if (scenario === "shutdown") void transport.send({ type: "message", message: { hi: 1 } });
      else sayFarewell(transport);
    });
    return response;
  },
  websocket,
}) as { port: number; stop(closeActiveConnections: boolean): void };

/** `promise`, or a rejection naming `what` after 3 s: a broken server fails, never hangs. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what}`)), 3000)),
  ]);
}

const client = new WebSocket(`ws://127.0.0.1:${server.port}/`);
const first = new Promise((resolve) => (client.onmessage = resolve));
await within(first, "first message"); // the session is up, and (but for `shutdown`) speaking

const session = sessions[0]!;
if (scenario === "shutdown") shutdown.abort();
const closing = scenario === "closing" ? session.close(4000, "bye") : undefined;
server.stop(true);
const closed = await within(session.closed, "end of the session");
const ended = await within(sessionsEnded(shutdown.signal).then(() => true), "sessionsEnded");
if (closing !== undefined) await within(closing, "the close's end");
const { audioBytesDroppedOnClose, framesDroppedOnClose } = session.stats;
const dropped = { audio: audioBytesDroppedOnClose > 0, frames: framesDroppedOnClose };
console.log(JSON.stringify({ closed, disconnected, errors, ended, dropped }));
(globalThis as unknown as { process: { exit(code: number): never } }).process.exit(0);
