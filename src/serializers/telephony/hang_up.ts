/**
 * {@linkcode HangUp}: hanging up a call through a provider's REST API at most once per session,
 * bounded in time, with "the call had already ended" counted as success.
 *
 * @module
 */

import { type Clock, systemClock } from "../../clock.ts";
import { TransportError } from "../../errors.ts";
import type { SerializerContext } from "../../serializer.ts";
import { thrownText } from "../../_thrown_text.ts";
import {
  abortable,
  cancelUnread,
  type ErrorAnswer,
  readErrorAnswer,
  readHeaders,
} from "./_hang_up_http.ts";

/**
 * What a hang-up leaves of the transport's `sendTimeoutMs`, which bounds the `serialize` it runs
 * in: past that bound the session would end (1011) before the hang-up could say it timed out.
 */
const SEND_MARGIN_MS = 250;

/** The `fetch` shape the hang-up uses (the global one fits; tests inject their own). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * `id` (a call or account id, from the far end) as one segment of a REST API's path, for
 * {@linkcode HangUpRequest.url}: percent-encoded, and refused with a "protocol" error when empty
 * or a dot segment, which URL parsing takes as a step up the path (a call id of `..` would send
 * the authenticated hang-up to the account's own resource).
 *
 * @example
 * ```ts
 * import { pathSegment } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pathSegment("v3:a/b", "call id", "Globex"), "v3%3Aa%2Fb");
 * assert.throws(() => pathSegment("..", "call id", "Globex"), /Globex: call id "\.\." cannot/);
 * ```
 */
export function pathSegment(id: string, what: string, provider: string): string {
  if (id === "" || id === "." || id === "..") {
    const message = `${provider}: ${what} ${JSON.stringify(id)} cannot name a call: no hang-up`;
    throw new TransportError("protocol", message);
  }
  return encodeURIComponent(id);
}

/** One provider's hang-up request. */
export interface HangUpRequest {
  /** The provider's name, for error messages. */
  provider: string;
  /** The call being hung up, for error messages. */
  callId: string;
  /** The REST endpoint. */
  url: string;
  /** Method, headers and body (the signal is added, and `redirect: "manual"`). */
  init: RequestInit;
  /**
   * Whether an unsuccessful response means the call had already ended. `body`: its first 16 KiB
   * (or what came of it before it broke off), parsed as JSON, or as text when they are no JSON (a
   * longer body is cut, so read as text).
   */
  alreadyEnded(status: number, body: unknown): boolean;
}

/** Options for {@linkcode HangUp}. */
export interface HangUpOptions {
  /**
   * The `fetch` to call the provider with.
   *
   * @default {globalThis.fetch}
   */
  fetch?: FetchLike | undefined;
  /**
   * How long the request (and an unsuccessful answer's body, of which the first 16 KiB are read
   * for the error message, the rest cancelled) may take before it is abandoned.
   *
   * @default {5000}
   */
  timeoutMs?: number | undefined;
  /**
   * What `timeoutMs` is measured on (a serializer hands over the session's: see
   * {@linkcode HangUp.useClock}).
   *
   * @default {systemClock}
   */
  clock?: Clock | undefined;
  /**
   * Whether {@linkcode HangUp.endCall} hangs up at all (a serializer passes its `autoHangUp`
   * and whether it has the credentials).
   *
   * @default {true}
   */
  enabled?: boolean | undefined;
}

/**
 * What {@linkcode HangUp.useSession} reads of a serializer's context (`report` optional, as in a
 * context made by hand).
 */
export type HangUpSession =
  & Pick<SerializerContext, "clock" | "sendTimeoutMs" | "signal" | "waitUntil">
  & Partial<Pick<SerializerContext, "report">>;

/** The options of a serializer that hangs calls up through its provider's REST API. */
export interface HangUpSerializerOptions {
  /**
   * Whether `end` and `cancel` frames hang the call up through the REST API (when the
   * credentials it needs are given).
   *
   * @default {true}
   */
  autoHangUp?: boolean;
  /**
   * The `fetch` the hang-up uses.
   *
   * @default {globalThis.fetch}
   */
  fetch?: FetchLike;
  /**
   * How long the hang-up request may take. It runs inside the `serialize` of the `end` or
   * `cancel`, which the transport bounds by its `sendTimeoutMs`: the wait ends 250 ms before that
   * (at half of it when it is shorter than 500 ms) whatever this says, with the same non-fatal
   * "timeout" error.
   *
   * @default {5000}
   */
  hangUpTimeoutMs?: number;
}

