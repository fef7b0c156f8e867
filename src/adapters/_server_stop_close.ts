/**
 * The close a runtime makes itself when its server stops: Bun's `server.stop(true)` closes every
 * open socket with 1001 "Server closed" and reports it to the socket's `close` handler as though
 * the peer had sent it. The session is to end as this side's (the runtime closed it on the
 * server's behalf), with the code the peer was sent.
 *
 * @module
 */

/** Bun's server, as far as telling that it has stopped goes. */
export interface StoppableServer {
  /** Stops listening; given `true`, closes every open socket too, with 1001 "Server closed". */
  stop?(closeActiveConnections?: boolean): unknown;
}

/** What `server.stop(true)` closes each open socket with (Bun 1.4.5). */
const BUN_STOP = { code: 1001, reason: "Server closed" } as const;

/** The servers whose `stop` has been called, as {@linkcode followStop} saw. */
const stopped = new WeakSet<object>();
/** The servers whose `stop` {@linkcode followStop} watches already. */
const followed = new WeakSet<object>();

/**
 * Watches `server`'s `stop`, once per server, so that {@linkcode closedByServerStop} knows it was
 * called. Nothing Bun's server exposes tells it has stopped (Bun 1.4.5: `port`, `url`, `address`
 * and `protocol` say what they said while it listened; `port` is 0 only for a server that asked
 * for port 0), and `stop(true)` calls the close handlers inside itself: so its own `stop` marks
 * it, first. A server whose `stop` cannot be wrapped (frozen) is left as it is, its stop's closes
 * told as the peer's.
 */
export function followStop(server: StoppableServer | undefined): void {
  if (typeof server !== "object" || server === null || followed.has(server)) return;
  followed.add(server);
  const stop = server.stop;
  if (typeof stop !== "function") return;
  try {
    Object.defineProperty(server, "stop", {
      configurable: true,
      writable: true,
      value: function (this: unknown, ...args: unknown[]): unknown {
        stopped.add(server);
        return Reflect.apply(stop, this, args);
      },
    });
  } catch {
    // Frozen, or a proxy that refuses it: its stop goes unseen, and its closes stay the peer's.
  }
}

/**
 * Whether a close Bun reported is the one its `server.stop(true)` made: Bun's code and words, and
 * the server's `stop` called (see {@linkcode followStop}). The words alone are not enough: a proxy
 * in front, stopping, sends the same 1001 "Server closed", and that close is the peer's.
 */
export function closedByServerStop(
  server: StoppableServer | undefined,
  code: number,
  reason: string,
): boolean {
  return code === BUN_STOP.code && reason === BUN_STOP.reason && server !== undefined &&
    stopped.has(server);
}
