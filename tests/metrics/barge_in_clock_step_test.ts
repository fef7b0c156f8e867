// Barge-ins after the clock steps back. A clock that steps back breaks the `Clock` contract, but a
// custom one may (README, "Metrics": a time still to come is taken as now, a latency below zero as
// 0 ms). What the metrics kept from before the step — when the bot last fell silent, when its
// response became audible, interruptions no speech has claimed yet — reads as a time still to
// come, later than anything told since, though it happened before all of it. Compared as it is,
// speech told after the step claimed an interruption from before it (a barge-in that never was,
// and the speech used up), and a real barge-in after the step was missed: its speech looked as
// if it began before the bot's last silence, or before its response became audible.
import assert from "node:assert/strict";
import { meteredOnSteppingClock, responsesTold, SteppingClock } from "./_hand_made_transport.ts";

/** The metrics on a clock whose time the test sets; the test tells the bot's spells. */
function meteredSession() {
  const clock = new SteppingClock();
  const { transport, metrics, latencies, closed } = meteredOnSteppingClock(clock);
  return {
    clock,
    metrics,
    latencies,
    closed,
    ...responsesTold(clock, transport),
    /** The caller began to speak at `at`, told at `toldAt`. */
    speaks: (at: number, toldAt = at) => {
      clock.time = toldAt;
      metrics.callerSpeechStarted(at);
    },
  };
}

Deno.test("speech told after a clock's step back claims no interruption kept from before it", () => {
  const s = meteredSession();
  s.starts(1000, "r0");
  s.stops(1200, "r0", "interrupted"); // the bot's own cut: no speech claims it
  // The clock steps back 600 ms. r1 plays from 650; the caller talks over it from 700; the bot
  // stops at 800: a barge-in of 100 ms.
  s.starts(650, "r1");
  s.speaks(700);
  s.stops(800, "r1", "interrupted");
  s.closed();
  assert.deepEqual(s.latencies, [100], "r1's barge-in alone, not r0 talked over by later speech");
  const { bargeInStopLatency } = s.metrics.snapshot();
  assert.equal(bargeInStopLatency.count, 1);
  assert.equal(bargeInStopLatency.unmeasured, 0);
});

for (const toldLate of [false, true]) {
  const told = toldLate ? "told after the interruption" : "told as it began";
  Deno.test(`a barge-in after a clock's step back past the bot's last silence is measured (${told})`, () => {
    const s = meteredSession();
    s.starts(1000, "r0");
    s.stops(1200, "r0", "played");
    // The clock steps back 600 ms: the bot's silence since 1200 began before everything after.
    s.starts(650, "r1");
    if (toldLate) {
      s.stops(800, "r1", "interrupted");
      s.speaks(700, 850); // a detector's minSpeechMs, a recognizer's transcript
    } else {
      s.speaks(700);
      s.stops(800, "r1", "interrupted");
    }
    s.closed();
    assert.deepEqual(s.latencies, [100]);
    assert.equal(s.metrics.snapshot().bargeInStopLatency.unmeasured, 0);
  });
}

Deno.test("a response audible before a clock's step back and talked over after it is a barge-in", () => {
  const s = meteredSession();
  s.starts(4000, "r0");
  // The clock steps back to 600, r0 playing on; the caller talks over it from 700, told at once.
  s.speaks(700);
  s.stops(800, "r0", "interrupted");
  s.closed();
  assert.deepEqual(s.latencies, [100], "from the caller's first word (700) to the bot silent");
});

Deno.test("speech begun before a clock's step back that talks over a response after it measures from the response", () => {
  const s = meteredSession();
  s.starts(3000, "r0");
  s.stops(3500, "r0", "played");
  s.speaks(3900); // the caller begins to talk, the bot silent
  // The clock steps back to 600, the caller talking on; r1 plays from 650, and stops at 800.
  s.starts(650, "r1");
  s.stops(800, "r1", "interrupted");
  s.closed();
  assert.deepEqual(s.latencies, [150], "talked over from r1's start (650), not 0 ms");
});
