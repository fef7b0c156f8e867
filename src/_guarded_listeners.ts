/**
 * How a transport's events reach its listeners: each listener behind a guard of its own, and the
 * "error" events no listener heard held for the next "error" listener (_unheard_errors.ts).
 * `SessionMetrics`' listeners run behind the same guards, and report their failures on the
 * transport's error path ({@linkcode reportError}).
 *
 * The transport is an `EventTarget`, and its events ("connected", "disconnected", "error",
 * "speakingstart", …) are dispatched from inside a socket's listeners and the pump. Left to
 * itself, an exception in a listener there is reported by the runtime as uncaught, and an async
 * listener's rejected promise is unhandled: either ends a Deno, Node or Bun process, and every
 * other call in it. The same goes for `SessionMetrics`' "metric" and "summary" events, dispatched
 * from the transport's observer callbacks and listeners.
 *
 * @module
 */

import { TransportError } from "./errors.ts";
import { TransportErrorEvent } from "./events.ts";
import type { TransportStats } from "./transport_stats.ts";
import { thrownText } from "./_thrown_text.ts";
import { UnheardErrors } from "./_unheard_errors.ts";

/** What the transport's `addEventListener` takes as a listener: typed listeners too. */
export type AnyListener = EventListenerOrEventListenerObject | null | ((event: never) => void);

/** What `addEventListener` takes as options. */
export type AddOptions = boolean | AddEventListenerOptions;

/** Options for {@linkcode GuardedListeners}. */
export interface GuardedListenersOptions {
  /** Where `errorsUnheard` is counted. */
  stats: TransportStats;
  /** Where a listener's exception is reported: the transport's error path. */
  onError: (error: TransportError) => void;
}

/**
 * Hands out the guard that stands in for each listener on an `EventTarget`. It is made once per
 * listener and is the same on every add and remove, so the `EventTarget` pairs it as it would the
 * listener: one registration per type and capture, `removeEventListener` with the listener, `once`
 * and `signal` all work unchanged, and a listener added for two types is two registrations.
 *
 * A listener that throws, or an async one whose promise rejects, is reported to `onError` as a
 * fatal "application" error, close code 1011, a microtask on; only the first is reported, so a
 * report that leads to another failure (an "error" listener that throws on it) cannot loop.
 * {@linkcode GuardedListeners} is the transport's; `SessionMetrics`, an `EventTarget` of its own,
 * guards its "metric" and "summary" listeners with one of these, reporting on its transport.
 */
export class ListenerGuards {
  readonly #onError: (error: TransportError) => void;
  /** Whose listeners these are, for the message ("" for the transport's own). */
  readonly #owner: string;
  /**
   * Each listener's guard; weak: a listener removed and dropped by the caller takes it along.
   * Made with the first guard, as is `#reached`: a session no listener is added to (the push
   * surface's, often) holds neither (about 0.4 KB with their tables).
   */
  #guards: WeakMap<object, EventListener> | undefined;
  /** The events that reached one of these listeners; weak: each goes with its dispatch. */
  #reached: WeakSet<object> | undefined;
  #failed = false;

  /**
   * `onError`: where a listener's exception is reported. `owner`: whose listeners these are,
   * named in the message (`a SessionMetrics "summary" listener threw: …`).
   */
  constructor(onError: (error: TransportError) => void, owner = "") {
    this.#onError = onError;
    this.#owner = owner === "" ? "" : `${owner} `;
  }

  /**
   * The guard to register in `listener`'s place, made on first use. `null`, or anything not a
   * function nor an object, passes unchanged, for the `EventTarget` to ignore or refuse as usual.
   */
  guard(listener: AnyListener): EventListenerOrEventListenerObject | null {
    if (!isListener(listener)) return listener as null;
    const guards = this.#guards ??= new WeakMap();
    let guard = guards.get(listener);
    if (guard === undefined) guards.set(listener, guard = this.#guardFor(listener));
    return guard;
  }

  /** The guard registered in `listener`'s place, or `listener` itself if it never was added. */
  guarded(listener: AnyListener): EventListenerOrEventListenerObject | null {
    const guard = isListener(listener) ? this.#guards?.get(listener) : undefined;
    return guard ?? listener as EventListenerOrEventListenerObject | null;
  }

  /** Whether `event` reached one of these listeners (a `once` one too, gone since). */
  reached(event: object): boolean {
    return this.#reached?.has(event) ?? false;
  }

  #guardFor(listener: object): EventListener {
    const threw = this.#threw;
    const reached = this.#reached ??= new WeakSet();
    // The event typed by what is read of it: under Node's types `Event` has two declarations.
    return function (this: unknown, event: { readonly type: string }): void {
      reached.add(event);
      try {
        // As the EventTarget would call it: a function on the target, or the object's
        // `handleEvent`, looked up now (one that is not a function throws, and is reported).
        const result: unknown = typeof listener === "function"
          ? listener.call(this, event)
          : (listener as { handleEvent(event: unknown): unknown }).handleEvent(event);
        const then = (result as Partial<PromiseLike<void>> | null | undefined)?.then;
        if (typeof then === "function") {
          then.call(result, undefined, (cause: unknown) => threw(event.type, cause));
        }
      } catch (cause) {
        threw(event.type, cause);
      }
    };
  }

