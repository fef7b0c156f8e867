/**
 * Dropping a runtime's socket at once: the transport does it when a peer never answered the
 * closing handshake, through the socket's `WebSocketLike.terminate` where it has one, else, for a
 * Deno `WebSocket` (one from bare `Deno.upgradeWebSocket`, the README's detection recipe's), as
 * the Deno adapter does.
 *
 * @module
 */

/** Deno's runtime internals, as far as they are used here. */
interface DenoInternals {
  core?: { tryClose?(rid: number): void };
}

/**
 * Drops the connection under a runtime's own socket without a closing handshake: its
 * `terminate()` where it has one (`ws`, Bun), else Deno's resource close. Returns whether it could.
 */
export function terminate(socket: unknown): boolean {
  const raw = socket as { terminate?: () => void };
  if (typeof raw.terminate !== "function") return dropDenoSocket(socket);
  raw.terminate();
  return true;
}

/**
 * Drops a Deno WebSocket's connection (a server's, or a client's whose peer never answers the
 * close: the caller simulator's). Deno has no public way to: once `close()` has been called a
 * server socket's `idleTimeout` stops pinging, and the connection stays open until the peer sends
 * something. Deno's own idle-timeout path ends with the resource close used here; without those
 * internals (another Deno, Deno Deploy) this does nothing and returns `false`. A peer that has
 * stopped reading holds the connection even then: Deno's pending writes keep it open.
 */
export function dropDenoSocket(socket: unknown): boolean {
  const deno = (globalThis as { Deno?: Record<symbol, unknown> & { internal?: symbol } }).Deno;
  const core = deno?.internal && (deno[deno.internal] as DenoInternals | undefined)?.core;
  if (typeof core?.tryClose !== "function" || typeof socket !== "object" || socket === null) {
    return false;
  }
  const ridKey = Object.getOwnPropertySymbols(socket).find((s) => s.description === "[[rid]]");
  const rid = ridKey && (socket as Record<symbol, unknown>)[ridKey];
  if (typeof rid !== "number") return false;
  core.tryClose(rid);
  return true;
}
