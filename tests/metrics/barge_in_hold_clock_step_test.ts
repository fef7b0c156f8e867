// A hold of the far end's playout kept from before a clock's step back. A clock that steps back
// breaks the `Clock` contract, but a custom one may (README, "Metrics": what the metrics kept from
// before the step — the bot's spells and silences — is taken as before everything told since, so
// a barge-in after the step is measured against the bot after it). The far end's hold the bot
// asked for (Asterisk's `PAUSE_MEDIA`, `SessionObserver.playoutHeld`) is such a silence: kept as
// it was, its time read as still to come, later than a response begun after the step, and an
// interruption of that response was taken as held since then — the caller said to have heard the
// bot stop at the hold, seconds after the barge-in — measuring the time back across the step.
import assert from "node:assert/strict";
import { meteredOnSteppingClock, responsesTold, SteppingClock } from "./_hand_made_transport.ts";

/** The metrics on a clock whose time the test sets; the test tells the spells and holds. */
function meteredSession() {
  const clock = new SteppingClock();
  // The holds and cuts are told through the observer the metrics give the transport.
  const { transport, metrics, latencies, closed, observer } = meteredOnSteppingClock(clock);
  return {
    metrics,
    latencies,
    closed,
    ...responsesTold(clock, transport),
    /** The far end holds its playout (`held`), or plays on, from `at`. */
    holds: (at: number, held: boolean) => {
      clock.time = at;
      observer()!.playoutHeld?.({ at, held, position: 0 });
    },
    /** The interruption's cut is told at `at` (its clear left at once). */
    cut: (at: number) => {
      clock.time = at;
      observer()!.interrupted?.({ at, heardPosition: 0 });
    },
    /** The audio the far end held plays again from `playsAt` (told at `at`). */
    playsAgain: (at: number, playsAt: number) => {
      clock.time = at;
      observer()!.playoutMoved?.({ at, position: 0, playsAt });
    },
    speaks: (at: number) => {
      clock.time = at;
      metrics.callerSpeechStarted(at);
    },
  };
}

Deno.test("a barge-in after a clock's step back is not taken as held by a hold from before it", () => {
  const s = meteredSession();
  s.starts(3000, "r0");
  s.holds(3200, true); // the bot asks the far end to hold (PAUSE_MEDIA)…
  s.holds(3300, false); // …and to play on (CONTINUE_MEDIA)
  s.stops(3500, "r0", "played");
  // The clock steps back 3000 ms. r1 plays from 650; the caller talks over it from 700; the bot
  // stops at 800, its clear leaving at once: a barge-in of 100 ms. No hold since r1 began.
  s.starts(650, "r1");
  s.speaks(700);
  s.stops(800, "r1", "interrupted");
  s.cut(800);
  s.closed();
  assert.deepEqual(s.latencies, [100], "not 3200 − 700: the hold before the step stopped r0");
  assert.equal(s.metrics.snapshot().bargeInStopLatency.count, 1);
});

Deno.test("a response heard again before a clock's step back after a hold, talked over after it, is measured from the speech", () => {
  const s = meteredSession();
  s.starts(3000, "r0");
  s.holds(3200, true);
  s.holds(3300, false);
  s.playsAgain(3300, 3400); // the caller hears r0 again from 3400
  // The clock steps back 3000 ms, r0 playing on; the caller talks over it from 700, and the bot
  // stops at 800: 100 ms. The hold was over before the step, so before all of this.
  s.speaks(700);
  s.stops(800, "r0", "interrupted");
  s.cut(800);
  s.closed();
  assert.deepEqual(s.latencies, [100], "not 3200 − 700: r0 was heard again since the hold");
});

Deno.test("a response held before a clock's step back and interrupted after it is not measured back across the step", () => {
  const s = meteredSession();
  s.starts(3000, "r0");
  s.speaks(3100); // the caller talks over r0…
  s.holds(3200, true); // …and the bot has the far end hold it, still held as the clock steps back
  // The clock steps back 3000 ms; the bot cuts r0 at 400. The caller heard it stop at the hold,
  // 100 ms after they began. Speech still going on across a step is taken as begun at the step,
  // the hold before everything since: 0 ms. Not 3200 − 400, the hold read as after the speech.
  s.stops(400, "r0", "interrupted");
  s.cut(400);
  s.closed();
  assert.equal(s.latencies.length, 1, "one barge-in");
  assert.ok(s.latencies[0]! <= 100, `no longer than the caller heard the bot: ${s.latencies[0]}`);
});

Deno.test("a hold the far end plays on from after the interruption still stopped the bot for the caller (no step)", () => {
  const s = meteredSession();
  s.starts(3000, "r0");
  s.speaks(3050); // the caller talks over r0…
  s.holds(3100, true); // …the bot has the far end hold it…
  s.holds(3200, false); // …and play on: what it held plays again from 3500, the far end's lag
  s.playsAgain(3200, 3500);
  // Cut at 3300, before the caller heard r0 again: it stopped for them at the hold. A time the far
  // end plays at is after now by design: no clock stepped back.
  s.stops(3300, "r0", "interrupted");
  s.cut(3300);
  s.closed();
  assert.deepEqual(s.latencies, [50], "from 3050 to the hold at 3100");
});
