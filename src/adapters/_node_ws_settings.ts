/**
 * `ws`'s `handleUpgrade` with some of its server's settings replaced for the one socket it makes:
 * the Node adapter's message limit (`maxPayload`) and subprotocol choice (`handleProtocols`) for
 * its own upgrades, the server's own for every other upgrade on the same server.
 *
 * `ws` has no per-socket settings: it reads its server's `options` as it completes the upgrade.
 * That happens inside `handleUpgrade`, or, where the server has an asynchronous `verifyClient`
 * (one taking a callback), inside that callback, a turn or more later. The settings are therefore
 * replaced only for the synchronous stretches in which `ws` reads them, and put back at once.
 *
 * @module
 */

/** What is used of a `ws` (version 8) `WebSocketServer`'s settings. */
export interface WsServerSettings {
  /** The largest message `ws` reads (0 or missing: `ws`'s default, 100 MiB). */
  maxPayload?: number | undefined;
  /**
   * Picks the subprotocol to answer from the set a client offered (`false`: none); missing or
   * null, `ws` answers the first one offered.
   */
  handleProtocols?: unknown;
  /** The server's own admission check: `(info)` answers at once, `(info, done)` calls back. */
  verifyClient?: unknown;
}

/** The settings one upgrade holds in place of its server's own. */
export type HeldWsSettings = Pick<WsServerSettings, "maxPayload" | "handleProtocols">;

/**
 * Runs `upgrade` (which calls `handleUpgrade`) with `held` in `settings` while `ws` completes the
 * handshake, the server's own values put back after each stretch.
 */
export function withUpgradeSettings(
  settings: WsServerSettings | undefined,
  held: HeldWsSettings,
  upgrade: () => void,
): void {
  if (settings === undefined) return upgrade();
  const own = settings as Record<string, unknown>;
  const keys = Object.keys(held);
  const hold = <T>(run: () => T): T => {
    // Read at each stretch, not once: the server's own may have changed in between, and a
    // `done` called at once, inside the first stretch, finds the held values there.
    const saved = keys.map((key) => ({ key, had: Object.hasOwn(own, key), value: own[key] }));
    Object.assign(own, held);
    try {
      return run();
    } finally {
      for (const { key, had, value } of saved) {
        if (had) own[key] = value;
        else delete own[key];
      }
    }
  };
  const verify = settings.verifyClient;
  // `ws` tells the two forms apart by their declared parameters, and reads the setting when it
  // calls `handleUpgrade`: the wrapper stands in for this call only, with two parameters as well.
  if (typeof verify !== "function" || verify.length !== 2) return hold(upgrade);
  settings.verifyClient = (info: unknown, done: (...answer: unknown[]) => void) =>
    verify.call(settings, info, (...answer: unknown[]) => hold(() => done(...answer)));
  try {
    hold(upgrade);
  } finally {
    settings.verifyClient = verify;
  }
}