/**
 * Hangs up a call at most once. The first {@linkcode HangUp.run} sends the request; later calls
 * resolve at once without sending anything, so an `end` followed by a `cancel` (or a retry after
 * an error) never hangs up twice.
 *
 * Failures reject with a `TransportError`: code `"timeout"` when the provider did not answer
 * within `timeoutMs` (kept under the session's `sendTimeoutMs`: {@linkcode HangUp.useSession}),
 * code `"protocol"` when it answered with an error (other than "already ended") or the request
 * could not be made (a header value fetch would refuse is named, its value not shown: it may be
 * a credential), code `"closed"` when the session had ended before it was sent (its `signal`:
 * nothing is sent then). A request under way when the session ends runs on to its own bound: the
 * bot asked to end the call, which a media socket gone (a 1006 drop) does not end with every
 * provider; its failure is then reported through the session's `report` (an "error" event), and
 * the hang-up rejects with a `"closed"` error, which the transport, done with the `serialize`, drops
 * unheard. A response whose status is 2xx, or which `alreadyEnded` recognizes, is success; a
 * redirect is not followed (a POST or DELETE would be repeated as a GET, whose 2xx hangs up
 * nothing) but is a "protocol" error. Of an unsuccessful answer's body the first 16 KiB are read,
 * for the message and `alreadyEnded`, and the rest is cancelled unread; a body that breaks off is
 * judged by its status and what came before the break (a 404 with Plivo is still a call gone).
 *
 * @example Hanging up through an injected fetch
 * ```ts
 * import { HangUp } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * let calls = 0;
 * const hangUp = new HangUp({ fetch: () => { calls++; return Promise.resolve(new Response("{}")); } });
 * const request = {
 *   provider: "Example",
 *   callId: "c1",
 *   url: "https://api.example.com/calls/c1",
 *   init: { method: "DELETE" },
 *   alreadyEnded: (status: number) => status === 404,
 * };
 * await hangUp.run(request);
 * await hangUp.run(request);
 * assert.equal(calls, 1);
 * ```
 */
export class HangUp {
  #fetch: FetchLike;
  #timeoutMs: number;
  #clock: Clock;
  /** The transport's `sendTimeoutMs`, once bound (see {@linkcode HangUp.useSession}). */
  #sendTimeoutMs = Infinity;
  #enabled: boolean;
  /** The session's end, once known (see {@linkcode HangUp.useSession}). */
  #sessionEnd: AbortSignal | undefined;
  /** Where a failure after the session's end is reported (see {@linkcode HangUp.useSession}). */
  #report: ((error: TransportError) => void) | undefined;
  /** Keeps the runtime at a request that may outlive the session (see `useSession`). */
  #waitUntil: ((promise: Promise<unknown>) => void) | undefined;
  #attempted = false;

