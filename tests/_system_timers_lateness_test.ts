// Timers due together run one after another in one runtime task (a shared millisecond bucket, a
// tolerance's sweep): one session's slow callback makes the next due ones late. The sweep's own
// clock reading only chooses which timers are due; no callback is handed it, so each reads the
// clock itself and sees its own lateness (the pump places audio by that reading, the tracker
// settles a goodbye's playout by it). Checked on virtual time: `performance.now`, `setTimeout`
// and `clearTimeout` replaced, and a callback that "works" moves that time on.

import assert from "node:assert/strict";
import { systemTimers } from "../src/_system_timers.ts";

/** Runs `test` on virtual time; `run()` fires the runtime timers in order of their due time. */
function onVirtualTime(test: (time: VirtualTime) => void): void {
  const saved = {
    now: Object.getOwnPropertyDescriptor(performance, "now"),
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
  };
  const time = new VirtualTime();
  Object.defineProperty(performance, "now", { value: () => time.now, configurable: true });
  globalThis.setTimeout =
    ((callback: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) =>
      time.add(() => callback(...args), ms)) as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((id: number) => time.remove(id)) as typeof clearTimeout;
  try {
    test(time);
  } finally {
    if (saved.now) Object.defineProperty(performance, "now", saved.now);
    else delete (performance as { now?: unknown }).now;
    globalThis.setTimeout = saved.setTimeout;
    globalThis.clearTimeout = saved.clearTimeout;
  }
}

class VirtualTime {
  now = 1000;
  #next = 1;
  readonly #pending = new Map<number, { due: number; run: () => void }>();

  add(run: () => void, ms: number): number {
    const id = this.#next++;
    this.#pending.set(id, { due: this.now + Math.max(0, ms), run });
    return id;
  }

  remove(id: number): void {
    this.#pending.delete(id);
  }

  /** Fires every runtime timer due by `until`, each in its turn, time moving to it if earlier. */
  run(until: number): void {
    for (;;) {
      let first: [number, { due: number; run: () => void }] | undefined;
      for (const entry of this.#pending) if (!first || entry[1].due < first[1].due) first = entry;
      if (!first || first[1].due > until) break;
      this.#pending.delete(first[0]);
      this.now = Math.max(this.now, first[1].due);
      first[1].run();
    }
    this.now = Math.max(this.now, until);
  }

  get pending(): number {
    return this.#pending.size;
  }
}

for (const toleranceMs of [0, 20]) {
  const kind = toleranceMs === 0
    ? "exact timers sharing a millisecond"
    : "tolerant timers sharing a sweep";
  Deno.test(`${kind}: one due after another's slow callback reads the clock after it`, () => {
    onVirtualTime((time) => {
      const clock = systemTimers(true);
      const seen: Record<string, number> = {};
      const start = clock.now();
      const slow = clock.timer(() => {
        seen.slow = clock.now();
        time.now += 50; // another session's listener, working 50 ms
      }, { toleranceMs });
      const next = clock.timer(() => seen.next = clock.now(), { toleranceMs });
      const later = clock.timer(() => seen.later = clock.now(), { toleranceMs });
      slow.arm(10, start);
      next.arm(10, start);
      later.arm(toleranceMs === 0 ? 30 : 15, start); // due while the slow callback works
      time.run(start + 100);
      assert.ok(seen.slow! >= start + 10);
      assert.equal(seen.next, seen.slow! + 50, "its lateness is its own reading");
      assert.ok(seen.later! >= seen.slow! + 50, "not before its moment, nor before the work ends");
      assert.ok(
        seen.later! <= seen.slow! + 50 + toleranceMs,
        "and no later than its tolerance after",
      );
      assert.equal(time.pending, 0, "no runtime timer left behind");
    });
  });
}
