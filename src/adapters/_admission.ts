/**
 * The checks every adapter makes before it accepts a WebSocket: are the options sound, is this an
 * upgrade at all, is its origin allowed, does the application let it in. Web standards only,
 * shared by all runtimes. The adapters hand their whole options object on to the transport,
 * which reads only its own.
 *
 * @module
 */

import { type Clock, systemClock } from "../clock.ts";
import { settleLater } from "../_settle_later.ts";
import type { WebSocketTransport } from "../transport.ts";
import { resolveTransportOptions, type TransportOptions } from "../transport_options.ts";
import { checkShutdownOptions, refusedForShutdown, type ShutdownOptions } from "./_shutdown.ts";

/** What an adapter's `upgrade` returns: the session, or why there is none. */
export interface UpgradeResult {
  /**
   * The session, or `null` when the request was refused (see `response`) or the session could
   * not start after the upgrade (a `serializer` function that threw: closed with 1011, logged).
   */
  transport: WebSocketTransport | null;
  /** The response to return from the handler: the 101 upgrade, or the refusal. */
  response: Response;
}

/** Options every adapter takes for refusing a request before any upgrade. */
export interface AdmissionOptions {
  /**
   * Origins (`"https://app.example.com"`) whose browsers may connect; others get 403. Requests
   * with no `Origin` header (servers, telephony providers) are not browsers and pass this check:
   * use `authorize` to vet them. Each is compared whole with the browser's `Origin`: an http(s)
   * one written otherwise (a path or trailing slash, capitals, the default port) throws a
   * `RangeError` naming the origin meant.
   */
  allowedOrigins?: readonly string[];
  /**
   * Decides, before anything is accepted, whether the request may open a session: `true` lets it
   * in, `false` refuses it with 401, a `Response` refuses it with that response. An answer that is
   * awaited is waited for no longer once the client hangs up (where the runtime aborts the
   * request's `signal` then: Deno, Bun; refused with 400, never upgraded) or `shutdownSignal`
   * aborts (503).
   */
  authorize?: (request: Request) => boolean | Response | Promise<boolean | Response>;
  /**
   * How long `authorize` may take (a lookup that hangs must not hold the request, or a Durable
   * Object's call, for good): past it the request is refused with 503.
   *
   * @default {10000}
   */
  authorizeTimeoutMs?: number;
}

/**
 * A `Host` value: `uri-host [ ":" port ]` (RFC 9110, 7.2), the host an IP literal, an IPv4
 * address or a registered name (RFC 3986, 3.2.2: unreserved, %-escapes, sub-delims). No
 * userinfo (`user@`), path, query or space; no empty host (`:80`: an http URI's host is never
 * empty, RFC 9110, 4.2.1) and no `%` that is no escape (`%zz`), which Deno's server put in
 * `request.url` as they came, a URL no `new URL` takes. Bracketed, only IPv6 addresses: a
 * zone (`[fe80::1%25eth0]`, RFC 6874) or an IPvFuture is no host to the URL standard either,
 * so Node's adapter, which parses it, refused it (400) all along. The port is checked below.
 */
