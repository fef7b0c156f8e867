// What `SessionMetrics` counts unmeasured (`turnLatency.unmeasured`) is a turn end told after 16
// newer spells of the bot's: at or before the latest spell let go. A clock that steps back breaks
// the `Clock` contract, but a custom one may (README, "Metrics": a time still to come is taken as
// now, the metrics never throw over the clock), and a figure off by a step is no reason to call
// every turn after it lost: a spell let go that began after now began before the clock stepped
// back, and says nothing of a turn told at once.
import assert from "node:assert/strict";
import { SessionMetrics, type TransportStats } from "../../mod.ts";
import type { MeteredTransport } from "../../src/metrics/session_metrics.ts";
import type { Clock } from "../../src/clock.ts";
import type { SessionObserver } from "../../src/session_observer.ts";

/** A clock whose time the test sets (only `now` is read by the metrics). */
class SetClock {
  time = 1000;
  now(): number {
    return this.time;
  }
  asClock(): Clock {
    return this as unknown as Clock;
  }
}

/** A transport of the metrics' own shape: the test tells the bot's spells; `closed()` ends it. */
function meteredSession(clock: SetClock) {
  let observer: SessionObserver | undefined;
  const transport = Object.assign(new EventTarget(), {
    observe(o: SessionObserver) {
      observer = o;
      return () => (observer = undefined);
    },
    stats: {} as TransportStats,
  }) satisfies MeteredTransport;
  const metrics = SessionMetrics.attach(transport, { speech: false, clock: clock.asClock() });
  const latencies: number[] = [];
  metrics.addEventListener("metric", (e) => latencies.push(e.value));
  /** The bot becomes audible at `at`, and falls silent 100 ms later, done. */
  const botSpeaks = (at: number) => {
    clock.time = at;
    transport.dispatchEvent(new Event("speakingstart"));
    clock.time = at + 100;
    transport.dispatchEvent(Object.assign(new Event("speakingstop"), { reason: "done" }));
  };
  /** The bot becomes audible at `at` in `responseId`, and cuts it itself 200 ms later. */
  const botCuts = (at: number, responseId: string) => {
    clock.time = at;
    transport.dispatchEvent(Object.assign(new Event("speakingstart"), { responseId }));
    clock.time = at + 200;
    transport.dispatchEvent(
      Object.assign(new Event("speakingstop"), { reason: "interrupted", responseId }),
    );
  };
  const closed = () => observer?.closed?.({} as never);
  return { metrics, latencies, botSpeaks, botCuts, closed };
}

Deno.test("turns told at once after the clock stepped back past a spell let go are measured, none unmeasured", () => {
  const clock = new SetClock();
  const s = meteredSession(clock);
  // A greeting of 17 spells (1000 … 4200) no turn of the caller's asked for: the first is let go.
  for (let i = 0; i <= 16; i++) s.botSpeaks(1000 + i * 200);
  // A turn, told at once, answered 200 ms later.
  clock.time = 4400;
  s.metrics.callerSpeechStarted();
  clock.time = 4500;
  s.metrics.callerTurnEnded();
  s.botSpeaks(4700);
  // The clock steps back 4 s; the conversation goes on, each turn told at once.
  for (const t of [600, 1000]) {
    clock.time = t;
    s.metrics.callerSpeechStarted();
    clock.time = t + 100;
    s.metrics.callerTurnEnded();
    s.botSpeaks(t + 300);
  }
  s.closed();
  const { turnLatency } = s.metrics.snapshot();
  assert.deepEqual(s.latencies, [200, 200, 200], "each turn against the spell that answered it");
  assert.equal(turnLatency.unmeasured, 0, "no turn end was told after 16 newer spells");
});

Deno.test("speech told at once after the clock stepped back into an interruption let go is no barge-in lost", () => {
  const clock = new SetClock();
  const s = meteredSession(clock);
  // 17 replies the bot cuts itself (no speech claims them), 1000 … 4500: the first is let go.
  for (let i = 0; i <= 16; i++) s.botCuts(1000 + i * 220, `r${i}`);
  // The clock steps back 4 s, into the first one's window; the caller speaks, told at once.
  clock.time = 600;
  s.metrics.callerSpeechStarted();
  s.closed();
  assert.equal(s.metrics.snapshot().bargeInStopLatency.unmeasured, 0, "no barge-in was told late");
});
