/**
 * How what a session hands out reaches back into it without keeping it once it is over.
 *
 * An application may keep a serializer after its call (to read its call ids: `callSid`,
 * `sessionId`), and the serializer keeps the context the transport bound it with; it may keep
 * `SessionMetrics` for their final figures. Were what they keep to close over the session, one
 * kept serializer would keep the whole ended session: its transport, socket, queues and
 * observers. So they reach the session weakly ({@linkcode heldWeakly}), the session holding what
 * they reach for as long as it lasts: a late answer (an asynchronous decode, a count) still lands
 * while anything holds the session (its transport, whose `stats` someone may read); once nothing
 * does, there is nobody to tell. And the session's abort reasons are made outside any session
 * ({@linkcode SESSION_OVER}).
 *
 * @module
 */

/** What {@linkcode heldWeakly} returns: the target, until it has been collected. */
export interface WeakHold<T extends object> {
  deref(): T | undefined;
}

/**
 * `target` held weakly where the runtime has weak references (workerd only with its
 * `enable_weak_ref` compatibility flag:
 * https://developers.cloudflare.com/changelog/2025-05-08-finalization-registry); held strongly
 * where it has none. What it reaches must be held strongly by the session itself for as long as
 * the session lasts: held by this alone, it would be collected at the next collection.
 */
export function heldWeakly<T extends object>(target: T): WeakHold<T> {
  return typeof WeakRef === "function" ? new WeakRef(target) : { deref: () => target };
}

/**
 * The reason a session's own abort controllers are aborted with, made once, outside any session:
 * an error made inside one keeps its call stack's objects (the transport among them) reachable
 * for as long as the error is, and every signal a serializer kept holds its reason.
 */
export const SESSION_OVER: DOMException = new DOMException("The session is over", "AbortError");
