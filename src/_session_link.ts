/**
 * How what a session hands out reaches back into it without keeping it once it is over.
 *
 * An application may keep a serializer after its call (to read its call ids: `callSid`,
 * `sessionId`), and the serializer keeps the context the transport bound it with. Were that
 * context's functions to close over the session's paths, one kept serializer would keep the
 * whole ended session: its transport, socket, queues and observers. So they reach the session
 * through a link: strong while the session runs, weak once it is over. A late answer (an
 * asynchronous decode, a count) still lands while anything else holds the session (its
 * transport, whose `stats` someone may read); once nothing does, there is nobody to tell.
 *
 * @module
 */

/** A reference held strongly until {@linkcode SessionLink.loosen}, weakly after. */
export class SessionLink<T extends object> {
  #strong: T | undefined;
  #weak: WeakRef<T> | undefined;

  constructor(target: T) {
    this.#strong = target;
  }

  /** What the link reaches: while held strongly, or until it has been collected. */
  get target(): T | undefined {
    return this.#strong ?? this.#weak?.deref();
  }

  /**
   * The session is over: from now on the link keeps nothing alive. Where the runtime has no weak
   * references (Workers without the `enable_weak_ref` compatibility flag) it stays strong. The
   * session must hold the target itself: held by the link alone, it would be collected at the
   * next collection however long the session is kept, and a late call would reach nobody.
   */
  loosen(): void {
    const target = this.#strong;
    if (target === undefined || typeof WeakRef !== "function") return;
    this.#weak = new WeakRef(target);
    this.#strong = undefined;
  }
}

/**
 * The reason a session's own abort controllers are aborted with, made once, outside any session:
 * an error made inside one keeps its call stack's objects (the transport among them) reachable
 * for as long as the error is, and every signal a serializer kept holds its reason.
 */
export const SESSION_OVER: DOMException = new DOMException("The session is over", "AbortError");
