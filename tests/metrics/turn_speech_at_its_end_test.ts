// The caller's speech start and turn end told at the same clock time, the speech first: the turn
// is a word too short for the clock to move (a recognizer's one message telling both; workerd's
// clock stands still between two I/O events, so both read the same now). The end ends that speech:
// it is not taken back (README, "Metrics": a turn is taken back by speech that "began again before
// that spell"), and the bot's answer measures it, as before the turn meter.
import assert from "node:assert/strict";
import { turnsOnFakeClock } from "./_hand_made_transport.ts";

const meteredSession = turnsOnFakeClock;

Deno.test("a turn whose speech start and end are told at the same time, the start first, is measured", async () => {
  const s = meteredSession();
  await s.clock.tick(1000);
  s.metrics.callerSpeechStarted();
  s.metrics.callerTurnEnded();
  await s.clock.tick(400);
  await s.botSpeaks();
  assert.deepEqual(s.turns(), { latencies: [400], count: 1, unmeasured: 0 });
});

Deno.test("such a turn told late, after the bot's answer began, is measured against that answer", async () => {
  const s = meteredSession();
  await s.clock.tick(1700);
  await s.botSpeaks(); // answers the caller's "yes" at 1500
  await s.clock.tick(200);
  s.metrics.callerSpeechStarted(1500);
  s.metrics.callerTurnEnded(1500);
  assert.deepEqual(s.turns(), { latencies: [200], count: 1, unmeasured: 0 });
});