  #threw = (type: string, cause: unknown): void => {
    if (this.#failed) return;
    this.#failed = true; // at once: the report is an "error" event, whose listener may throw too
    const message = `a ${this.#owner}"${type}" listener threw: ${thrownText(cause)}`;
    const error = new TransportError("application", message, {
      cause,
      closeCode: 1011,
      fatal: true,
    });
    // A microtask on, not inside the dispatch: the event reaches its other listeners before they
    // hear of the failure (an "error" listener's own, after the error it threw on), and the
    // code that dispatched it goes on as after a listener that returned.
    queueMicrotask(() => this.#onError(error));
  };
}

/**
 * The transport's listeners: each behind a guard ({@linkcode ListenerGuards}), and the "error"
 * events going out through it too: one that reached no listener's guard is held (`report`) until
 * `added` sees the next "error" listener.
 *
 * A listener that throws, or an async one whose promise rejects, ends its session as a throwing
 * `receive()` handler or session observer does (_inbound_path.ts, _observer_list.ts): a fatal
 * "application" error, close code 1011, reported once as an "error" event (a microtask on). A
 * listener is session code like them (README, Security: a failing session callback ends that
 * session), and one that failed half-way, a "connected" listener that never set the call up,
 * leaves a session its own application no longer follows: going on would only hide the bug.
 * Nothing is counted in `stats`, as for a handler or an observer: the "error" event is the
 * report. Only the first is reported: an "error" listener that throws on that very report (or on
 * any later one) is not reported again, so it cannot loop.
 */
export class GuardedListeners extends ListenerGuards {
  readonly #target: EventTarget;
  readonly #stats: TransportStats;
  /** The errors no listener heard: made at the first error (most sessions report none). */
  #unheard: UnheardErrors | undefined;

  /**
   * `target`: the transport, where "error" events are dispatched; {@linkcode reportError} on it
   * reports here from now on.
   */
  constructor(target: EventTarget, options: GuardedListenersOptions) {
    super(options.onError);
    this.#target = target;
    this.#stats = options.stats;
    transportListeners.set(target, this);
  }

  /** Dispatches `error` as an "error" event now, or holds it until a listener is added. */
  report(error: TransportError): void {
    this.#unheard ??= new UnheardErrors(this.#stats, (error) => {
      const event = new TransportErrorEvent(error);
      this.#target.dispatchEvent(event);
      return this.reached(event);
    });
    this.#unheard.report(error);
  }

  /**
   * `listener`'s guard was registered for `type`: an "error" listener is handed the errors held
   * (one whose signal is aborted already was not registered).
   */
  added(type: string, listener: AnyListener, options: AddOptions | undefined): void {
    if (type !== "error" || !isListener(listener)) return;
    const signal = typeof options === "object" && options !== null ? options.signal : undefined;
    // None made: no error came, so none is held.
    if (!signal?.aborted) this.#unheard?.listenerAdded();
  }
}

/** Each transport's listeners, for {@linkcode reportError}: no public API for it on the transport. */
const transportListeners = new WeakMap<EventTarget, GuardedListeners>();

/**
 * Reports `error` on `target` as its own errors are: held while no "error" listener hears it, if
 * `target` is a transport with {@linkcode GuardedListeners}; otherwise (another `EventTarget` a
 * `SessionMetrics` was attached to) dispatched as an "error" event at once.
 */
export function reportError(target: EventTarget, error: TransportError): void {
  const listeners = transportListeners.get(target);
  if (listeners !== undefined) listeners.report(error);
  else target.dispatchEvent(new TransportErrorEvent(error));
}

function isListener(listener: unknown): listener is object {
  return typeof listener === "function" || (typeof listener === "object" && listener !== null);
}
