// A turn end from before the clock stepped back, told after a turn end told since the step that
// still waits for its answer: the one from before the step is before everything told since
// (README, "Metrics"), so the end waiting is the later, and the answer is measured from it — not
// from when the older one was told, which read the turn 100 ms short.
import assert from "node:assert/strict";
import { botSpell, meteredOnSteppingClock, SteppingClock } from "./_hand_made_transport.ts";

Deno.test("a turn end from before a clock's step back, told late, does not replace a later end waiting", () => {
  const clock = new SteppingClock();
  const { transport, metrics, latencies, closed } = meteredOnSteppingClock(clock);
  botSpell(clock, transport, 4900); // before the step: the metrics see the clock at 5000
  clock.time = 700; // the clock steps back
  metrics.callerTurnEnded(); // told at once: waits for the bot's answer
  clock.time = 800;
  metrics.callerTurnEnded(4500); // read before the step, told late
  botSpell(clock, transport, 1000);
  closed();
  assert.deepEqual(latencies, [300]);
  assert.equal(metrics.snapshot().turnLatency.count, 1);
});
