/**
 * A session's observers, shared by the transport and its inbound and outbound paths.
 *
 * @module
 */

import type { SessionObserver } from "./session_observer.ts";

/**
 * The observers of one session. `list` is replaced, never changed in place, on every add and
 * remove: an observer that stops observing while it is being told of something (metrics that
 * detach when told the session closed) leaves the loop telling the others intact, where a
 * splice would make it skip the next one.
 */
export class ObserverList {
  /** The observers now, in the order they were added; read it afresh for each event. */
  list: readonly SessionObserver[] = [];

  /** Adds `observer`; returns a function that removes it. */
  add(observer: SessionObserver): () => void {
    this.list = [...this.list, observer];
    return () => {
      const index = this.list.indexOf(observer);
      if (index >= 0) this.list = [...this.list.slice(0, index), ...this.list.slice(index + 1)];
    };
  }
}
