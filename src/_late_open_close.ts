/**
 * A close made while a socket still connects, made again should the socket open after all (Deno,
 * whose route sent the upgrade's 101 late), with a bound on the peer's answer to it. Used by the
 * session's own close (`SocketCloser`), the open bound (`SocketEvents`) and a session that could
 * not start (the adapters' `startSession`).
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { ReadyState, type WebSocketLike } from "./socket.ts";
import { terminate } from "./_terminate.ts";

/** The bound on a close made again once a socket opened late (see `closeEvenIfOpenedLater`). */
export interface LateCloseBound {
  /** The session's clock. */
  clock: Clock;
  /** How long the peer has to answer that close before its connection is dropped. */
  timeoutMs: number;
}

/**
 * Calls `socket.close(code, reason)` (`close()` with no code where `code` is `undefined`); made
 * while it is still connecting, calls it again should the socket open after all. Deno's socket,
 * closed before the route has sent the upgrade's 101, only marks itself closing and sends nothing;
 * once the 101 goes out it opens as if never closed (`readyState` OPEN): the caller got no close
 * frame (RFC 6455 §7.1.2), only Deno's keep-alive pings, and the connection stayed until the idle
 * timeout (30 s; never with 0) or the caller left. Closed again on its "open", the caller is sent
 * the close, and a caller that does not answer it within `bound.timeoutMs` has its connection
 * dropped, as `SocketCloser` drops one.
 *
 * The session itself has settled meanwhile, and the listener left on the socket holds nothing of
 * it: a code and a reason are taken, not a function. Deno keeps a socket whose caller left before
 * its late 101 for good (the upgrade goes nowhere, the socket stays CLOSING), and a function made
 * inside a session's object reaches that object through its scope (a class's arrow fields share
 * one with `this`): every such session was kept with the socket, its queues and audio included.
 */
export function closeEvenIfOpenedLater(
  socket: WebSocketLike,
  code: number | undefined,
  reason: string | undefined,
  bound: LateCloseBound,
): void {
  const close = () => code === undefined ? socket.close() : socket.close(code, reason);
  const connecting = socket.readyState === ReadyState.CONNECTING;
  close(); // a throw here is the caller's to report: nothing is armed
  if (!connecting) return;
  const openedLate = () => {
    socket.removeEventListener("open", openedLate);
    if (socket.readyState !== ReadyState.OPEN) return; // a runtime whose close held
    const answered = new AbortController();
    const onClose = () => answered.abort();
    socket.addEventListener("close", onClose);
    try {
      close();
    } catch {
      // Closing after all, or gone: the drop below ends the connection either way.
    }
    bound.clock.sleep(bound.timeoutMs, answered.signal).then(() => {
      socket.removeEventListener("close", onClose);
      try {
        terminate(socket);
      } catch {
        // Gone either way.
      }
    }, () => socket.removeEventListener("close", onClose));
  };
  socket.addEventListener("open", openedLate);
}
