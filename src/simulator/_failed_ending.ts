/**
 * Which endings are a call's failure: the CLI's exit status and the aggregate's list of reasons
 * ask the same question, and must not answer it apart.
 *
 * @module
 */

import type { CallEnding } from "./report.ts";

/**
 * Close codes that say the closing side failed (RFC 6455 §7.4.1: protocol error, unacceptable or
 * inconsistent data, policy violation, too big, missing extension, internal error, TLS; and the
 * IANA registry's server failures, RFC 6455 §11.7: service restart, try again later, bad
 * gateway): a bot that closes with one has not passed, though it closed the socket itself. A bot
 * restarting mid-call (1012) or too loaded to take it (1013) failed its caller as one that crashed.
 */
const ERROR_CLOSE_CODES = new Set([
  1002,
  1003,
  1007,
  1008,
  1009,
  1010,
  1011,
  1012,
  1013,
  1014,
  1015,
]);

/**
 * Whether the call failed by how it ended: it could not connect (`error`), the connection
 * dropped (`network`), the bot closed with an error code, or the call was ended within the
 * protocol as a failure (`failed`: a Genesys `disconnect` with reason `error` or `unauthorized`).
 * Violations are a failure too, counted apart.
 */
export function failedEnding(ended: CallEnding): boolean {
  return ended.failed === true || ended.by === "error" || ended.by === "network" ||
    ended.by === "bot" && ERROR_CLOSE_CODES.has(ended.code ?? 1000);
}
