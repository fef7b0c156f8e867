/**
 * Scale-out on Cloudflare: each call in its own Durable Object, found by its call or stream id.
 *
 * @module
 */

import type { WebSocketTransport } from "../transport.ts";
import { type AdmissionOptions, admit } from "./_admission.ts";
import { runSession } from "./_session.ts";
import { systemClock } from "../clock.ts";
import { resolveTransportOptions } from "../transport_options.ts";
import { type CloudflareUpgradeOptions, upgrade } from "./cloudflare.ts";

export type { AdmissionOptions, CloudflareUpgradeOptions };

/** The part of a Durable Object namespace binding {@linkcode CallDurableObject.route} uses. */
export interface DurableObjectNamespaceLike {
  /** The id of the object named `name`: the same name always reaches the same object. */
  idFromName(name: string): unknown;
  /** A stub that forwards requests to the object with `id`. */
  get(id: never): { fetch(request: Request): Promise<Response> };
}

/** Options for {@linkcode CallDurableObject.route}. */
export interface CallRouteOptions extends AdmissionOptions {
  /**
   * The call's id, from the request, returned at once as a string (anything else, a promise or
   * `undefined`, throws a `TypeError`); `null` refuses it with 404. The same id always reaches the
   * same object, which takes one connection at a time: a reconnecting call starts a new session
   * there once the previous connection has ended, and is refused (409) while that one is thought
   * live. Workers have no pings, so a client that vanished without a close (its network gone)
   * keeps its connection live until `inactivityTimeoutMs` ends it, which has no default: set it in
   * `upgradeOptions` (a few seconds for a provider's media, which never pauses; for a client that
   * may be quiet, above the interval it sends something at). For one object per connection,
   * return `crypto.randomUUID()`.
   *
   * @default {the `:id` of a `/ws/:id` path}
   */
  idFrom?: (request: Request) => string | null;
}

const WS_ID = /^\/ws\/([^/]+)\/?$/;

function idFromPath(request: Request): string | null {
  const match = WS_ID.exec(new URL(request.url).pathname);
  if (match === null) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null; // a malformed %-escape is no id
  }
}

/**
 * `upgradeOptions`' answer, which must be the options themselves: spread as they are, a promise
 * (an `async` override, in plain JavaScript) gave none of its options, and the call ran with the
 * defaults (another serializer, other rates, no `inactivityTimeoutMs`) with nothing said.
 */
function checkedOptions(own: unknown): CloudflareUpgradeOptions {
  if (
    typeof own === "object" && own !== null && typeof (own as Promise<unknown>).then !== "function"
  ) {
    return own;
  }
  const got = own === null ? "null" : typeof own === "object" ? "a promise" : typeof own;
  throw new TypeError(
    `upgradeOptions must return the call's options as an object, at once, got ${got}`,
  );
}

/**
 * A Durable Object that holds one voice session: extend it, implement `onSession`, export the
 * class, and route upgrades to it from the Worker with {@linkcode CallDurableObject.route}. A
 * second connection to an object whose call is still live is refused with 409 (see
 * {@linkcode CallRouteOptions.idFrom} for a call whose client vanished).
 *
 * The object stays in memory for the whole call: its socket is accepted with the standard API
 * (the session's pacing and serializer state live in memory and would not survive hibernation),
 * and a pacing timer keeps it busy while audio flows. A deploy lets a live call run on the old
 * code until the object's code update delay runs out (five minutes unless wrangler's
 * `durable_objects.code_update_strategy` says otherwise); then the object is reset and the
 * socket drops, and the client should reconnect to the same `/ws/:id`.
 *
 * A REST hang-up still under way when the call's socket closes (see `HangUp`) runs on with no
 * client connected: it is handed to `ctx.waitUntil`. From compatibility date 2026-10-01 (or with
 * the `durable_object_io_tasks_prevent_eviction` flag) such a promise keeps the object from being
 * evicted until it settles. The object's reset (a peer that never answered the close) waits for
 * it too, for `sendTimeoutMs` at most: a reset ends it, and the call would be left up.
 *
 * @example An echo call per `/ws/:id`
 * ```ts
 * import {
 *   CallDurableObject,
 *   type CloudflareUpgradeOptions,
 *   type DurableObjectNamespaceLike,
 * } from "@x/ws-transport/cloudflare-durable-object";
 * import type { WebSocketTransport } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * export class EchoCall extends CallDurableObject {
 *   protected override upgradeOptions(): CloudflareUpgradeOptions {
 *     return { audioIn: { sampleRate: 16000 }, audioOut: { sampleRate: 16000 } };
 *   }
 *   protected override onSession(transport: WebSocketTransport): void {
 *     transport.readable.pipeTo(transport.writable).catch(() => {});
 *   }
 * }
 *
 * const worker = {
 *   fetch(request: Request, env: { CALLS: DurableObjectNamespaceLike }): Promise<Response> {
 *     return CallDurableObject.route(request, env.CALLS);
 *   },
 * };
 * export default worker; // wrangler.toml binds CALLS to EchoCall
 *
 * // Routing by id, checked with a stand-in namespace (Workers give the real one):
 * const reached: string[] = [];
 * const calls = {
 *   idFromName: (name: string) => name,
 *   get: (id: never) => ({
 *     fetch: (_request: Request) => {
 *       reached.push(id);
 *       return Promise.resolve(new Response("routed"));
 *     },
 *   }),
 * };
 * const headers = {
 *   upgrade: "websocket",
 *   "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
 *   "sec-websocket-version": "13",
 * };
 * const call = new Request("https://example.com/ws/CA123", { headers });
 * await worker.fetch(call, { CALLS: calls });
 * assert.deepEqual(reached, ["CA123"]);
 * const lost = new Request("https://example.com/elsewhere", { headers });
 * assert.equal((await worker.fetch(lost, { CALLS: calls })).status, 404);
 * ```
 */
