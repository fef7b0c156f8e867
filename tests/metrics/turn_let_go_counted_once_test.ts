// A turn end told after the bot began 16 newer spells is answered by a spell no longer kept: the
// turn counts in `turnLatency.unmeasured` (README, "Metrics"), once. Counted so, another end of the
// same turn told as late (the caller paused and went on) is that turn going on, as one answered
// by a spell kept is (late_turn_ends_one_batch_test.ts), and so is an end of a turn measured
// before its answer was let go; two turns, each answered by its own spell let go, are two.
import assert from "node:assert/strict";
import { botSpell, meteredOnSteppingClock, SteppingClock } from "./_hand_made_transport.ts";

/** The metrics on a clock whose time the test sets; the test tells the bot's spells. */
function meteredSession() {
  const clock = new SteppingClock();
  const { transport, metrics, latencies, closed } = meteredOnSteppingClock(clock);
  /** The bot becomes audible at `at`, and falls silent 100 ms later, its reply played. */
  const botSpeaks = (at: number) => botSpell(clock, transport, at);
  /** 16 spells of the bot's, 200 ms apart from `from` on: a spell before them is let go. */
  const sixteenSpells = (from: number) => {
    for (let i = 0; i < 16; i++) botSpeaks(from + i * 200);
  };
  /** The turn's figures so far. */
  const turns = () => {
    const { count, unmeasured } = metrics.snapshot().turnLatency;
    return { latencies, count, unmeasured };
  };
  return { clock, metrics, botSpeaks, sixteenSpells, turns, closed };
}

Deno.test("a turn going on whose answer was let go, its ends told late, counts once", () => {
  const s = meteredSession();
  s.botSpeaks(1700); // answers the turn 1000–1600, a pause at 1500–1550 in it: let go below
  s.sixteenSpells(1900);
  s.clock.time = 5200; // all told now
  s.metrics.callerSpeechStarted(1000);
  s.metrics.callerTurnEnded(1500);
  s.metrics.callerSpeechStarted(1550);
  s.metrics.callerTurnEnded(1600);
  assert.deepEqual(s.turns(), { latencies: [], count: 0, unmeasured: 1 });
  s.botSpeaks(6000); // no turn waits for it
  s.closed();
  assert.deepEqual(s.turns(), { latencies: [], count: 0, unmeasured: 1 }, "nor at the end");
  assert.match(s.metrics.summary(), / turns=0 turns_unmeasured=1 /);
});

Deno.test("an earlier end of a turn measured, told after its answer was let go, counts for nothing", () => {
  const s = meteredSession();
  s.clock.time = 1000;
  s.metrics.callerSpeechStarted();
  s.clock.time = 1600;
  s.metrics.callerTurnEnded(); // told at once
  s.botSpeaks(1700); // answers it: 100 ms
  s.botSpeaks(1800); // the answer's next sentence: the first spell let go below
  s.sixteenSpells(1900); // the answer let go
  s.clock.time = 5200;
  s.metrics.callerTurnEnded(1500); // the pause at 1500, told very late by another source
  s.closed();
  assert.deepEqual(s.turns(), { latencies: [100], count: 1, unmeasured: 0 });
});

Deno.test("two turns whose answers were both let go count twice", () => {
  const s = meteredSession();
  s.botSpeaks(1700); // answers the turn 1000–1500
  s.botSpeaks(2700); // answers the turn 2000–2500
  s.sixteenSpells(2900);
  s.clock.time = 6200;
  s.metrics.callerSpeechStarted(1000);
  s.metrics.callerTurnEnded(1500);
  s.metrics.callerSpeechStarted(2000);
  s.metrics.callerTurnEnded(2500);
  s.closed();
  assert.deepEqual(s.turns(), { latencies: [], count: 0, unmeasured: 2 });
});
