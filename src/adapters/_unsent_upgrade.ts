/**
 * A Workers upgrade whose 101 is never sent: the check that finds it, and closes the socket pair
 * workerd would otherwise keep, with the request, for good. Used by the Cloudflare adapter and by
 * the Hono adapter on Workers.
 *
 * @module
 */

import type { Clock } from "../clock.ts";

/** The client end of a `WebSocketPair`: what the check of a 101 never sent reads of it. */
export interface PairClientEnd {
  accept(): void;
  close(code?: number): void;
}

/** An event target, as {@linkcode closeIfNeverServed} listens to one. */
interface Listenable {
  // deno-lint-ignore no-explicit-any
  addEventListener(type: string, listener: (event: any) => void): void;
  // deno-lint-ignore no-explicit-any
  removeEventListener(type: string, listener: (event: any) => void): void;
}

/** What {@linkcode closeIfNeverServed} is to watch, and for how long. */
export interface ServedWatch {
  /** The session's clock. */
  clock: Clock;
  /** How long the 101 may take to go out: the session's `openTimeoutMs`. */
  timeoutMs: number;
  /** The event that says the 101 went (the peer's first message), and where it comes. */
  servedBy: { target: Listenable; type: string };
  /** Settles once the check no longer matters (the session ended), if it may before the bound. */
  moot?: Promise<unknown>;
  /** Ends the session, when the 101 never went, before the pair is closed. */
  end?: () => void;
}

/**
 * Closes the pair whose client end is `given` if the 101 carrying it is not sent within
 * `timeoutMs`: a Worker whose `fetch` (or a Hono middleware) answers something else after the
 * upgrade (its own code threw, and it answers 500) throws the client end away, and workerd tells
 * the server end nothing, ever, while keeping it accepted, and the request with it (its timers ran
 * on seconds after its 500), with all the session's listeners reach. workerd's `accept()` on the
 * client end throws once the end has gone out in a response ("Can't accept() WebSocket that was
 * already used in a response"): one that succeeds says it never did, and it never will, as a
 * response can carry no accepted end. A 101 still being answered that late is failed by it: a
 * bound all the same, the one a socket that never opened has on the other runtimes. The close is
 * sent after `end`; the server end's close, if it sent one, is answered by it, as workerd before
 * compatibility date 2026-04-07 (no `web_socket_auto_reply_to_close`) keeps a close unanswered for
 * good. A `servedBy` event says the 101 went: the bound and its hold on the client end go with it.
 */
export function closeIfNeverServed(given: PairClientEnd, watch: ServedWatch): void {
  let client: PairClientEnd | undefined = given; // let go of once known: see below
  const { target, type } = watch.servedBy;
  const bound = watch.clock.timer(() => {
    const unserved = client!;
    served();
    try {
      unserved.accept();
    } catch {
      return; // the client has it
    }
    watch.end?.();
    try {
      unserved.close(1000);
    } catch {
      // Closed already (workerd from that date answered the server end's close): nothing holds.
    }
  });
  // Once known (or moot), nothing is kept: a pending timer keeps a Durable Object from eviction,
  // and the client end is the memory of a second socket for every live session.
  const served = () => {
    bound.cancel();
    client = undefined;
    target.removeEventListener(type, served);
  };
  target.addEventListener(type, served);
  bound.arm(watch.timeoutMs);
  watch.moot?.then(served, served);
}
