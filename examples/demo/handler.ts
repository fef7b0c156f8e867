/**
 * The demo server's request handler, shared by `main.ts` (`npm start`) and the tests
 * (`Deno.serve` on port 0).
 *
 * @module
 */

import {
  type Clock,
  RawPcmSerializer,
  SessionMetrics,
  systemClock,
  type WebSocketTransport,
} from "@x/ws-transport";
import { type DenoUpgradeOptions, upgrade } from "@x/ws-transport/deno";
import { TwilioSerializer } from "@x/ws-transport/twilio";
import { runEcho } from "./echo_session.ts";
import { positiveMs } from "./_positive_ms.ts";
import { demoOrigins, servesHost } from "./origins.ts";
import { type ParrotOptions, runParrot } from "./parrot_bot.ts";
import { SessionView, type ViewSettings } from "./session_view.ts";
import { createStaticFiles } from "./static_files.ts";
import { SESSION_ID, ViewHub } from "./view_hub.ts";
import { WidebandSerializer } from "./wideband_serializer.ts";

/**
 * How far ahead of its playing time the demo sends audio: the 60 ms its page's player holds
 * before it plays. The load benchmark gives its bare floor the same lead.
 */
export const DEMO_SEND_AHEAD_MS = 60;

/** The largest `playout_delay_ms` the wideband line takes. */
const MAX_PLAYOUT_DELAY_MS = 1000;

/** Which endpoint a session came in on. */
export type DemoLine = "echo" | "wideband" | "phone";

/** Options for {@linkcode createDemoHandler}. */
export interface DemoHandlerOptions {
  /**
   * The largest `delay_ms` a client may ask of the echo; larger is a 400.
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
   * DNS-rebinding attacker's that resolves to 127.0.0.1, can neither read the demo nor open its
   * sockets — and browsers may connect only from these origins (clients without an `Origin`
   * pass). Without it, the loopback names (`127.0.0.1`, `localhost`, `[::1]`) on the port each
   * request came to: any port, never another name.
   *
   * @default {the loopback origins of the request's port}
   */
  origins?: readonly string[];
  /**
   * The parrot's turn-taking (speech detector) settings.
   *
   * @default {{}} see `ParrotOptions`
   */
  parrot?: Omit<ParrotOptions, "onEvent">;
  /**
   * How long `/view` waits for its session, and a session for its view: a positive, finite number
   * of ms (anything else is a `RangeError`; with no wait the page's view, opened first, would
   * always expire).
   *
   * @default {10000}
   */
  viewWaitMs?: number;
  /**
   * The time source of every session (pacing, playback, metrics) and of the view's waits.
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Called with each session's transport as it starts, and the line it came in on.
   *
   * @default {undefined}
   */
  onSession?: (transport: WebSocketTransport, line: DemoLine) => void;
}

