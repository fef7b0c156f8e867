// A turn the caller took back (went on speaking before the bot answered) is measured from its real
// end, the later one, when its events are told late and out of order (README, "Metrics": a turn's
// latency runs "from where the caller's speech ended"). The caller speaks 1000–1500, pauses, goes
// on at 1550 and ends at 1600; the bot answers at 1700: 100 ms. Only what is told decides: a turn
// end told in order before the speech that takes it back is measured as it is told, from its first
// end (late_turn_ends_one_batch_test.ts: nothing told yet says the caller went on, and a "metric"
// event once sent is not taken back).
import assert from "node:assert/strict";
import { botSpell, meteredOnSteppingClock, SteppingClock } from "./_hand_made_transport.ts";

/** The metrics on a clock whose time the test sets; the test tells the bot's spells. */
function meteredSession() {
  const clock = new SteppingClock();
  const { transport, metrics, latencies, closed } = meteredOnSteppingClock(clock);
  /** The bot becomes audible at `at`, and falls silent 100 ms later, its reply played. */
  const botSpeaks = (at: number) => botSpell(clock, transport, at);
  /** Ends the session; the turns measured and counted unmeasured. */
  const turns = () => {
    closed();
    const { count, unmeasured } = metrics.snapshot().turnLatency;
    return { latencies, count, unmeasured };
  };
  return { clock, metrics, botSpeaks, turns };
}

Deno.test("a turn end told late after the speech that took it back is not measured; the turn's real end is", () => {
  const s = meteredSession();
  s.botSpeaks(1700);
  s.clock.time = 2800; // all told now, the speech going on before the pause's end
  s.metrics.callerSpeechStarted(1000);
  s.metrics.callerSpeechStarted(1550);
  s.metrics.callerTurnEnded(1500);
  s.metrics.callerTurnEnded(1600);
  assert.deepEqual(s.turns(), { latencies: [100], count: 1, unmeasured: 0 });
});

Deno.test("a turn end told late before the later end of the same turn, still unanswered, leaves it waiting", () => {
  const s = meteredSession();
  s.clock.time = 1000;
  s.metrics.callerSpeechStarted();
  s.clock.time = 1600;
  s.metrics.callerTurnEnded(); // told at once
  s.clock.time = 1650;
  s.metrics.callerTurnEnded(1500); // the pause at 1500, told late by another source
  s.botSpeaks(1700);
  assert.deepEqual(s.turns(), { latencies: [100], count: 1, unmeasured: 0 });
});

Deno.test("a turn's own speech start told after its end does not take the turn back", () => {
  const s = meteredSession();
  s.clock.time = 1600;
  s.metrics.callerTurnEnded(); // told at once
  s.clock.time = 1650;
  s.metrics.callerSpeechStarted(1000); // the recognizer's word of when the turn began, late
  s.botSpeaks(1700);
  assert.deepEqual(s.turns(), { latencies: [100], count: 1, unmeasured: 0 });
});

Deno.test("a turn end told after the next turn's speech began is measured against its own answer", () => {
  const s = meteredSession();
  s.clock.time = 1000;
  s.metrics.callerSpeechStarted();
  s.botSpeaks(1700); // answers the turn 1000–1500, whose end is told only at 2150
  s.clock.time = 2100;
  s.metrics.callerSpeechStarted(); // the next turn, told at once
  s.clock.time = 2150;
  s.metrics.callerTurnEnded(1500);
  s.clock.time = 2300;
  s.metrics.callerTurnEnded();
  s.botSpeaks(2600);
  assert.deepEqual(s.turns(), { latencies: [200, 300], count: 2, unmeasured: 0 });
});
