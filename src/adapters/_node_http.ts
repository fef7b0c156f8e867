/**
 * The HTTP side of the Node adapter: a `node:http` upgrade request as a standard `Request` (for
 * `authorize`), and a refusal written as a raw HTTP/1.1 reply on the connection.
 *
 * @module
 */

// The standard reason phrases; `node:http` is there wherever this adapter runs (Node, Deno, Bun).
import { STATUS_CODES } from "node:http";
import type { Clock } from "../clock.ts";

/** The `IncomingMessage` of an `upgrade` event, structurally. */
export interface NodeIncomingMessage {
  /** The request target: path and query. */
  readonly url?: string | undefined;
  /** The request method. */
  readonly method?: string | undefined;
  /** Header values by lower-case name. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * The connection: a `TLSSocket` (`encrypted` true) where the server is `node:https`. Typed
   * `unknown`: a type of optional fields alone has nothing in common with `net.Socket`'s.
   */
  readonly socket?: unknown;
}

/** The raw TCP (or TLS) socket of an `upgrade` event, structurally. */
export interface NodeDuplex {
  /** Writes bytes (the refusal response). */
  write(data: string): unknown;
  /** Flushes and half-closes (sends FIN); `finished` is called once everything is written. */
  end(finished?: () => void): unknown;
  /** Closes at once. */
  destroy(): unknown;
  /** Adds a listener (`"error"`: a reset connection). */
  on(event: "error", listener: (error: Error) => void): unknown;
  /** Removes a listener. */
  off(event: "error", listener: (error: Error) => void): unknown;
}

/** The upgrade request as a standard `Request`, its URL resolved against `Host` or `baseUrl`. */
export function toRequest(message: NodeIncomingMessage, baseUrl: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) { for (const v of value) headers.append(name, v); }
    else headers.set(name, value);
  }
  const host = headers.get("host");
  // Over TLS (`node:https`) the request's URL is https, as Deno's server gives it.
  const socket = message.socket as { encrypted?: unknown } | null | undefined;
  const scheme = socket?.encrypted === true ? "https" : "http";
  const base = new URL(host ? `${scheme}://${host}` : baseUrl);
  const target = message.url ?? "/";
  // A target that is a path (RFC 9112, 3.2.1: origin-form) is that path under Host, even one
  // that begins with "//", which resolved as a relative URL read as a host: `authorize` saw
  // `GET //evil.example/ws` as http://evil.example/ws, neither the Host nor the path the request
  // names (Deno's server gives the path as it is). Others (a proxy's absolute-form) are resolved
  // as they are.
  const url = target.startsWith("/")
    ? new URL(`${base.protocol}//${base.host}${target}`)
    : new URL(target, base);
  return new Request(url, { method: message.method ?? "GET", headers });
}

/**
 * How long a refusal's body may take to read, and the client to take the refusal
 * (`authorizeTimeoutMs`), on the session's clock.
 */
export interface BodyBound {
  /** Milliseconds the body may take. */
  readonly timeoutMs: number;
  /** The clock they pass on (the options' `clock`). */
  readonly clock: Clock;
}

/**
 * The fields a refusal does not copy from its response: how the reply is framed and carried is
 * the adapter's (one `content-length`, `connection: close`). A response `authorize` handed back
 * from an upstream (`fetch`) keeps that upstream's connection-specific fields (RFC 9110, 7.6.1:
 * `Keep-Alive`, `Transfer-Encoding`, …): a `Transfer-Encoding` beside our `content-length` made
 * the reply no valid message (RFC 9112, 6.1), which clients refuse or read as chunks. Its
 * `Content-Encoding` goes too: `fetch` hands the content over decoded, and it is written as read.
 * `Upgrade` stays: a 426 names the protocol to upgrade to with it (RFC 9110, 15.5.22).
 */
const FRAMING_FIELDS = new Set([
  "connection",
  "content-encoding",
  "content-length",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
]);

/**
 * Writes `response` as a raw HTTP/1.1 reply on the connection the upgrade asked for, then closes
 * the connection once the reply is written, or once `bound` has passed while the client does not
 * take it. A body not read within `bound` is left out; so is every body when the request's
 * `method` is HEAD (its length told all the same).
 * The reason phrase is the response's `statusText`, or else the status's standard one: `admit`'s
 * refusals and most of `authorize`'s (`new Response(null, { status: 503 })`) carry none. A status
 * Node knows no phrase for gets Node's own fallback, "unknown", as `ServerResponse.writeHead`
 * writes it, so a refusal reads like any other reply of the same server.
 */
export async function refuse(
  socket: NodeDuplex,
  response: Response,
  bound: BodyBound,
  method?: string,
): Promise<void> {
  let body = "";
  try {
    body = await readWithin(response, bound);
  } catch (error) {
    // `authorize`'s own response, its body streamed from elsewhere, failed midway or never ended:
    // refuse without it. Thrown on, it would reject the `upgrade` listener's promise and end the
    // process; awaited for good, it would hold the connection and that promise.
    console.error("the refusal's body could not be read; it is sent without one:", error);
  }
  const reason = response.statusText || STATUS_CODES[response.status] || "unknown";
  let head = `HTTP/1.1 ${response.status} ${reason}\r\n`;
  response.headers.forEach((value, name) => {
    if (!FRAMING_FIELDS.has(name)) head += `${name}: ${value}\r\n`;
  });
  head += `connection: close\r\ncontent-length: ${new TextEncoder().encode(body).length}\r\n\r\n`;
  try {
    // A reply to HEAD ends with its header section, its length that of the GET's (RFC 9110,
    // 9.3.2 and 8.6): a body after it would be read as the start of a next response.
    socket.write(method === "HEAD" ? head : head + body);
    // `end()` only half-closes, and a `node:http` server's connections stay open half-closed: a
    // client that read the refusal and never hangs up would hold its connection for good. One
    // that stops reading never lets a refusal larger than the buffers finish: it gets `bound`.
    const written = new AbortController();
    bound.clock.sleep(bound.timeoutMs, written.signal).then(() => void socket.destroy(), () => {});
    socket.end(() => {
      written.abort();
      socket.destroy();
    });
  } catch {
    // The client already hung up: nothing left to tell it.
    socket.destroy();
  }
}

/**
 * The body of `response` as text, or a rejection once `bound` has passed first: the body is then
 * cancelled, letting go of what streams it (an upstream's connection).
 */
async function readWithin(response: Response, bound: BodyBound): Promise<string> {
  if (response.body === null) return "";
  const giveUp = new AbortController();
  const read = new AbortController();
  void bound.clock.sleep(bound.timeoutMs, read.signal).then(
    () => giveUp.abort(new Error(`the body did not end within ${bound.timeoutMs} ms`)),
    () => {}, // read in time
  );
  try {
    // An aborted pipe cancels its source and fails what reads from it.
    const piped = response.body.pipeThrough(new TransformStream(), { signal: giveUp.signal });
    return await new Response(piped).text();
  } finally {
    read.abort();
  }
}