/**
 * The demo's handler. `GET /` and its files serve the page; the rest are the lines it calls:
 *
 * - `/wideband` — the parrot on raw PCM16 mono 16 kHz (binary both ways; `{"type":"clear"}`
 *   from the server on an interruption). `?session=ID` pairs it with `/view`;
 *   `?playout_delay_ms=N` is how far behind the pacing estimate the page plays (0–1000).
 * - `/phone` — the parrot on Twilio Media Streams (JSON text; μ-law 8 kHz), the page playing
 *   Twilio's part; `start.customParameters.session` pairs it with `/view`.
 * - `/view?session=ID` — the server's view of that session, as server-sent events (see
 *   `view_events.ts`).
 * - `/ws` — the echo: binary PCM16 mono 16 kHz in, the same bytes back in 20 ms chunks cut into
 *   640-byte packets, paced in real time; `{"type":"interrupt"}` interrupts; other JSON comes
 *   back; `?delay_ms=N` delays the echo.
 *
 * Anything else is a 404; a request for a host that is not the demo's is a 403.
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
  const clock = options.clock ?? systemClock;
  const files = createStaticFiles(options.publicDir ? { publicDir: options.publicDir } : {});
  const configured = options.origins ? [...options.origins] : undefined;
  const waitMs = options.viewWaitMs === undefined
    ? undefined
    : positiveMs("viewWaitMs", options.viewWaitMs);
  const hub = new ViewHub({ clock, ...(waitMs === undefined ? {} : { waitMs }) });
  let sessions = 0;

  /** The origins this request may come from; `undefined` when its Host is not the demo's. */
  const originsFor = (url: URL): string[] | undefined => {
    // `request.url` is built from the Host header: its host is the one the client asked for.
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    // Nothing listens on port 0: a Host naming it is no address of the demo's.
    if (configured === undefined && port === 0) return undefined;
    const origins = configured ?? demoOrigins("127.0.0.1", port);
    return origins.some((origin) => servesHost(origin, url)) ? origins : undefined;
  };

  const parrotSession = async (
    request: Request,
    line: "wideband" | "phone",
    query: { session: string | undefined; playoutDelayMs: number },
    allowedOrigins: string[],
  ): Promise<Response> => {
    const phone = line === "phone";
    const settings: ViewSettings = {
      chunkMs: 20,
      sendAheadMs: DEMO_SEND_AHEAD_MS,
      playoutDelayMs: query.playoutDelayMs,
      // Raw PCM has no acknowledgements: the transport inserts marks only where they come back.
      markIntervalMs: phone ? 250 : 0,
    };
    const transportOptions: DenoUpgradeOptions = {
      serializer: phone ? new TwilioSerializer() : new WidebandSerializer(),
      audioIn: { sampleRate: 16000, channels: 1 },
      audioOut: { sampleRate: 16000, channels: 1, chunkMs: settings.chunkMs },
      sendAheadMs: settings.sendAheadMs,
      playoutDelayMs: settings.playoutDelayMs,
      markIntervalMs: settings.markIntervalMs,
      // A fixed cadence, the one "hello" names: left to widen while the acknowledgements agree
      // (to 1 s), a reply talked over would often have none of its own marks acknowledged.
      maxMarkIntervalMs: settings.markIntervalMs,
      allowedOrigins,
      clock,
    };
    const { transport, response } = await upgrade(request, transportOptions);
    if (!transport) return response;
    options.onSession?.(transport, line);
    const id = ++sessions;
    const detector = { minSpeechMs: 150, minSilenceMs: 600, ...options.parrot };
    const metrics = SessionMetrics.attach(transport, {
      speech: { minSpeechMs: detector.minSpeechMs, minSilenceMs: detector.minSilenceMs },
    });
    const view = new SessionView(transport, { line, metrics, settings });
    // A view joins one session id: its first. Twilio sends one `start`; the id a second one
    // names gets no view (its viewer would take this one from the first, whose stream would
    // then never end).
    let joined = query.session !== undefined;
    if (query.session !== undefined) hub.join(query.session, view);
    runParrot(transport, {
      ...detector,
      onEvent(event) {
        view.parrot(event);
        const session = event.type === "start" ? event.frame.params?.session : undefined;
        if (!joined && session !== undefined && SESSION_ID.test(session)) {
          joined = true;
          hub.join(session, view);
        }
      },
    }).then(async (parrot) => {
      const { code, initiator } = await transport.closed;
      log(
        `session ${id} (${line}) ended (${code}, ${initiator}): ${parrot.phrases} phrases, ` +
          `${parrot.replies} replies, ${parrot.bargeIns} barge-ins; ${metrics.summary()}`,
      );
    }, (error) => log(`session ${id} failed: ${String(error)}`));
    return response;
  };

  return async (request) => {
    const url = new URL(request.url);
    const origins = originsFor(url);
    if (origins === undefined) {
      const served = configured?.map((origin) => new URL(origin).host).join(", ") ??
        "127.0.0.1, localhost and [::1]";
      return new Response(
        `This demo serves ${served}, not ${url.host}: set HOST (and ORIGINS) to serve it ` +
          "under another name.\n",
        { status: 403 },
      );
    }
    switch (url.pathname) {
      case "/ws":
        return await echoSession(request, url, origins);
      case "/wideband":
      case "/phone": {
        const line = url.pathname === "/phone" ? "phone" : "wideband";
        const query = parseLineQuery(url.searchParams, line);
        if (typeof query === "string") return new Response(query, { status: 400 });
        return await parrotSession(request, line, query, origins);
      }
      case "/view": {
        const origin = request.headers.get("origin");
        if (origin !== null && !origins.includes(origin)) {
          return new Response(`Origin ${origin} is not allowed\n`, { status: 403 });
        }
        if (request.method !== "GET") {
          return new Response("Method Not Allowed\n", { status: 405, headers: { allow: "GET" } });
        }
        const params = [...url.searchParams.keys()];
        const session = url.searchParams.get("session");
        if (params.length !== 1 || session === null || !SESSION_ID.test(session)) {
          return new Response(
            "/view takes one parameter, session: 8 to 64 letters, digits or dashes\n",
            { status: 400 },
          );
        }
        return hub.open(session);
      }
      default:
        return (await files(request)) ?? new Response("Not Found", { status: 404 });
    }
  };

  async function echoSession(request: Request, url: URL, allowedOrigins: string[]) {
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
      allowedOrigins,
      clock,
    });
    if (!transport) return response;
    options.onSession?.(transport, "echo");
    const id = ++sessions;
    runEcho(transport, { delayMs, clock }).then(async (echo) => {
      const { code, initiator } = await transport.closed;
      const stats = transport.stats;
      log(
        `session ${id} ended (${code}, ${initiator}): ${echo.audioFramesIn} audio frames and ` +
          `${echo.messagesIn} messages in, ${stats.audioChunksSent} chunks out, ` +
          `${echo.interrupts} interrupts, ${echo.audioFramesDropped} audio frames dropped by ` +
          `the echo, ${stats.decodeErrors} undecodable messages`,
      );
    }, (error) => log(`session ${id} failed: ${String(error)}`));
    return response;
  }
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

/**
 * A parrot line's query, or why it is refused. The wideband line takes `session` and
 * `playout_delay_ms`; the phone line none (as Twilio's `<Stream url>` takes none: the session
 * comes in `start.customParameters`).
 */
function parseLineQuery(
  params: URLSearchParams,
  line: "wideband" | "phone",
): { session: string | undefined; playoutDelayMs: number } | string {
  const known = line === "wideband" ? ["session", "playout_delay_ms"] : [];
  for (const name of params.keys()) {
    if (!known.includes(name)) {
      return `Unknown query parameter ${JSON.stringify(name)} for /${line}` +
        (line === "phone" ? " (the session goes in start.customParameters)\n" : "\n");
    }
    if (params.getAll(name).length > 1) return `${name} may be given once\n`;
  }
  const session = params.get("session") ?? undefined;
  if (session !== undefined && !SESSION_ID.test(session)) {
    return "session must be 8 to 64 letters, digits or dashes\n";
  }
  const delay = params.get("playout_delay_ms");
  if (delay !== null && (!/^\d{1,4}$/.test(delay) || Number(delay) > MAX_PLAYOUT_DELAY_MS)) {
    return `playout_delay_ms must be a whole number of milliseconds from 0 to ${MAX_PLAYOUT_DELAY_MS}, got ${
      JSON.stringify(delay)
    }\n`;
  }
  return { session, playoutDelayMs: delay === null ? 0 : Number(delay) };
}