export abstract class CallDurableObject<Env = unknown, State = unknown> {
  /** The object's state, as the runtime passed it (`DurableObjectState`). */
  protected readonly ctx: State;
  /** The Worker's bindings, as the runtime passed them. */
  protected readonly env: Env;
  /** Whether a call holds this object, from the moment its upgrade starts. */
  #live = false;
  /** The object is to reset itself (see `#terminate`): it takes no call before. */
  #resetting = false;
  /** What the sessions handed to `waitUntil` that has not settled: a reset waits for it. */
  readonly #handedOver = new Set<Promise<unknown>>();

  /**
   * In a Worker's `fetch`: refuses what is not an acceptable WebSocket upgrade (426, 403, 401
   * as {@linkcode upgrade} would, before any object wakes), finds the call's id (404 without
   * one), and forwards the request to that call's object.
   */
  static async route(
    request: Request,
    namespace: DurableObjectNamespaceLike,
    options: CallRouteOptions = {},
  ): Promise<Response> {
    // Checked before admission: found only when a request passes it, it would fail that call.
    if (options.idFrom !== undefined && typeof options.idFrom !== "function") {
      throw new TypeError(`idFrom must be a function, got ${typeof options.idFrom}`);
    }
    const refusal = await admit(request, options);
    if (refusal !== null) return refusal;
    const id: unknown = (options.idFrom ?? idFromPath)(request);
    if (id === null) return new Response("No call id in the path", { status: 404 });
    // workerd's `idFromName` takes anything as a name, written as a string: an async `idFrom` sent
    // every call to one object, "[object Promise]", which refused all but one at a time (409); one
    // that returns `undefined` for no id (plain JavaScript) woke an object "undefined" for each.
    if (typeof id !== "string") {
      throw new TypeError(
        `idFrom must return the call's id as a string, or null (404), got ${String(id)}`,
      );
    }
    return namespace.get(namespace.idFromName(id) as never).fetch(request);
  }

  /**
   * The runtime constructs the object with its state and the Worker's bindings (type them with
   * the class's parameters: `extends CallDurableObject<Env, DurableObjectState>`).
   */
  constructor(ctx: State, env: Env) {
    this.ctx = ctx;
    this.env = env;
  }

  /**
   * The transport's and the upgrade's options for this request. Override to set them. They are
   * returned at once, as an object: anything else (a promise, `undefined`) throws a `TypeError`
   * from `fetch`, and the object takes the next call.
   */
  protected upgradeOptions(_request: Request): CloudflareUpgradeOptions {
    return {};
  }

  /**
   * Runs the call: called once per accepted connection. It may return at once (pipes set up) or
   * run until the call ends; the upgrade is answered either way. If it throws or rejects, the
   * failure is a fatal "error" event on the transport (and logged), and the call is closed with
   * 1011; the object takes the next connection.
   */
  protected abstract onSession(
    transport: WebSocketTransport,
    request: Request,
  ): void | Promise<void>;

