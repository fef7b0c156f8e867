/**
 * The demo server's request handler, shared by `main.ts` (`npm start`) and the tests
 * (`Deno.serve` on port 0).
 *
 * @module
 */

import { RawPcmSerializer } from "@x/ws-transport";
import { upgrade } from "@x/ws-transport/deno";
import { runEcho } from "./echo_session.ts";
import { demoOrigins } from "./origins.ts";
import { createStaticFiles } from "./static_files.ts";

/**
 * How far ahead of its playing time the demo sends audio: the 60 ms its page's player holds
 * before it plays. The load benchmark gives its bare floor the same lead.
 */
export const DEMO_SEND_AHEAD_MS = 60;

/** Options for {@linkcode createDemoHandler}. */
export interface DemoHandlerOptions {
  /**
   * The largest `delay_ms` a client may ask for; larger is a 400.
   *
   * @default {10000}
   */
  maxDelayMs?: number;
  /**
   * Where one line per session (when it ends) goes. Nothing is logged per frame.
   *
   * @default {() => {}}
   */
  log?: (line: string) => void;
  /**
   * The folder the page's files are read from.
   *
   * @default {new URL("./public/", import.meta.url)}
   */
  publicDir?: URL;
  /**
   * The origins the demo is served at (`http://127.0.0.1:8000`; see `demoOrigins`). A request
   * whose Host is none of theirs is refused with 403 — a page at another name, such as a
   * DNS-rebinding attacker's that resolves to 127.0.0.1, can neither read the demo nor open `/ws`
   * — and browsers may open `/ws` only from these origins (clients without an `Origin` pass).
   *
   * @default {demoOrigins("127.0.0.1", 8000)}
   */
  origins?: readonly string[];
}

/**
 * The demo's handler: `GET /` and its files serve the page; `/ws` is the echo endpoint (binary
 * PCM16 mono 16 kHz in; the same bytes back in 20 ms chunks cut into 640-byte packets, paced in
 * real time; `{"type":"interrupt"}` interrupts; other JSON comes back; `?delay_ms=N` delays the
 * echo). Anything else is a 404; a request for a host that is not the demo's is a 403.
 *
 * @example Serving the demo on a free port
 * ```ts
 * import { createDemoHandler } from "./handler.ts";
 * import { demoOrigins } from "./origins.ts";
 * import assert from "node:assert/strict";
 *
 * // The handler is made once the port is known: it serves only the origins of that address.
 * let handler = createDemoHandler();
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (r) => handler(r));
 * handler = createDemoHandler({ origins: demoOrigins("127.0.0.1", server.addr.port) });
 * const page = await fetch(`http://127.0.0.1:${server.addr.port}/`);
 * assert.equal(page.status, 200);
 * await page.body?.cancel();
 * await server.shutdown();
 * ```
 */
export function createDemoHandler(
  options: DemoHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const maxDelayMs = options.maxDelayMs ?? 10000;
  const log = options.log ?? (() => {});
  const files = createStaticFiles(options.publicDir ? { publicDir: options.publicDir } : {});
  const origins = [...(options.origins ?? demoOrigins("127.0.0.1", 8000))];
  // `request.url` is built from the Host header: its host is the one the client asked for.
  const hosts = new Set(origins.map((origin) => new URL(origin).host));
  let sessions = 0;

  return async (request) => {
    const url = new URL(request.url);
    if (!hosts.has(url.host)) {
      return new Response(
        `This demo serves ${[...hosts].join(", ")}, not ${url.host}: set HOST (and ORIGINS) ` +
          "to serve it under another name.\n",
        { status: 403 },
      );
    }
    if (url.pathname !== "/ws") {
      return (await files(request)) ?? new Response("Not Found", { status: 404 });
    }
    const delayMs = parseDelay(url.searchParams, maxDelayMs);
    if (typeof delayMs === "string") return new Response(delayMs, { status: 400 });

    const { transport, response } = await upgrade(request, {
      serializer: new RawPcmSerializer(),
      audioIn: { sampleRate: 16000, channels: 1 },
      audioOut: { sampleRate: 16000, channels: 1, chunkMs: 20 },
      fixedAudioPacketSize: 640,
      // The page's player holds 60 ms before it plays: audio may leave that far ahead of its
      // playing time, so a scheduling hiccup here up to 60 ms long costs no lasting latency.
      sendAheadMs: DEMO_SEND_AHEAD_MS,
      // Browsers only from the demo's own origins (never one built from the request's Host);
      // clients without an Origin (tools) pass.
      allowedOrigins: origins,
    });
    if (!transport) return response;

    const id = ++sessions;
    runEcho(transport, { delayMs }).then(async (echo) => {
      const { code, initiator } = await transport.closed;
      const stats = transport.stats;
      log(
        `session ${id} ended (${code}, ${initiator}): ${echo.audioFramesIn} audio frames and ` +
          `${echo.messagesIn} messages in, ${stats.audioChunksSent} chunks out, ` +
          `${echo.interrupts} interrupts, ${stats.decodeErrors} undecodable messages`,
      );
    }, (error) => log(`session ${id} failed: ${String(error)}`));
    return response;
  };
}

/** `delay_ms` as a number, or why the query is refused. */
function parseDelay(params: URLSearchParams, maxDelayMs: number): number | string {
  for (const name of params.keys()) {
    if (name !== "delay_ms") return `Unknown query parameter ${JSON.stringify(name)}`;
  }
  const values = params.getAll("delay_ms");
  if (values.length === 0) return 0;
  const value = values[0]!;
  if (values.length > 1 || !/^\d{1,6}$/.test(value) || Number(value) > maxDelayMs) {
    return `delay_ms must be one whole number of milliseconds from 0 to ${maxDelayMs}, got ${
      JSON.stringify(values.join(","))
    }`;
  }
  return Number(value);
}
