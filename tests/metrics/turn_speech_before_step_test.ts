// The caller's speech or turn end from before the clock stepped back, told after the step: its
// time is still to come (README, "Metrics": a time still to come is taken as now). As what the
// metrics kept from before the step, it is before everything told since (the barge-in meter's
// rule, src/metrics/_barge_ins.ts): speech from then takes back no turn ended since, nor makes
// the bot's spells since too early to answer one; a turn end from then is answered by the bot's
// first spell since, 0 ms where its length is unknown (a latency below zero is 0 ms).
import assert from "node:assert/strict";
import { botSpell, meteredOnSteppingClock, SteppingClock } from "./_hand_made_transport.ts";

/**
 * The metrics on a clock that steps back from 5000 to 600, the bot speaking at 4900 before the
 * step: the turn meter knows of the step from the times it is told (the spell at 4900, then one
 * after the step), as it must to tell a time from before it from one on a clock a few ms ahead of
 * its own (turn_clock_ahead_test.ts).
 */
function steppedSession() {
  const clock = new SteppingClock();
  const { transport, metrics, latencies, closed } = meteredOnSteppingClock(clock);
  /** The bot becomes audible at `at`, and falls silent 100 ms later, its reply played. */
  const botSpeaks = (at: number) => botSpell(clock, transport, at);
  botSpeaks(4900); // answers nothing of the caller's
  clock.time = 600;
  /** Ends the session; the turns measured and counted unmeasured. */
  const turns = () => {
    closed();
    const { count, unmeasured } = metrics.snapshot().turnLatency;
    return { latencies, count, unmeasured };
  };
  return { clock, metrics, botSpeaks, turns };
}

Deno.test("speech from before a clock's step back, told after it, does not take back a turn ended since", () => {
  const s = steppedSession();
  s.clock.time = 700;
  s.metrics.callerTurnEnded(); // told at once
  s.clock.time = 750;
  s.metrics.callerSpeechStarted(4800); // when the turn began, told late: before the step
  s.botSpeaks(900);
  assert.deepEqual(s.turns(), { latencies: [200], count: 1, unmeasured: 0 });
});

Deno.test("speech from before a clock's step back, told after it, leaves the bot's spells since to answer a turn end told late", () => {
  const s = steppedSession();
  s.botSpeaks(900); // answers the turn that ended at 700
  s.clock.time = 1000;
  s.metrics.callerSpeechStarted(4800); // the turn began before the step
  s.clock.time = 1100;
  s.metrics.callerTurnEnded(700);
  s.botSpeaks(3000); // the bot's next reply: no turn waits for it
  assert.deepEqual(s.turns(), { latencies: [200], count: 1, unmeasured: 0 });
});

Deno.test("a turn end from before a clock's step back, told after it, is answered by the bot's first spell since", () => {
  const s = steppedSession();
  s.botSpeaks(900);
  s.clock.time = 1000;
  s.metrics.callerTurnEnded(4500); // before the step, so before the spell at 900
  s.botSpeaks(3000); // the bot's next reply: no turn waits for it
  assert.deepEqual(s.turns(), { latencies: [0], count: 1, unmeasured: 0 });
});
