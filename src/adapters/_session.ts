/**
 * Running an application's session callback (Hono's, Node's `onSession`, the Durable Object's)
 * so that an exception in it ends that session, never the server and never by hanging.
 *
 * @module
 */

import { type Clock, systemClock } from "../clock.ts";
import { TransportError } from "../errors.ts";
import { reportError } from "../_guarded_listeners.ts";
import { ReadyState, type WebSocketLike } from "../socket.ts";
import { WebSocketTransport } from "../transport.ts";
import { resolveTransportOptions, type TransportOptions } from "../transport_options.ts";
import { thrownText } from "../_thrown_text.ts";
import { closeEvenIfOpenedLater } from "../_late_open_close.ts";
import { EventSocket } from "./_event_socket.ts";
import { followShutdown, type ShutdownOptions } from "./_shutdown.ts";

/** The reason the socket of a session that could not start is closed with (code 1011). */
const SESSION_FAILED = "session failed";

/**
 * Makes the session's transport on a socket the adapter has already accepted, or, when that
 * throws (a `serializer` function that failed, a serializer that serves or served another
 * session: options given per request holding one instance fail from the second call), logs the
 * failure, closes the socket with 1011 (dropped if the peer has not answered in `closeTimeoutMs`)
 * and returns `null`: it ends that session, never the server.
 * A session made is ended by the options' `shutdownSignal` (see `ShutdownOptions`).
 */
export function startSession(
  socket: WebSocketLike,
  options: TransportOptions & ShutdownOptions,
): WebSocketTransport | null {
  let transport: WebSocketTransport;
  try {
    transport = new WebSocketTransport(socket, options);
  } catch (cause) {
    const message = `the session could not start: ${thrownText(cause)}`;
    console.error(new TransportError("application", message, { cause, closeCode: 1011 }));
    const bounds = sessionBounds(options);
    const close = () => closeBounded(socket, bounds);
    // Deno's socket is still connecting while the upgrade's response is being answered, and a
    // close then is lost: close it once it opens.
    if (socket.readyState === ReadyState.CONNECTING) closeOnceOpen(socket, bounds, close);
    else close();
    return null;
  }
  followShutdown(transport, options);
  // A close the runtime made itself (its server stopping) is this side's: `close` on a socket
  // already closed settles the session at once, with that code, before the "close" is heard.
  if (socket instanceof EventSocket) {
    socket.onClosedHere = (code, reason) => void transport.close(code, reason);
  }
  return transport;
}

/**
 * Calls `close` once `socket` opens. A caller gone meanwhile can leave it connecting for ever, no
 * event to come (see `openTimeoutMs`): past that bound it is dropped, as a transport drops one.
 */
function closeOnceOpen(socket: WebSocketLike, bounds: SessionBounds, close: () => void) {
  const settled = new AbortController();
  const opened = () => {
    settled.abort();
    close();
  };
  socket.addEventListener("open", opened);
  settled.signal.addEventListener("abort", () => socket.removeEventListener("open", opened));
  const { clock, openTimeoutMs: timeoutMs } = bounds;
  clock.sleep(timeoutMs, settled.signal).then(() => {
    settled.abort();
    try {
      socket.terminate?.();
      // A late 101 (Deno) opens it all the same: closed again then, as `close` would have.
      const bound = { clock, timeoutMs };
      if (socket.readyState !== ReadyState.CONNECTING) return;
      closeEvenIfOpenedLater(socket, 1011, SESSION_FAILED, bound);
    } catch {
      // Gone either way.
    }
  }, () => {/* opened in time */});
}

/**
 * Closes the socket of a session that could not start with 1011, and drops its connection
 * (`terminate`, where the runtime has one) if the peer has not answered within `closeTimeoutMs`,
 * as a transport's own close does (`SocketCloser`): no transport is there to, and the runtime's
 * own bound is far longer (`ws` waits 30 s; a silent peer held the connection that long).
 */
function closeBounded(socket: WebSocketLike, { clock, closeTimeoutMs }: SessionBounds): void {
  try {
    socket.close(1011, SESSION_FAILED);
  } catch {
    // Already closing: it goes either way, and the bound below still ends it.
  }
  if (socket.readyState === ReadyState.CLOSED) return;
  const answered = new AbortController();
  const onClose = () => answered.abort();
  socket.addEventListener("close", onClose);
  clock.sleep(closeTimeoutMs, answered.signal).then(() => {
    try {
      socket.terminate?.();
    } catch {
      // Gone either way.
    }
  }, () => {/* answered in time */}).finally(() => socket.removeEventListener("close", onClose));
}

/** The bounds a session that could not start is closed within. */
interface SessionBounds {
  clock: Clock;
  openTimeoutMs: number;
  closeTimeoutMs: number;
}

/** The session's clock and bounds, or the defaults where the options are what failed. */
function sessionBounds(options: TransportOptions): SessionBounds {
  try {
    const { openTimeoutMs, closeTimeoutMs } = resolveTransportOptions(options); // the clock too
    return { clock: options.clock ?? systemClock, openTimeoutMs, closeTimeoutMs };
  } catch {
    const { openTimeoutMs, closeTimeoutMs } = resolveTransportOptions({});
    return { clock: systemClock, openTimeoutMs, closeTimeoutMs };
  }
}

/**
 * Calls `run` and watches what it returns. If it throws, or its promise rejects, the failure is
 * reported as a fatal "error" event on `transport` and logged with `console.error` (a callback
 * that threw at once has had no chance to listen, and an error must never vanish), and the
 * session is closed with 1011. The caller answers the upgrade either way.
 */
export function runSession(transport: WebSocketTransport, run: () => unknown): void {
  let running: unknown;
  try {
    running = run();
  } catch (cause) {
    return fail(transport, cause);
  }
  if (running instanceof Promise) running.catch((cause) => fail(transport, cause));
}

function fail(transport: WebSocketTransport, cause: unknown): void {
  const error = new TransportError(
    "application",
    `the session callback failed: ${thrownText(cause)}`,
    {
      cause,
      closeCode: 1011,
      fatal: true,
    },
  );
  console.error(error);
  reportError(transport, error); // held for the first "error" listener, as the transport's own
  void transport.close(1011, "session failed");
}
