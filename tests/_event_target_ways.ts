/**
 * What a guarded `EventTarget` (the transport, `SessionMetrics`: each listener behind a guard of
 * its own) must keep of the standard's ways, checked on two event types `a` and `b` of `target`.
 *
 * @module
 */

import assert from "node:assert/strict";

/**
 * Asserts, by dispatching plain events of types `a` and `b` on `target`: one registration per
 * type and capture, `handleEvent` objects, `once`, `signal`, capture kept apart on removal, removal
 * by the listener it was added as (and adding it again), and `this` being the target.
 */
export function assertEventTargetWays(target: EventTarget, a: string, b: string): void {
  const calls: string[] = [];
  const plain = function (this: unknown, event: { type: string }) {
    calls.push(`plain ${event.type} ${this === target}`);
  };
  // Twice for the same type and capture is one registration; another type is another.
  target.addEventListener(a, plain);
  target.addEventListener(a, plain);
  target.addEventListener(b, plain);
  target.addEventListener(a, {
    handleEvent: (e: { type: string }) => void calls.push(`object ${e.type}`),
  });
  target.addEventListener(a, () => void calls.push("once"), { once: true });
  const stop = new AbortController();
  target.addEventListener(a, () => void calls.push("until aborted"), { signal: stop.signal });
  const captured = () => void calls.push("captured");
  target.addEventListener(a, captured, { capture: true });
  target.dispatchEvent(new Event(a));
  assert.deepEqual(calls, [`plain ${a} true`, `object ${a}`, "once", "until aborted", "captured"]);

  calls.length = 0;
  stop.abort();
  target.removeEventListener(a, captured); // not the capture registration: it stays
  target.dispatchEvent(new Event(a));
  target.dispatchEvent(new Event(b));
  assert.deepEqual(calls, [`plain ${a} true`, `object ${a}`, "captured", `plain ${b} true`]);

  calls.length = 0;
  target.removeEventListener(a, plain);
  target.removeEventListener(a, captured, { capture: true });
  target.removeEventListener(a, () => {}); // never added: nothing happens
  target.dispatchEvent(new Event(a));
  target.dispatchEvent(new Event(b));
  assert.deepEqual(calls, [`object ${a}`, `plain ${b} true`]);

  // Removed by the listener it was added as, then added again: called again.
  calls.length = 0;
  target.addEventListener(a, plain);
  target.dispatchEvent(new Event(a));
  assert.deepEqual(calls, [`object ${a}`, `plain ${a} true`]);
}
