/**
 * The check on what `observe` is given: a session observer is an object (or a function) whose
 * methods, the ones it has, are looked up by name and called.
 *
 * @module
 */

import { kindOf } from "./_kind_of.ts";
import type { SessionObserver } from "./session_observer.ts";

/**
 * The methods an observer may have (`SessionObserver`), each called when its event comes: a
 * record of every key, so that a method added to the interface and not here fails to compile.
 */
const OBSERVER_METHODS = Object.keys(
  {
    observing: true,
    inboundAudio: true,
    inboundPacket: true,
    outboundAudio: true,
    playoutLag: true,
    playoutMoved: true,
    playoutHeld: true,
    interrupted: true,
    outboundDropped: true,
    closed: true,
  } satisfies Record<keyof SessionObserver, true>,
) as (keyof SessionObserver)[];

/**
 * `observer`, once it is known to be an object (or a function) whose observer methods are each a
 * function or absent; throws a `TypeError` naming what is wrong otherwise. Checked at the call,
 * where the mistake is: taken, a number or a string broke the telling of the session's end (the
 * observers told it are held weakly, and only an object can be) inside the socket's close
 * listener, where the throw escaped to the process and `closed` never settled; a method that is
 * no function ended the session at its first event, far from the mistake.
 */
export function checkedObserver(observer: SessionObserver): SessionObserver {
  const kind = typeof observer;
  if ((kind !== "object" || observer === null) && kind !== "function") {
    throw new TypeError(`observe takes a SessionObserver object, got ${kindOf(observer)}`);
  }
  for (const name of OBSERVER_METHODS) {
    const method: unknown = observer[name];
    if (method !== undefined && typeof method !== "function") {
      throw new TypeError(
        `the observer's ${name} must be a function (or none), got ${kindOf(method)}`,
      );
    }
  }
  return observer;
}
