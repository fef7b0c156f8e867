/**
 * Answering a peer's close frame where the runtime leaves it unanswered.
 *
 * @module
 */

import { capCloseReason } from "../_close_reason.ts";

/** What answering a close needs of a socket: its state and `close()`. */
export interface ClosableSocket {
  readonly readyState: number;
  close(code?: number, reason?: string): void;
}

/**
 * Before compatibility date 2026-04-07 (`web_socket_auto_reply_to_close`) workerd does not answer
 * a peer's close frame: the socket stays CLOSING, the client waits out its own timeout, and
 * workerd cancels the request as hung. Answer it, with a code a close frame may carry: "no code"
 * (1005) and other reserved codes become 1000. A socket already closed (every other runtime, and
 * workerd from that date) is left alone.
 */
export function answerClose(socket: ClosableSocket, event: Event): void {
  if (socket.readyState !== 2) return; // already answered, by the runtime or by our own close
  const { code = 1005, reason = "" } = event as Event & { code?: number; reason?: string };
  const sendable = code === 1000 || (code >= 1001 && code <= 1014 && code !== 1004 &&
    code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999);
  try {
    socket.close(sendable ? code : 1000, capCloseReason(reason));
  } catch {
    // Closed between the check and the call (our own close crossed the peer's): nothing to answer.
  }
}
