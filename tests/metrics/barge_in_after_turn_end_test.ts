// A barge-in whose interruption comes after the caller's turn has ended: a bot that cuts its reply
// only once its recognizer's transcript is final, after the speech detector has told the turn's
// end (its `minSilenceMs`, 500 ms by default). README, "Metrics": a barge-in's stop latency runs
// from when the caller began talking over the bot to its "speakingstop" with reason
// "interrupted", whether the caller's speech is told before the interruption or after it.
import assert from "node:assert/strict";
import { SessionMetrics, SpeakingEvent } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { answer, callBehindFarEnd } from "../_caller_fixtures.ts";
import { handMadeTransport } from "./_hand_made_transport.ts";

/** A call with the metrics' own speech detector (its defaults) on the caller's audio. */
function call() {
  const { clock, transport, callerUntil, close } = callBehindFarEnd();
  const metrics = SessionMetrics.attach(transport, { clock });
  const stops: number[] = [];
  transport.addEventListener("speakingstop", (event) => {
    if (event.reason === "interrupted") stops.push(clock.now());
  });
  transport.receive(() => {});
  return { clock, transport, metrics, stops, callerUntil, close };
}

Deno.test("a barge-in the bot stops only after the caller's turn end was told is measured, from the caller's first word", async () => {
  const c = call();
  await c.callerUntil(1000);
  c.transport.send(answer(3000, "r1")); // heard from 1040 ms to 4040 ms
  // "Wait": the caller talks over the reply from 1500 ms to 1900 ms; the detector tells its end
  // 500 ms of silence later, about 2400 ms.
  await c.callerUntil(2600, (now) => now > 1500 && now <= 1900);
  await c.transport.interrupt(); // the transcript is final: the bot cuts its reply at 2600 ms
  await c.callerUntil(3000);
  const { bargeInStopLatency, interruptions } = c.metrics.snapshot();
  assert.equal(interruptions, 1);
  assert.equal(bargeInStopLatency.count, 1, "the caller talked over the reply and it stopped");
  assert.deepEqual(c.stops, [2600]);
  // From 1500 ms, the caller's first word (within the detector's 20 ms frame), to 2600 ms.
  const last = bargeInStopLatency.last!;
  assert.ok(Math.abs(last - 1100) <= 20, `stop latency ${last} ms`);
  await c.close();
});

Deno.test("the caller's ended turn spoken over no reply is no barge-in of the reply that answers it", async () => {
  const c = call();
  await c.callerUntil(1000, (now) => now > 500); // the caller talks to 1000 ms, the bot silent
  await c.callerUntil(1800); // the turn's end told about 1500 ms
  c.transport.send(answer(2000, "r1")); // the answer, heard from 1840 ms
  await c.callerUntil(2400);
  await c.transport.interrupt(); // the bot's own choice: the caller said nothing over it
  await c.callerUntil(2600);
  const { bargeInStopLatency, interruptions } = c.metrics.snapshot();
  assert.equal(interruptions, 1);
  assert.equal(bargeInStopLatency.count, 0);
  await c.close();
});

Deno.test("the caller's ended turn spoken over a reply played out is no barge-in of the next reply", async () => {
  const c = call();
  await c.callerUntil(1000);
  c.transport.send(answer(1000, "r1")); // heard from 1040 ms to 2040 ms, played out
  await c.callerUntil(2600, (now) => now > 1500 && now <= 1900); // "uh-huh" over it
  c.transport.send(answer(2000, "r2")); // a new reply, heard from 2640 ms
  await c.callerUntil(3000);
  await c.transport.interrupt(); // the bot's own choice
  await c.callerUntil(3200);
  const { bargeInStopLatency, interruptions } = c.metrics.snapshot();
  assert.equal(interruptions, 1);
  assert.equal(bargeInStopLatency.count, 0);
  await c.close();
});

Deno.test("the same barge-in measures the same whether its speech and turn end are told before the interruption or after it", async () => {
  const measured = async (toldLate: boolean) => {
    const clock = new FakeClock(1000);
    const { transport, closed } = handMadeTransport(clock);
    const metrics = SessionMetrics.attach(transport, { speech: false, clock });
    const speaking = (type: "speakingstart" | "speakingstop", reason?: "interrupted") =>
      transport.dispatchEvent(
        new SpeakingEvent(type, {
          responseId: "r1",
          heardMs: 0,
          sentMs: 0,
          acknowledged: false,
          ...(reason !== undefined && { reason }),
        }),
      );
    speaking("speakingstart"); // 1000 ms
    if (!toldLate) {
      await clock.tick(1000);
      metrics.callerSpeechStarted(); // 2000 ms
      await clock.tick(400);
      metrics.callerTurnEnded(); // 2400 ms
    }
    await clock.tick(2900 - clock.now()); // 2900 ms: the bot cuts its reply
    speaking("speakingstop", "interrupted");
    if (toldLate) {
      metrics.callerSpeechStarted(2000);
      metrics.callerTurnEnded(2400);
    }
    closed();
    return metrics.snapshot().bargeInStopLatency;
  };
  assert.equal((await measured(true)).last, 900);
  assert.equal((await measured(false)).last, 900);
});