const HOST =
  /^(?:\[[0-9A-Fa-f.:]+\]|(?:[-0-9A-Za-z._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::([0-9]*))?$/;

/** The highest TCP port: a `Host` naming one past it names no port (Node's `new URL` fails). */
const MAX_PORT = 65_535;

/** Whether `host`, a `Host` header's value, is a host and an optional port (see `HOST`). */
function isHost(host: string): boolean {
  // Empty: the target has no authority, and the server uses its own name (RFC 9112, 3.3).
  if (host === "") return true;
  const match = HOST.exec(host);
  if (match === null || Number(match[1] ?? 0) > MAX_PORT) return false;
  // The pattern lets any hex digits, dots and colons through in brackets (`[abc]`, `[1.2.3.4]`):
  // the URL parser, which every runtime has, tells an IPv6 address from them.
  return !host.startsWith("[") || URL.canParse(`http://${host.slice(0, host.indexOf("]") + 1)}/`);
}

/** A `Sec-WebSocket-Key`: 16 bytes in base64 (RFC 6455, 4.1, item 7). */
const WEBSOCKET_KEY = /^[+/0-9A-Za-z]{22}==$/;

/**
 * Returns the response that refuses `request`, or `null` when it may be upgraded. Non-upgrade
 * requests get 426 (with `Upgrade: websocket`), other methods and a request with a body 405
 * (with `Allow: GET`), a missing or malformed `Sec-WebSocket-Key` 400 and a
 * `Sec-WebSocket-Version` other than 13 426 (with the version we speak), as RFC 6455 (4.2.1,
 * 4.2.2) asks: each runtime checks these differently (Deno accepts any key; `ws`, under Hono on
 * Node, refuses after the route has answered and keeps the request; workerd hands a Worker a
 * POST upgrade as a GET), so every adapter answers alike. A `Host` that is no host (with
 * userinfo: `user@example.com`) gets 400, as RFC 9112 (3.2) has a server answer an invalid one:
 * the runtimes take it as the bare host (Node's `new URL`, …), so `authorize` and the app would
 * see a host the request did not name. Once the `shutdownSignal` has aborted, 503, also while
 * `authorize` is awaited; a client that hangs up then, 400 (see `AdmissionOptions.authorize`).
 * Throws a `RangeError` or `TypeError` for a bad option first, before anything is upgraded.
 */
export async function admit(
  request: Request,
  options: AdmissionOptions & TransportOptions & ShutdownOptions,
): Promise<Response | null> {
  resolveTransportOptions(options);
  const timeoutMs = checkAdmissionOptions(options);
  checkShutdownOptions(options);
  const host = request.headers.get("host");
  if (host !== null && !isHost(host)) {
    return new Response("Bad Host header: a host and an optional port, nothing else", {
      status: 400,
    });
  }
  const shuttingDown = refusedForShutdown(options);
  if (shuttingDown !== null) return shuttingDown;
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("Expected a WebSocket upgrade", {
      status: 426,
      headers: { upgrade: "websocket", connection: "Upgrade" },
    });
  }
  if (request.method !== "GET") return wrongMethod(request.method);
  // A handshake carries no body (what follows its headers would be read as frames). workerd hands
  // a Worker a POST or PUT upgrade as a GET, keeping its body, and fails the 101 itself (a 500):
  // its length is all that tells it. Read from the header, not `request.body`: workerd gives a
  // GET that says `Content-Length: 0` an (empty) body stream, and Node's adapter builds its
  // request from the headers alone. A chunked one says so in `Transfer-Encoding` (Node's server
  // hands its body on as the upgrade's first bytes, read as frames); a bodyless one is not to be
  // told apart.
  if (declaresBody(request.headers)) return withBody();
  const key = request.headers.get("sec-websocket-key");
  if (!key) return new Response("Missing Sec-WebSocket-Key", { status: 400 });
  if (!WEBSOCKET_KEY.test(key)) {
    return new Response("Sec-WebSocket-Key is not 16 bytes in base64", { status: 400 });
  }
  if (request.headers.get("sec-websocket-version") !== "13") {
    return new Response("Unsupported Sec-WebSocket-Version: this server speaks 13", {
      status: 426,
      headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13" },
    });
  }
  const origin = request.headers.get("origin");
  if (
    origin !== null && options.allowedOrigins !== undefined &&
    !options.allowedOrigins.includes(origin)
  ) {
    return new Response(`Origin ${origin} is not allowed`, { status: 403 });
  }
  if (options.authorize !== undefined) {
    let verdict: boolean | Response | typeof TIMED_OUT | typeof STOPPED;
    try {
      verdict = await bounded(
        options.authorize(request),
        timeoutMs,
        options.clock ?? systemClock,
        // The caller gone, or the server shutting down: nothing is to wait for the answer then.
        () => [request.signal as AbortSignal | undefined, options.shutdownSignal],
      );
    } catch (error) {
      // A hook that throws has not said yes: refuse, and do not leak its error to the client;
      // the server's log says why (a database down would otherwise refuse every call unseen).
      console.error("authorize threw, the request is refused (401):", error);
      return new Response("Unauthorized", { status: 401 });
    }
    if (verdict === TIMED_OUT) {
      return new Response("Authorization did not finish in time", { status: 503 });
    }
    if (verdict === STOPPED) {
      // Upgraded all the same, Deno kept the connection of a caller gone meanwhile for good: its
      // socket never opened, and `server.shutdown()` waited on it. Nobody reads this refusal.
      return refusedForShutdown(options) ??
        new Response("The client left before it was admitted", { status: 400 });
    }
    if (verdict instanceof Response) return verdict;
    if (verdict !== true) return new Response("Unauthorized", { status: 401 });
  }
  // The shutdown may have begun while `authorize` ran: no session is to start after it.
  return refusedForShutdown(options);
}

/**
 * Whether the request says it carries a body: a `Content-Length` over 0, or any
 * `Transfer-Encoding` (RFC 9112, 6.1: a request with one has a body, framed by it; 6.3 has it win
 * over `Content-Length`).
 */
function declaresBody(headers: Headers): boolean {
  if (headers.has("transfer-encoding")) return true;
  const length = headers.get("content-length");
  return length !== null && length.trim() !== "0";
}

/** The refusal of an upgrade request that carries a body: a GET has none (RFC 6455, 4.1). */
function withBody(): Response {
  return new Response("WebSocket upgrades use GET, with no body: this request has one", {
    status: 405,
    headers: { allow: "GET" },
  });
}

/** The refusal of an upgrade asked for with `method`, not GET (RFC 6455, 4.1). */
export function wrongMethod(method: string): Response {
  return new Response(`WebSocket upgrades use GET, not ${method}`, {
    status: 405,
    headers: { allow: "GET" },
  });
}

/**
 * Checks the admission options and returns `authorizeTimeoutMs`: a `RangeError` for a timeout that
 * is not a finite number of milliseconds or an http(s) origin written otherwise than browsers send
 * it, a `TypeError` for `allowedOrigins` that is not an array of strings or an `authorize` that is
 * not a function (adapters whose options serve many sessions call it where they are made).
 */
export function checkAdmissionOptions(options: AdmissionOptions): number {
  // Plain JavaScript has no type checker: a string's `includes` would match any part of it
  // (`"https://voice.acme.com"` letting `https://voice.acme.co` in), and an `authorize` that is
  // no function would refuse every call.
  const origins = options.allowedOrigins as unknown;
  if (
    origins !== undefined &&
    !(Array.isArray(origins) && origins.every((origin) => typeof origin === "string"))
  ) {
    throw new TypeError(
      `allowedOrigins must be an array of origins, got ${JSON.stringify(origins)}`,
    );
  }
  for (const origin of options.allowedOrigins ?? []) checkWebOrigin(origin);
  if (options.authorize !== undefined && typeof options.authorize !== "function") {
    throw new TypeError(`authorize must be a function, got ${typeof options.authorize}`);
  }
  const timeoutMs = options.authorizeTimeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`authorizeTimeoutMs must be a number of milliseconds, got ${timeoutMs}`);
  }
  return timeoutMs;
}

