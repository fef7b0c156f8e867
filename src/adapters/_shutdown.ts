/**
 * A server's shutdown as the adapters take it: the sessions started under one `shutdownSignal`
 * are ended with their serializer's goodbye and a close 1001 "going away" once it aborts, and the
 * upgrades asked for from then on are refused with 503. Web standards only.
 *
 * @module
 */

import type { WebSocketTransport } from "../transport.ts";
import { expectMethods } from "../transport_options.ts";
import { kindOf } from "../_kind_of.ts";
import { type SettleLater, settleLater } from "../_settle_later.ts";

/** The options the adapters of long-lived servers (Deno, Node, Bun, Hono) take for a shutdown. */
export interface ShutdownOptions {
  /**
   * The server's shutdown. Once it aborts, every live session started with it says its
   * serializer's goodbye at once (a `cancel`: Twilio, Telnyx, Plivo and jambonz hang the call up
   * through their REST API where given credentials, Genesys says `disconnect`; queued audio is
   * dropped, counted) and closes with 1001 "going away", bounded as any close is (`sendTimeoutMs`,
   * `closeTimeoutMs`; a peer that never answers is dropped); a session not yet connected is
   * closed with 1001. A session whose bot has sent its `end` (see `WebSocketTransport.ending`)
   * ends as it was going to: the caller hears the farewell queued before it, then the goodbye,
   * for at most {@linkcode shutdownGraceMs}.
   * Upgrades asked for from then on are refused with 503.
   * {@linkcode sessionsEnded} settles once they have all ended: shut the server down after it,
   * for a server's own shutdown drops the connections it still holds. Not the transport's
   * `signal`, which ends one session with 1000 and no goodbye. Workers have no shutdown to hook
   * (a Durable Object is evicted, not shut down): nothing aborts it there.
   */
  shutdownSignal?: AbortSignal;
  /**
   * How long, in milliseconds from the abort of {@linkcode shutdownSignal}, a session whose bot
   * had sent its `end` may go on playing the farewell queued before it. Past that it gets the
   * goodbye the others got at the abort (a `cancel`: the rest of its audio and its `end` dropped,
   * counted; 1001 "going away"), so {@linkcode sessionsEnded} settles at most this long after the
   * abort plus the close's own bounds (`sendTimeoutMs`, `closeTimeoutMs`), and the sessions end
   * whether or not anything awaits it. Measured on each session's `clock`. A session already
   * saying its goodbye then (its `end` handed to the serializer: a REST hang-up under way,
   * Genesys's closing sequence) is told the `cancel` too, and ends within that goodbye's bounds:
   * the module's REST hang-ups go once, and Genesys sends nothing after its `disconnect`. Not
   * given, there is no bound: the farewell plays out, however long the bot made it. Anything but
   * a finite number >= 0 throws, where the other options are checked: a `TypeError` for what is
   * no number, a `RangeError` for the rest.
   */
  shutdownGraceMs?: number;
}

/** The close a shutdown ends a session with (RFC 6455, 7.4.1: "a server going down"). */
const GOING_AWAY = { code: 1001, reason: "going away" } as const;

/**
 * Throws a `TypeError` for a `shutdownSignal` that is no `AbortSignal` or a `shutdownGraceMs` that
 * is no number, a `RangeError` for one that is no finite number >= 0.
 */
export function checkShutdownOptions(options: ShutdownOptions): void {
  // Plain JavaScript: an `AbortController` given in its place never aborts, and every session
  // would be cut at the server's shutdown after all. Checked as the transport's `signal` is.
  expectMethods(options.shutdownSignal, "shutdownSignal", ["addEventListener"], "an AbortSignal");
  // Checked where the server starts (or at the first upgrade), not when it shuts down: a bad grace
  // found only then would fail the shutdown itself.
  const grace: unknown = options.shutdownGraceMs;
  if (grace === undefined) return;
  if (typeof grace !== "number") {
    throw new TypeError(`shutdownGraceMs must be a number of milliseconds, got ${kindOf(grace)}`);
  }
  if (!(grace >= 0) || !Number.isFinite(grace)) {
    throw new RangeError(`shutdownGraceMs must be a finite number >= 0, got ${grace}`);
  }
}

/** The refusal of an upgrade asked for once the shutdown began, or `null` before it. */
export function refusedForShutdown(options: ShutdownOptions): Response | null {
  if (options.shutdownSignal?.aborted !== true) return null;
  return new Response("The server is shutting down", { status: 503 });
}

/** The live sessions started under one shutdown signal, each with its `shutdownGraceMs`. */
class LiveSessions {
  readonly #live = new Map<WebSocketTransport, number | undefined>();
  /** Settled when the last live session has ended: what {@linkcode sessionsEnded} waits for. */
  #allEnded: SettleLater<void> | undefined;

