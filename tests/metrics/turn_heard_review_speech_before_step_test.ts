// The metrics' clock steps back (README, "Metrics": what the metrics kept from before a clock
// stepped back is taken as before everything told since). The caller's speech told before the step
// reads as a time still to come: it is no speech begun after a reply ran out, and does not make an
// interruption after the step one that cut nothing (tests/metrics/turn_heard_late_stop_test.ts).
// Figures worked out by hand.
import assert from "node:assert/strict";
import { SessionMetrics } from "../../mod.ts";
import type { Clock } from "../../src/clock.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { meteredCall, sayReply } from "./_metered_call.ts";

Deno.test("speech told before the metrics' clock stepped back does not make a later barge-in, its speech told after the cut, no barge-in", async () => {
  // The transport on the fake clock; the metrics on one 10 s ahead of it until 4000 ms, when it
  // steps back to agree with it.
  const fake = new FakeClock(0);
  let aheadMs = 10_000;
  const metricsClock = { now: () => fake.now() + aheadMs } as unknown as Clock;
  const c = meteredCall(fake, { playoutTimeoutMs: 1000 });
  c.metrics.detach();
  const metrics = SessionMetrics.attach(c.transport, { speech: false, clock: metricsClock });
  // A far end that plays what it gets at once and answers no mark from r2 on (Twilio's Media
  // Streams docs: a "mark" is sent back once the audio before it has played; here every answer
  // from r2 on is lost, r2's the first): r2, heard 5000–6000 ms, stays audible by its events until
  // 7000 ms.
  const say = (responseId: string, ms: number) => sayReply(c.transport, responseId, ms);
  await fake.tick(1000);
  say("greeting", 100); // 1000–1100 ms
  await fake.tick(1200);
  metrics.callerSpeechStarted(); // 2200 ms, read as 12200 before the step
  await fake.tick(200);
  metrics.callerTurnEnded(); // their speech over, it talked over nothing
  await fake.tick(100);
  say("r1", 2000); // 2500–4500 ms
  await fake.tick(1500);
  aheadMs = 0; // 4000 ms: the metrics' clock steps back 10 s
  await fake.tick(1000);
  c.farEnd.stopAcking();
  say("r2", 1000); // 5000–6000 ms
  await fake.tick(1360);
  assert.equal(c.transport.playback.speaking, true, "r2 is audible by its events");
  await c.transport.interrupt(); // 6360 ms
  await fake.tick(40);
  metrics.callerSpeechStarted(5800); // told at 6400: the caller talked over r2 from 5800 ms
  await fake.tick(100);
  const figures = metrics.snapshot().bargeInStopLatency;
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.equal(c.farEnd.played.at(-1)!.at + c.farEnd.played.at(-1)!.ms, 6000);
  assert.equal(figures.count, 1, "the barge-in after the step is measured");
  assert.equal(figures.unmeasured, 0);
  // To the stop as it came, 6360 ms: the times told before the step read as still to come, and a
  // stop placed before them would read as a step again (as before the metrics placed it where r2
  // ran out).
  assert.equal(figures.last, 560); // 6360 − 5800
});
