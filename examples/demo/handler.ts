/**
 * The demo server's request handler, shared by `main.ts` (`deno serve`) and the tests
 * (`Deno.serve` on port 0).
 *
 * @module
 */

import { RawPcmSerializer } from "../../mod.ts";
import { upgrade } from "../../src/adapters/deno.ts";
import { runEcho } from "./echo_session.ts";
import { createStaticFiles } from "./static_files.ts";

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
}

/**
 * The demo's handler: `GET /` and its files serve the page; `/ws` is the echo endpoint (binary
 * PCM16 mono 16 kHz in; the same bytes back in 20 ms chunks cut into 640-byte packets, paced in
 * real time; `{"type":"interrupt"}` interrupts; other JSON comes back; `?delay_ms=N` delays the
 * echo). Anything else is a 404.
 *
 * @example Serving the demo on a free port
 * ```ts
 * import { createDemoHandler } from "./handler.ts";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, createDemoHandler());
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
  let sessions = 0;

  return async (request) => {
    const url = new URL(request.url);
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
      sendAheadMs: 60,
      // Browsers only from the page's own origin; clients without an Origin (tools) pass.
      allowedOrigins: [url.origin],
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
