// A clock that steps backwards breaks the `Clock` contract, but a custom one (or `performance.now`
// read across workers) may: the metrics take a time still to come as now and a negative latency
// as 0 ms, and never throw over it (a throw in the bot's turn handling would end its session).
import assert from "node:assert/strict";
import { meteredOnSteppingClock, SteppingClock } from "./_hand_made_transport.ts";

/** The metrics on `clock`; `botSpeaks()` the bot becoming audible, `closed()` ends the session. */
function meteredSession(clock: SteppingClock) {
  const { transport, metrics, latencies, closed } = meteredOnSteppingClock(clock);
  const botSpeaks = () => transport.dispatchEvent(new Event("speakingstart"));
  return { metrics, latencies, botSpeaks, closed };
}

Deno.test("`SessionMetrics.callerTurnEnded` takes a time after a clock's step back as now", () => {
  const clock = new SteppingClock();
  const s = meteredSession(clock);
  const toldAt = clock.now(); // 1000: the bot's recognizer read the clock...
  clock.time = 990; // ...and it stepped back 10 ms before the bot told us
  s.metrics.callerTurnEnded(toldAt);
  clock.time = 1200;
  s.botSpeaks();
  assert.deepEqual(s.latencies, [210], "the turn ended at 990, the clock's now when told");
  assert.throws(() => s.metrics.callerTurnEnded(NaN), /callerTurnEnded: at must be a finite/);
});

Deno.test("`SessionMetrics.callerTurnEnded` reads its default time once: a step between reads is no time to come", () => {
  const clock = new SteppingClock();
  const s = meteredSession(clock);
  clock.stepBack = 1; // every read 1 ms before the one before it
  s.metrics.callerTurnEnded();
  s.metrics.callerSpeechStarted();
  s.metrics.callerTurnEnded();
  assert.equal(s.metrics.ended, false);
});

Deno.test("`SessionMetrics` measures a turn answered after the clock stepped back as 0 ms, not below", () => {
  const clock = new SteppingClock();
  const s = meteredSession(clock);
  s.metrics.callerTurnEnded(); // at 1000
  clock.time = 900;
  s.botSpeaks();
  assert.deepEqual(s.latencies, [0]);
  assert.equal(s.metrics.snapshot().turnLatency.last, 0);
  s.closed();
});

Deno.test("`SessionMetrics`' session length is 0 ms, not below, when the clock steps back past the attach", () => {
  const clock = new SteppingClock();
  const s = meteredSession(clock); // attached at 1000
  clock.time = 990;
  assert.equal(s.metrics.snapshot().durationMs, 0, "`voice.session.duration`, a histogram");
  s.closed(); // ends at 990
  assert.equal(s.metrics.snapshot().durationMs, 0);
  assert.match(s.metrics.summary(), /^session_ms=0 /);
});
