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
 * Whether a close frame may carry `code` (RFC 6455 §7.4): 1000–1003, 1007–1014 and 3000–4999.
 * 1004, 1005, 1006 and 1015 are reserved, and anything else is no close code at all.
 */
export function closeFrameMayCarry(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

/**
 * Before compatibility date 2026-04-07 (`web_socket_auto_reply_to_close`) workerd does not answer
 * a peer's close frame: the socket stays CLOSING, the client waits out its own timeout, and
 * workerd cancels the request as hung. Answer it, with a code a close frame may carry: the peer's
 * own, 1000 for "no code" (1005), and 1002 (a protocol error, RFC 6455 §7.4.1) for a code no close
 * frame may carry (999, 5000), which Deno and Bun fail the connection for. A socket already
 * closed (every other runtime, and workerd from that date) is left alone.
 */
export function answerClose(socket: ClosableSocket, event: Event): void {
  if (socket.readyState !== 2) return; // already answered, by the runtime or by our own close
  const { code = 1005, reason = "" } = event as Event & { code?: number; reason?: string };
  const [answer, why] = closeFrameMayCarry(code)
    ? [code, reason]
    : code === 1005
    ? [1000, reason]
    : [1002, `close code ${code} is not one a close frame may carry`];
  try {
    socket.close(answer, capCloseReason(why));
  } catch {
    // Closed between the check and the call (our own close crossed the peer's): nothing to answer.
  }
}
