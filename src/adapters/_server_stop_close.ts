/**
 * The close a runtime makes itself when its server stops: Bun's `server.stop(true)` closes every
 * open socket with 1001 "Server closed" and reports it to the socket's `close` handler as though
 * the peer had sent it. The session is to end as this side's (the runtime closed it on the
 * server's behalf), with the code the peer was sent.
 *
 * @module
 */

/** Bun's server, as far as telling whether it still listens goes. */
export interface ListeningServer {
  /** The port it listens on: 0 once `stop()` was called (Bun 1.4.5). */
  readonly port?: number | undefined;
}

/** What `server.stop(true)` closes each open socket with (Bun 1.4.5). */
const BUN_STOP = { code: 1001, reason: "Server closed" } as const;

/**
 * Whether a close Bun reported is the one its `server.stop(true)` made: Bun's code and words, and
 * the server no longer listening. The words alone are not enough: a proxy in front, stopping,
 * sends the same 1001 "Server closed", and that close is the peer's.
 */
export function closedByServerStop(
  server: ListeningServer | undefined,
  code: number,
  reason: string,
): boolean {
  return code === BUN_STOP.code && reason === BUN_STOP.reason && server?.port === 0;
}