/**
 * Throws a `RangeError` for an http(s) entry of `allowedOrigins` that no browser's `Origin` can
 * equal, as it is compared whole: a browser sends scheme, host and a port other than the
 * default, lower-case, no path (`https://app.example.com`), so `https://app.example.com/`,
 * `https://App.example.com` or `https://app.example.com:443` refused every browser (403), unseen.
 * Other entries (`null`, other schemes) are taken as they are.
 */
function checkWebOrigin(entry: string): void {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return;
  }
  if ((url.protocol === "http:" || url.protocol === "https:") && url.origin !== entry) {
    throw new RangeError(
      `allowedOrigins entry ${JSON.stringify(entry)} is no origin a browser sends: ` +
        `its page's origin reads ${JSON.stringify(url.origin)}`,
    );
  }
}

const TIMED_OUT: unique symbol = Symbol("timed out");
const STOPPED: unique symbol = Symbol("stopped");

/**
 * `verdict`, or `TIMED_OUT` once `timeoutMs` has passed first, or `STOPPED` once one of the
 * signals `stops` gives has aborted first: the request's (the client hung up: Deno's, Bun's and
 * Hono's servers abort it then; a `Request` made by hand, as Node's adapter makes one, never
 * aborts) or the server's shutdown, which a slow `authorize` would otherwise hold for up to
 * `authorizeTimeoutMs`. No timer or listener is left either way.
 */
async function bounded<T>(
  verdict: T | Promise<T>,
  timeoutMs: number,
  clock: Clock,
  stops: () => (AbortSignal | undefined)[],
): Promise<T | typeof TIMED_OUT | typeof STOPPED> {
  // A thenable from another realm or library is bounded too.
  if (typeof (verdict as PromiseLike<T> | undefined)?.then !== "function") return verdict as T;
  // Read only for an answer that is awaited, but before the wait: Deno makes a request's signal
  // when it is first read, one made after the caller left never aborts, and the first read
  // prints Deno's notice about the signal's "legacy behavior" once per process.
  const signals = stops().filter((signal) => signal !== undefined);
  const done = new AbortController();
  const timeout = clock.sleep(timeoutMs, done.signal).then(
    (): typeof TIMED_OUT => TIMED_OUT,
    (): typeof TIMED_OUT => TIMED_OUT,
  );
  const stopped = settleLater<typeof STOPPED>();
  const stop = () => stopped.resolve(STOPPED);
  for (const signal of signals) {
    if (signal.aborted) stop();
    else signal.addEventListener("abort", stop);
  }
  try {
    return await Promise.race([verdict, timeout, stopped.promise]);
  } finally {
    done.abort();
    for (const signal of signals) signal.removeEventListener("abort", stop);
  }
}