  /** Makes a once-only hang-up; see {@linkcode HangUpOptions}. */
  constructor(options: HangUpOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
    }
    this.#timeoutMs = timeoutMs;
    this.#clock = options.clock ?? systemClock;
    this.#enabled = options.enabled ?? true;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /**
   * The hang-up a serializer offers through {@linkcode HangUpSerializerOptions}: its `fetch` and
   * `hangUpTimeoutMs`, enabled unless `autoHangUp` is `false` and only when the serializer was
   * given the credentials its provider's REST API needs (`hasCredentials`; without them
   * {@linkcode HangUp.endCall} leaves the call to end with the socket).
   *
   * @example What an `end` frame does with a serializer's options
   * ```ts
   * import { HangUp } from "@x/ws-transport/telephony";
   * import assert from "node:assert/strict";
   *
   * const request = () => ({
   *   provider: "Example",
   *   callId: "c1",
   *   url: "https://api.example.com/calls/c1",
   *   init: { method: "DELETE" },
   *   alreadyEnded: (status: number) => status === 404,
   * });
   * const fetch = () => Promise.resolve(new Response("{}"));
   * // Without the credentials, or with autoHangUp off, nothing is sent.
   * assert.equal(HangUp.forSerializer({ fetch }, false).endCall(request), null);
   * assert.equal(HangUp.forSerializer({ fetch, autoHangUp: false }, true).endCall(request), null);
   * // With them the call is hung up, and nothing goes on the socket.
   * assert.equal(await HangUp.forSerializer({ fetch }, true).endCall(request), null);
   * ```
   */
  static forSerializer(options: HangUpSerializerOptions, hasCredentials: boolean): HangUp {
    return new HangUp({
      fetch: options.fetch,
      timeoutMs: options.hangUpTimeoutMs,
      enabled: (options.autoHangUp ?? true) && hasCredentials,
    });
  }

  /**
   * Measures `timeoutMs` on `clock` from now on, when one is given: a serializer's `bind` hands
   * over the session's (`SerializerContext.clock`), so that on a test's `FakeClock` a provider
   * that never answers is given up in fake time, as the rest of the session's bounds are.
   */
  useClock(clock: Clock | undefined): void {
    if (clock !== undefined) this.#clock = clock;
  }

  /**
   * Takes the session's bounds from a serializer's `bind`: its clock ({@linkcode HangUp.useClock})
   * and the transport's `sendTimeoutMs`, which bounds the `serialize` the hang-up runs in. The
   * wait then ends 250 ms before that bound (at half of it when it is shorter than 500 ms), so a
   * provider that does not answer is the documented non-fatal "timeout" error and the goodbye
   * goes on, not a `serialize` cut off by the transport (a fatal "protocol" error, 1011). Its
   * `signal` (the session's end) stops a hang-up not sent yet; one under way when the session ends
   * another way (the far end closed or dropped, `close()`) runs on to its bound, for the call
   * may outlive the socket, and its failure goes to the context's `report` (nobody else waits for
   * its answer then). Its `waitUntil` is handed each request as it is sent, settling after that
   * report: on Cloudflare Workers what is still pending once the socket's request is over is
   * cancelled otherwise, and the call left up.
   */
  useSession(context: HangUpSession): void {
    this.useClock(context.clock);
    this.#sendTimeoutMs = context.sendTimeoutMs ?? Infinity;
    this.#sessionEnd = context.signal;
    const report = context.report;
    this.#report = report && ((error) => report.call(context, error));
    this.#waitUntil = context.waitUntil;
  }

  /**
   * How long a request may take: `timeoutMs`, kept under the transport's bound, of which
   * `spentMs` went before the request in the same `serialize`.
   */
  #boundMs(spentMs: number): number {
    const send = this.#sendTimeoutMs - spentMs;
    return Math.min(this.#timeoutMs, Math.max(send - SEND_MARGIN_MS, send / 2));
  }

  /** Whether a hang-up has been attempted (successfully or not). */
  get attempted(): boolean {
    return this.#attempted;
  }

  /**
   * What a serializer returns for an `end` or `cancel` frame: `null` when hang-ups are not
   * enabled, otherwise {@linkcode HangUp.run} resolving to `null` (nothing to send on the socket).
   * `spentMs`: see {@linkcode HangUp.run}.
   */
  endCall(request: () => HangUpRequest, spentMs = 0): Promise<null> | null {
    return this.#enabled ? this.run(request, spentMs).then(() => null) : null;
  }

  /**
   * Sends `request` unless a hang-up was already attempted; see the class description. Pass a
   * function to build the request only when it will be sent: what it throws (e.g. "no call id
   * yet") rejects this call and leaves the hang-up unattempted. `spentMs`: how long the
   * `serialize` the hang-up runs in has already taken (jambonz waits for the goodbye's last batch
   * first): it comes out of the transport's bound, and the timeout's message says so.
   */
  async run(request: HangUpRequest | (() => HangUpRequest), spentMs = 0): Promise<void> {
    if (this.#attempted) return;
    if (typeof request === "function") request = request();
    const { provider, callId } = request;
    // Quoted: the id is the far end's, and must not start a line of its own in a log.
    const what = `${provider} hang-up of call ${JSON.stringify(callId)}`;
    if (this.#sessionEnd?.aborted) throw sessionEnded(what);
    // Read once, and sent as read: fetch's own errors quote what it cannot send (an API key, in a
    // log), and an iterable of headers may be read only once.
    const read = readHeaders(request.init.headers);
    if (read.problem !== undefined) {
      throw new TransportError("protocol", `${what} not sent: ${read.problem}`, {
        cause: read.cause,
      });
    }
    const { headers } = read;
    const sent = headers === undefined || headers === request.init.headers
      ? request
      : { ...request, init: { ...request.init, headers } };
    this.#attempted = true;
    const attempt = this.#attempt(sent, what, spentMs);
    // Handed over as it is sent, whether or not it will outlive the session: the runtime takes
    // it surely while the socket's request is being handled, which the session's end may not
    // be, and it costs nothing (one request a session, within its bound). Settled only: its
    // failure is this call's, or the report's, not one for the runtime to log.
    this.#keepAlive(attempt.then(() => {}, () => {}));
    return await attempt;
  }

  /**
   * Hands `settled` to the session's `waitUntil`. One that throws (application code: a `ctx`
   * gone stale) is reported, an "application" error, and the hang-up goes on: its own outcome
   * must not be lost to it.
   */
  #keepAlive(settled: Promise<void>): void {
    try {
      this.#waitUntil?.(settled);
    } catch (error) {
      this.#report?.(
        new TransportError("application", `waitUntil threw: ${thrownText(error)}`, {
          cause: error,
        }),
      );
    }
  }

  /** Sends `request`; a failure once the session has ended is reported (see the class). */
  async #attempt(request: HangUpRequest, what: string, spentMs: number): Promise<void> {
    const sessionEnd = this.#sessionEnd;
    try {
      await this.#send(request, what, spentMs);
    } catch (error) {
      // The session ended while the provider was asked: its `serialize` has nobody waiting any
      // more, so the failure is reported here (the call may still be up), once.
      const report = this.#report;
      if (!sessionEnd?.aborted || report === undefined) throw error;
      report(
        error instanceof TransportError
          ? error
          : new TransportError("protocol", `${what} failed: ${thrownText(error)}`, {
            cause: error,
          }),
      );
      throw outlivedSession(what, error);
    }
  }

  /** Sends `request`, within its bound; see {@linkcode HangUp.run}. */
  async #send(request: HangUpRequest, what: string, spentMs: number): Promise<void> {
    // Aborted once the bound has passed on the clock; the sleep ends with the request.
    const boundMs = this.#boundMs(spentMs);
    const stop = new AbortController();
    const done = new AbortController();
    const expire = () => stop.abort(new DOMException("hang-up timed out", "TimeoutError"));
    this.#clock.sleep(boundMs, done.signal).then(expire, () => {});
    const signal = stop.signal;
    let answer: ErrorAnswer;
    try {
      // Redirects are not followed: fetch would repeat a POST or DELETE answered 301, 302 or 303
      // as a GET, and the call's resource, fetched, answers 200 with the call still up. A
      // provider's REST API answers its hang-up itself; a 3xx is an error to show.
      const init: RequestInit = { ...request.init, redirect: "manual", signal };
      // The race bounds the wait even for a fetch that ignores its signal.
      const response = await abortable(this.#fetch(request.url, init), signal);
      // A 2xx is success whatever its body says: not read, so a body that is slow to end does
      // not make a hang-up the provider took read as timed out.
      if (response.ok) return cancelUnread(response.body);
      answer = await readErrorAnswer(response, signal);
    } catch (cause) {
      if (signal.aborted) {
        const before = spentMs > 0
          ? `, less the ${Math.round(spentMs)} ms spent before the request`
          : "";
        const cut = boundMs < this.#timeoutMs
          ? ` (its ${this.#timeoutMs} ms kept under the transport's sendTimeoutMs, ` +
            `${this.#sendTimeoutMs} ms${before})`
          : "";
        const message = `${what} got no answer within ${boundMs} ms${cut}`;
        throw new TransportError("timeout", message, { cause });
      }
      throw new TransportError("protocol", `${what} failed: ${thrownText(cause)}`, { cause });
    } finally {
      done.abort();
    }
    if (request.alreadyEnded(answer.status, answer.body)) return;
    const options = answer.brokeOff === undefined ? {} : { cause: answer.brokeOff.reason };
    throw new TransportError("protocol", `${what} failed: ${answer.summary}`, options);
  }
}

/** The rejection of a hang-up asked for once the session had ended: nothing was sent. */
function sessionEnded(what: string): TransportError {
  return new TransportError("closed", `${what} not sent: the session had ended`);
}

/**
 * The rejection of a hang-up that failed after its session ended, reported already: a "closed"
 * error, which the transport (and a serializer passing it on) drops unheard.
 */
function outlivedSession(what: string, failure: unknown): TransportError {
  const message = `${what} failed after the session ended (reported)`;
  return new TransportError("closed", message, { cause: failure });
}
