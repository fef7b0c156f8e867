// The surface fuzzer's listeners (surface_operations.ts): added and removed on every transport
// event type, in every way `addEventListener` takes them (a function, a `handleEvent` object,
// `once`, a signal aborted later), some throwing or rejecting; and the bookkeeping that checks what
// the transport did with them: a failing listener ends its session with 1011, and every "error"
// event is heard once by each listener it reaches, or held for the next one, or counted.
import type { TransportError, TransportErrorEvent, WebSocketTransport } from "../../mod.ts";
import type { Prng } from "./prng.ts";

/** Every event type the transport dispatches. */
export const EVENT_TYPES = [
  "connected",
  "disconnected",
  "sessiontimeout",
  "error",
  "inactive",
  "speakingstart",
  "speakingstop",
  "staleaudio",
] as const;

/** What a fuzzed listener's failure says: the seed and the listener, to find it in a report. */
export const FUZZ_FAILURE = "fuzz listener failure";

interface Added {
  id: number;
  type: string;
  listener: EventListenerOrEventListenerObject;
  capture: boolean;
  controller: AbortController | undefined;
}

/** The listeners one session adds, and what they heard. */
export class FuzzListeners {
  readonly #r: Prng;
  readonly #seed: number;
  readonly #transport: WebSocketTransport;
  readonly #added: Added[] = [];
  #ids = 0;
  /** Every error any listener of ours heard. */
  readonly heard = new Set<TransportError>();
  /** Problems found while listening (an error heard twice by one listener). */
  readonly problems: string[] = [];
  /**
   * The first listener failure, and whether the session had begun to end by the time the
   * transport reported it (see {@linkcode heardError}).
   */
  firstFailure: { endBegun: boolean; at: string } | undefined;
  #failurePending = false;
  /** Set by the fuzzer: whether anything has begun to end the session. */
  endBegun = () => false;
  /** Set by the fuzzer: where the session stands, for a report. */
  where = () => "";
  /** Set by the fuzzer: a fatal error was heard (the session is ending). */
  onFatal = () => {};

  constructor(r: Prng, seed: number, transport: WebSocketTransport) {
    this.#r = r;
    this.#seed = seed;
    this.#transport = transport;
  }

  /**
   * An "error" listener of the fuzzer's heard `error`. The report of a listener's failure is the
   * moment the transport acts on it (it closes with 1011 next): whether the session had begun to
   * end is judged then, not at the throw, as the report comes a microtask or more later (after the
   * fuzzer's other operations in the same turn, or a receive handler's close). A report held for
   * want of a listener is judged when it is handed over: later, so only more lenient.
   */
  heardError(error: TransportError): void {
    this.heard.add(error);
    if (this.#failurePending && error.message.includes(FUZZ_FAILURE)) {
      this.#failurePending = false;
      this.firstFailure!.endBegun ||= this.endBegun();
    }
    if (error.fatal) this.onFatal();
  }

  /** Adds an "error" listener that only hears (no failure), `once` or not; returns its id. */
  addErrorListener(once = false): number {
    const id = ++this.#ids;
    const listener = this.#make(id, "error", "none", "function");
    this.#transport.addEventListener("error", listener, { once });
    if (!once) {
      this.#added.push({ id, type: "error", listener, capture: false, controller: undefined });
    }
    return id;
  }

  /** Adds a random listener to a random event type; says what it added. */
  add(): string {
    const r = this.#r;
    const id = ++this.#ids;
    const type = r.pick([...EVENT_TYPES, "error", "error"]);
    const failure = r.pick(["none", "none", "none", "throw", "reject"] as const);
    const way = r.pick(["function", "object"] as const);
    const listener = this.#make(id, type, failure, way);
    const how = r.pick(["plain", "capture", "once", "signal", "signal aborted"] as const);
    let controller: AbortController | undefined;
    const capture = how === "capture";
    if (how === "plain") this.#transport.addEventListener(type, listener);
    else if (how === "capture") this.#transport.addEventListener(type, listener, true);
    else if (how === "once") this.#transport.addEventListener(type, listener, { once: true });
    else {
      controller = new AbortController();
      if (how === "signal aborted") controller.abort();
      this.#transport.addEventListener(type, listener, { signal: controller.signal });
    }
    this.#added.push({ id, type, listener, capture, controller });
    return `add ${type} listener #${id} ${way} ${how} ${failure}`;
  }

  /** Removes a random listener added before (a `once` one may be gone already). */
  remove(): string {
    if (this.#added.length === 0) return "remove listener (none)";
    const i = this.#r.int(this.#added.length);
    const [a] = this.#added.splice(i, 1);
    // Now and then with the wrong capture flag: that removes nothing, and must not throw.
    const capture = this.#r.chance(0.1) ? !a!.capture : a!.capture;
    this.#transport.removeEventListener(a!.type, a!.listener, capture);
    if (capture !== a!.capture) this.#added.push(a!);
    return `remove ${a!.type} listener #${a!.id}${
      capture !== a!.capture ? " (wrong capture)" : ""
    }`;
  }

  /** Aborts the signal of a random listener added with one. */
  abort(): string {
    const withSignal = this.#added.filter((a) => a.controller !== undefined);
    if (withSignal.length === 0) return "abort listener signal (none)";
    const a = this.#r.pick(withSignal);
    a.controller!.abort();
    this.#added.splice(this.#added.indexOf(a), 1);
    return `abort ${a.type} listener #${a.id}'s signal`;
  }

  #make(
    id: number,
    type: string,
    failure: "none" | "throw" | "reject",
    way: "function" | "object",
  ): EventListenerOrEventListenerObject {
    const mine = new Set<TransportError>();
    const hear = (event: Event): boolean => {
      if (type === "error") {
        const error = (event as TransportErrorEvent).error;
        this.heardError(error);
        if (mine.has(error)) this.problems.push(`listener #${id} heard ${error.message} twice`);
        mine.add(error);
      }
      // Sometimes: a listener that always failed would end nearly every session at its first event.
      return failure !== "none" && this.#r.chance(0.3);
    };
    const fail = (): Error => {
      if (this.firstFailure === undefined) {
        this.#failurePending = true;
        this.firstFailure = {
          endBegun: false,
          at: `#${id} (${type} ${failure}, ${this.where()})`,
        };
      }
      return new Error(`${FUZZ_FAILURE} seed ${this.#seed} #${id} (${type} ${failure})`);
    };
    const call = failure === "reject"
      ? async (event: Event) => {
        if (hear(event)) throw fail();
        await Promise.resolve();
      }
      : (event: Event) => {
        if (hear(event)) throw fail();
      };
    return way === "function" ? call : { handleEvent: call };
  }
}
