// Turns after the clock steps back. A clock that steps back breaks the `Clock` contract, but a
// custom one may (README, "Metrics": a time still to come is taken as now). The bot's spells that
// answered no turn yet are kept for a turn end told late; kept from before the step, they read as
// times still to come, and a turn told after the step was measured against one of them (the
// first kept spell at or after its end): seconds too long, and the spell that answered it left
// unmeasured.
import assert from "node:assert/strict";
import { botSpell, meteredOnSteppingClock, SteppingClock } from "./_hand_made_transport.ts";

Deno.test("a turn told after a clock's step back is measured against the spell after it, not one from before the step", () => {
  const clock = new SteppingClock();
  const { transport, metrics, latencies, closed } = meteredOnSteppingClock(clock);
  /** The bot becomes audible at `at`, and falls silent 100 ms later, its reply played. */
  const botSpeaks = (at: number) => botSpell(clock, transport, at);
  botSpeaks(4000); // a greeting no turn asked for, kept for a turn end told late
  // The clock steps back to 600; the caller talks 600–700, told at once; the bot answers at 900.
  clock.time = 600;
  metrics.callerSpeechStarted();
  clock.time = 700;
  metrics.callerTurnEnded();
  botSpeaks(900);
  closed();
  assert.deepEqual(latencies, [200]);
  const { turnLatency } = metrics.snapshot();
  assert.equal(turnLatency.count, 1);
  assert.equal(turnLatency.unmeasured, 0);
});

Deno.test("a turn told after a clock's step back is measured though the turn before it was answered after the step's time", () => {
  const clock = new SteppingClock();
  const { transport, metrics, latencies, closed } = meteredOnSteppingClock(clock);
  const botSpeaks = (at: number) => botSpell(clock, transport, at);
  const turn = (from: number, to: number) => {
    clock.time = from;
    metrics.callerSpeechStarted();
    clock.time = to;
    metrics.callerTurnEnded();
  };
  turn(3000, 3500);
  botSpeaks(4000); // answers it
  // The clock steps back to 600: a turn told at once is no part of the one answered at 4000.
  turn(600, 700);
  botSpeaks(900);
  closed();
  assert.deepEqual(latencies, [500, 200]);
});