  /**
   * Accepts the call's WebSocket, unless one is already live here (409), or one whose session
   * could not start is closing (409 for its `closeTimeoutMs`: see `#claimedWhileClosing`).
   */
  async fetch(request: Request): Promise<Response> {
    if (this.#live) return new Response("This call is already connected", { status: 409 });
    if (this.#resetting) {
      return new Response("This call's object is resetting: try again", { status: 409 });
    }
    // Claimed before the first await: a second request may run while this one waits.
    this.#live = true;
    let result;
    let options: CloudflareUpgradeOptions;
    try {
      // An override that throws (a bad provider name in the URL) must not leave the call claimed.
      const own = checkedOptions(this.upgradeOptions(request));
      options = {
        ...own,
        // Unset means the object's reset, `terminate: undefined` too (spread, it dropped the
        // reset, and a peer that never answered the close kept its connection); anything else
        // is the override's, for `upgrade` to refuse if it is no function.
        terminate: own.terminate === undefined ? () => this.#terminate(options) : own.terminate,
        ...this.#keptAlive(own),
      };
      result = await upgrade(request, options);
    } catch (error) {
      this.#live = false;
      throw error;
    }
    const { transport, response } = result;
    if (transport === null) {
      if (response.status === 101) this.#claimedWhileClosing(options);
      else this.#live = false; // refused: nothing was accepted
      return response;
    }
    void transport.closed.then(() => (this.#live = false));
    runSession(transport, () => this.onSession(transport, request));
    return response;
  }

  /**
   * Keeps the call claimed while the socket of a session that could not start (a `serializer`
   * function that threw: see `startSession`) closes. That socket is closed with 1011 and, its peer
   * silent past `closeTimeoutMs`, dropped by the object's reset: a call taken meanwhile was
   * accepted, then cut off by that reset. Let go at that bound, once a reset would have begun.
   */
  #claimedWhileClosing(options: CloudflareUpgradeOptions): void {
    const clock = options.clock ?? systemClock;
    const { closeTimeoutMs } = resolveTransportOptions(options); // checked by `upgrade` already
    void clock.sleep(closeTimeoutMs).then(() => (this.#live = false));
  }

  /**
   * The session's `waitUntil`: what it is handed is held for a reset to wait for, and passed on to
   * the override's own `waitUntil`, else to the object's `ctx.waitUntil` where its state has one
   * (see the class). An override's `waitUntil` that is no function is left to `upgrade` to refuse.
   */
  #keptAlive(own: CloudflareUpgradeOptions): Pick<CloudflareUpgradeOptions, "waitUntil"> {
    if (own.waitUntil !== undefined && typeof own.waitUntil !== "function") return {};
    const ctx = this.ctx as { waitUntil?: (promise: Promise<unknown>) => void };
    const passOn = own.waitUntil ??
      (typeof ctx.waitUntil === "function" ? (promise) => ctx.waitUntil!(promise) : undefined);
    return {
      waitUntil: (promise) => {
        this.#handedOver.add(promise);
        const settled = () => void this.#handedOver.delete(promise);
        promise.then(settled, settled);
        passOn?.(promise);
      },
    };
  }

  /**
   * Drops a connection whose peer never answered the close, on the session's `options`. The reset
   * first waits for what the session handed to `waitUntil` (a REST hang-up still asking the
   * provider, which the reset would cut off), then a task: the session has settled in this turn,
   * and what waits on `transport.closed` (and the "timeout" error reported after this call) still
   * runs before the object's code is stopped.
   */
  #terminate(options: CloudflareUpgradeOptions): void {
    // A runtime older than `abort()` cannot reset the object: nothing drops the connection, left
    // to its peer, and the object takes the next call rather than refuse every one for good.
    if (typeof (this.ctx as { abort?: unknown }).abort !== "function") return;
    // From here the object is as good as reset: a call that comes in the meantime is refused
    // (409) rather than accepted and then cut off by the reset.
    this.#resetting = true;
    // Reset whatever the wait ends in: an object left `#resetting` would refuse every call (409).
    const reset = () => void setTimeout(() => this.#abort(), 0);
    void this.#handedOverSettled(options).then(reset, reset);
  }

  /**
   * Settles once what was handed to `waitUntil` has, or at the session's `sendTimeoutMs`: each
   * hang-up is bounded by it already, but nothing else handed over need be.
   */
  async #handedOverSettled(options: CloudflareUpgradeOptions): Promise<void> {
    if (this.#handedOver.size === 0) return;
    const bound = new AbortController();
    const clock = options.clock ?? systemClock;
    const { sendTimeoutMs } = resolveTransportOptions(options); // checked by `upgrade` already
    const timedOut = clock.sleep(sendTimeoutMs, bound.signal).catch(() => {});
    await Promise.race([Promise.allSettled(this.#handedOver), timedOut]);
    bound.abort();
  }

  /** Resets the object, which drops its socket: Workers cannot drop one socket alone. */
  #abort(): void {
    try {
      (this.ctx as { abort?: (reason?: string) => void }).abort?.(
        "the peer never answered the close",
      );
    } catch {
      // abort() may throw to end the code that called it: the reset is under way all the same.
    }
  }
}
