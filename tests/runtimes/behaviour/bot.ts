/**
 * The server side of the behavioural suite every runtime adapter runs (Deno + Hono, Node, Node +
 * Hono, Bun): one bot driven by the client's messages, the same session options everywhere, and
 * a log the client reads over HTTP (`GET /log?id=…&event=…`), since most servers are child
 * processes. Web standards only, so it runs unchanged on every runtime.
 *
 * Routes the servers give it, each with {@linkcode optionsFor} its path: `/ws` (echo bot),
 * `/ws-blast` (a session that sends as fast as the socket takes it), `/ws-close` (the server
 * closes at the client's first message), `/ws-idle` (the echo bot with a one-second keep-alive,
 * where the adapter has one). Servers whose adapter takes a session callback also route
 * `/ws-throws` to {@linkcode throwingSession}.
 *
 * @module
 */

import type { AudioFrame, Frame, TransportOptions, WebSocketTransport } from "../../../mod.ts";

/** Admission checks every server applies, so "refused origin" and "authorize" mean the same. */
export const ADMISSION = {
  allowedOrigins: ["https://app.example"],
  authorize: (request: Request): boolean =>
    new URL(request.url).searchParams.get("token") !== "bad",
} as const;

/** The echo bot's transport: 16 kHz mono both ways, 20 ms chunks. */
export const ECHO_OPTIONS: TransportOptions = {
  audioIn: { sampleRate: 16000 },
  audioOut: { sampleRate: 16000, chunkMs: 20 },
};

/** One 100 ms chunk of 48 kHz stereo, in bytes: the bound a blasting session may overshoot by. */
export const BLAST_CHUNK_BYTES = 48000 * 4 / 10;
/** The blasting session's transport: no pacing, a small send buffer, a short send timeout. */
export const BLAST_OPTIONS: TransportOptions = {
  maxBufferedBytes: 64 * 1024,
  sendTimeoutMs: 300,
  sendAheadMs: 3_600_000,
  maxQueuedMs: 1_000,
  audioOut: { sampleRate: 48000, channels: 2, chunkMs: 100 },
};

/** The session that closes at once: a short close timeout, so a silent peer is given up soon. */
export const CLOSE_OPTIONS: TransportOptions = { ...ECHO_OPTIONS, closeTimeoutMs: 200 };

/** The echo bot with a one-second keep-alive (`idleTimeout`, in the adapters that have one). */
export const IDLE_OPTIONS: TransportOptions & { idleTimeout: number } = {
  ...ECHO_OPTIONS,
  idleTimeout: 1,
};

/** The session options of a route. */
export function optionsFor(pathname: string): TransportOptions & { idleTimeout?: number } {
  if (pathname.endsWith("/ws-blast")) return BLAST_OPTIONS;
  if (pathname.endsWith("/ws-close")) return CLOSE_OPTIONS;
  if (pathname.endsWith("/ws-idle")) return IDLE_OPTIONS;
  return ECHO_OPTIONS;
}

/**
 * A session callback that fails: it throws, or with `?async` in the URL returns a promise that
 * rejects. The adapter must end that session with 1011 and keep serving.
 */
export function throwingSession(url: URL): Promise<void> | void {
  if (url.searchParams.has("async")) return Promise.reject(new Error("the bot failed later"));
  throw new Error("the bot failed at once");
}

/** A command the client sends as a JSON text message. */
interface Command {
  cmd?: string;
  ms?: number;
  fill?: number;
}

/** One thing that happened to a session. */
export interface LogEntry {
  id: string;
  event: string;
  [detail: string]: unknown;
}

const entries: LogEntry[] = [];
const waiting = new Set<() => void>();

function record(entry: LogEntry): void {
  entries.push(entry);
  for (const wake of waiting) wake();
}

/**
 * `GET /log?id=…&event=…`: the first matching entry as JSON, waiting up to 5 s for it (404 if it
 * never comes); without `event`, every entry of `id` at once.
 */
export async function logResponse(url: URL): Promise<Response> {
  const id = url.searchParams.get("id");
  const event = url.searchParams.get("event");
  if (event === null) return Response.json(entries.filter((e) => e.id === id));
  const find = () => entries.find((e) => e.id === id && e.event === event);
  const deadline = Date.now() + 5000;
  let found = find();
  while (!found && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, deadline - Date.now());
      waiting.add(done);
    });
    found = find();
  }
  return found ? Response.json(found) : new Response("no such entry", { status: 404 });
}

function silence(ms: number, fill: number): AudioFrame {
  return {
    type: "audio",
    audio: new Uint8Array(ms * 32).fill(fill),
    sampleRate: 16000,
    channels: 1,
  };
}

/** Runs a session: the echo bot on `/ws`, the blaster on `/ws-blast`. */
export function runBot(transport: WebSocketTransport, url: URL): void {
  const id = url.searchParams.get("id") ?? "anonymous";
  let errors = 0;
  let fatal: string | undefined;
  transport.addEventListener("error", (e) => {
    errors++;
    if (e.error.fatal) fatal = e.error.code;
  });
  void transport.closed.then((closed) =>
    record({ id, event: "closed", ...closed, errors, fatal, stats: transport.stats })
  );
  record({ id, event: "session" });
  if (url.pathname.endsWith("/ws-blast")) return blast(transport, id);
  if (url.pathname.endsWith("/ws-close")) {
    // The client's first message, not "connected": on Hono's Workers adapter that is the open.
    void transport.readable.getReader().read().then(() => transport.close(4000, "server-bye"));
    return;
  }

  const writer = transport.writable.getWriter();
  // Writes keep their order; the reader goes on meanwhile, so an "interrupt" is read at once.
  let chain = Promise.resolve();
  const write = (frame: Frame) => {
    chain = chain.then(() => writer.write(frame)).catch(() => {/* the session ended */});
  };
  void (async () => {
    for await (const frame of transport.readable) {
      if (frame.type !== "message") {
        write(frame);
        continue;
      }
      const command = frame.message as Command | null;
      switch (command?.cmd) {
        case "burst":
          write(silence(command.ms ?? 0, command.fill ?? 0));
          break;
        case "interrupt":
          await transport.interrupt();
          write(silence(command.ms ?? 0, command.fill ?? 0));
          break;
        case "errors":
          write({ type: "message", message: { errors }, urgent: true });
          break;
        default:
          write(frame);
      }
    }
    await chain;
    await writer.close().catch(() => {/* already closed with the socket */});
  })();
}

function blast(transport: WebSocketTransport, id: string): void {
  const socket = transport.socket;
  let maxBuffered = 0;
  void transport.readable.cancel();
  transport.addEventListener("connected", async () => {
    const writer = transport.writable.getWriter();
    const second = new Uint8Array(48000 * 4);
    try {
      for (let i = 0; i < 600 && socket.readyState === 1; i++) {
        await writer.write({ type: "audio", audio: second, sampleRate: 48000, channels: 2 });
        maxBuffered = Math.max(maxBuffered, socket.bufferedAmount ?? 0);
      }
    } catch {
      // The session ended under us: what we measured stands.
    }
    record({ id, event: "blast", maxBuffered });
  }, { once: true });
}
