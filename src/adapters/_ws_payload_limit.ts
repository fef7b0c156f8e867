/**
 * `ws`'s `handleUpgrade` with the server's `maxPayload` lowered for the one socket it makes, so
 * that `ws` refuses a message over the transport's `maxMessageBytes` from its frame header rather
 * than reading it whole first.
 *
 * `ws` has no per-socket limit: it reads its server's `options.maxPayload` as it completes the
 * upgrade. That happens inside `handleUpgrade`, or, where the server has an asynchronous
 * `verifyClient` (one taking a callback), inside that callback, a turn or more later. The limit is
 * therefore lowered only for the synchronous stretch in which `ws` reads it, and put back at once,
 * so that other upgrades on the same server keep the server's own.
 *
 * @module
 */

/** What is used of a `ws` (version 8) `WebSocketServer`'s settings. */
export interface WsServerSettings {
  /** The largest message `ws` reads (0 or missing: `ws`'s default, 100 MiB). */
  maxPayload?: number | undefined;
  /** The server's own admission check: `(info)` answers at once, `(info, done)` calls back. */
  verifyClient?: unknown;
}

/**
 * Runs `upgrade` (which calls `handleUpgrade`) with `settings.maxPayload` at most `limit` while
 * `ws` completes the handshake; the server's own value, when lower, stays.
 */
export function withPayloadLimit(
  settings: WsServerSettings | undefined,
  limit: number,
  upgrade: () => void,
): void {
  if (settings === undefined) return upgrade();
  const own = settings.maxPayload;
  const lowered = own !== undefined && own > 0 && own <= limit ? own : limit;
  const lower = <T>(run: () => T): T => {
    settings.maxPayload = lowered;
    try {
      return run();
    } finally {
      settings.maxPayload = own;
    }
  };
  const verify = settings.verifyClient;
  // `ws` tells the two forms apart by their declared parameters, and reads the setting when it
  // calls `handleUpgrade`: the wrapper stands in for this call only, with two parameters as well.
  if (typeof verify !== "function" || verify.length !== 2) return lower(upgrade);
  settings.verifyClient = (info: unknown, done: (...answer: unknown[]) => void) =>
    verify.call(settings, info, (...answer: unknown[]) => lower(() => done(...answer)));
  try {
    lower(upgrade);
  } finally {
    settings.verifyClient = verify;
  }
}