  constructor(signal: AbortSignal) {
    // One listener per signal, for the server's life: sessions come and go in the map.
    signal.addEventListener("abort", () => {
      for (const [transport, graceMs] of this.#live) endForShutdown(transport, graceMs);
    }, { once: true });
  }

  add(transport: WebSocketTransport, signal: AbortSignal, graceMs: number | undefined): void {
    this.#live.set(transport, graceMs);
    // `closed` never rejects, and settles within the transport's bounds.
    void transport.closed.then(() => {
      this.#live.delete(transport);
      if (this.#live.size > 0) return;
      this.#allEnded?.resolve();
      this.#allEnded = undefined;
    });
    // Admitted before the abort, started after it (Node completes the handshake later): ended now.
    if (signal.aborted) endForShutdown(transport, graceMs);
  }

  ended(): Promise<void> {
    if (this.#live.size === 0) return Promise.resolve();
    return (this.#allEnded ??= settleLater()).promise;
  }
}

/** The live sessions of each shutdown signal, let go with it. */
const sessionsOf = new WeakMap<AbortSignal, LiveSessions>();

/** Makes `transport`, an adapter's new session, end with the shutdown `options` name, if any. */
export function followShutdown(transport: WebSocketTransport, options: ShutdownOptions): void {
  const signal = options.shutdownSignal;
  if (signal === undefined) return;
  let sessions = sessionsOf.get(signal);
  if (sessions === undefined) sessionsOf.set(signal, sessions = new LiveSessions(signal));
  sessions.add(transport, signal, options.shutdownGraceMs);
}

/**
 * Settles once no session started with `shutdownSignal` is live: at once when there is none.
 * Every session's end is bounded (`sendTimeoutMs`, `closeTimeoutMs`; one whose bot had sent its
 * `end` first plays out the audio queued before it, for at most `shutdownGraceMs`), so this is too
 * once the signal has aborted (upgrades then refused, no session begins). Shut the server down
 * after it (`server.shutdown()` on Deno, `server.close()` on Node, `server.stop()` on Bun): a
 * server's own shutdown drops, or closes with no goodbye, the connections it still holds.
 *
 * @example Every call said goodbye to before the server stops
 * ```ts
 * import { sessionsEnded, upgrade } from "@x/ws-transport/deno";
 * import assert from "node:assert/strict";
 *
 * const shutdown = new AbortController(); // on SIGTERM: shutdown.abort()
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
 *   const { transport, response } = await upgrade(request, {
 *     shutdownSignal: shutdown.signal,
 *     shutdownGraceMs: 10_000, // a farewell under way gets 10 s more at most
 *   });
 *   transport?.readable.pipeTo(transport.writable).catch(() => {});
 *   return response;
 * });
 * const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}`);
 * await new Promise((resolve) => (ws.onopen = resolve));
 * const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
 *
 * shutdown.abort();
 * await sessionsEnded(shutdown.signal);
 * assert.equal((await closed).code, 1001); // "going away"
 * await server.shutdown();
 * ```
 */
export function sessionsEnded(shutdownSignal: AbortSignal): Promise<void> {
  checkShutdownOptions({ shutdownSignal });
  return sessionsOf.get(shutdownSignal)?.ended() ?? Promise.resolve();
}

/**
 * Ends one session for the shutdown: the serializer's goodbye (a `cancel`) where it is connected,
 * closing with 1001, which tells the far end the server is going down (a client may reconnect
 * elsewhere), not that the call is over; a close 1001 where it is not yet (nothing may be sent
 * before it opens). A session already ending (the bot's `end`) ends as it was going to, for at
 * most `graceMs` (none: however long its farewell is).
 */
function endForShutdown(transport: WebSocketTransport, graceMs: number | undefined): void {
  // The bot said its last words and hangs up after them (or the session is closing already):
  // a cancel would cut the farewell the caller is hearing, and Genesys's closing handshake after
  // the `disconnect`, to end a call that is ending anyway. Its end is bounded as it is: the
  // audio queued before the `end`, then the goodbye's own bounds; and by the grace, if given.
  if (!transport.ending) return sayGoingAway(transport);
  if (graceMs === undefined) return;
  // On the session's own clock (a test's fake one, Workers' frozen one); let go when it ends.
  const ended = new AbortController();
  void transport.closed.then(() => ended.abort());
  transport.clock.sleep(graceMs, ended.signal).then(() => sayGoingAway(transport), () => {});
}

/**
 * The goodbye of a shutdown, said at its abort or, to a session that was ending then, once its
 * grace is over: a `cancel` closing with 1001 where the session is connected (an `end` still
 * queued, and the audio before it, dropped and counted), else a close 1001: the socket is not
 * open yet, or the session is closing already (a close under way stands; the goodbye of a bot's
 * own `cancel`, a REST hang-up, runs on to its bound beside it).
 */
function sayGoingAway(transport: WebSocketTransport): void {
  // `send` reports its own failures as "error" events and ends the session all the same.
  if (transport.connected) {
    void transport.send({ type: "cancel", closeCode: GOING_AWAY.code, reason: GOING_AWAY.reason });
  } else void transport.close(GOING_AWAY.code, GOING_AWAY.reason);
}
