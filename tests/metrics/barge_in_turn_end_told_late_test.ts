// A turn end told late (a speech detector knows it only after its `minSilenceMs`; a recognizer's
// final comes with its own delay) is placed at the time it gives, not when it is told. README,
// "Metrics": a barge-in's stop latency runs "from when the caller began talking over the bot", and
// "speech that talked over a reply and ended before the bot cut it … is that barge-in too": speech
// that ended before the reply began talked over nothing, and speech the caller went on with after
// a pause is not ended by the end of the words before it.
import assert from "node:assert/strict";
import { SessionMetrics, SpeakingEvent } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { answer, callBehindFarEnd } from "../_caller_fixtures.ts";
import { handMadeTransport } from "./_hand_made_transport.ts";

Deno.test("speech that ended before the reply began is no barge-in of it, though its end is told while the reply plays", async () => {
  const { clock, transport, callerUntil, close } = callBehindFarEnd();
  const metrics = SessionMetrics.attach(transport, { clock }); // its detector, 500 ms of silence
  transport.receive(() => {});
  await callerUntil(1100, (now) => now > 500 && now <= 1000); // the caller talks 500–1000 ms
  // A bot quicker than the detector answers at once: heard from about 1140 ms, while the
  // detector tells the turn's end (1000 ms) only at about 1500 ms.
  transport.send(answer(3000, "r1"));
  await callerUntil(1800);
  await transport.interrupt(); // the bot's own choice: the caller said nothing over the reply
  await callerUntil(2000);
  const { bargeInStopLatency, interruptions } = metrics.snapshot();
  assert.equal(interruptions, 1);
  assert.equal(bargeInStopLatency.count, 0, `measured ${bargeInStopLatency.last} ms`);
  assert.equal(bargeInStopLatency.unmeasured, 0);
  await close();
});

Deno.test("the end of the caller's words before a pause, told after they went on, leaves the speech going on to barge in", async () => {
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
  metrics.callerSpeechStarted(); // 1000 ms: "I'd like to…" (a VAD tells starts at once)
  await clock.tick(800);
  metrics.callerSpeechStarted(); // 1800 ms: "…book a flight", after a 300 ms pause
  await clock.tick(200);
  metrics.callerTurnEnded(1500); // 2000 ms: the recognizer's final for the words before the pause
  await clock.tick(200);
  speaking("speakingstart"); // 2200 ms: the bot answers those words; the caller talks on over it
  await clock.tick(300);
  speaking("speakingstop", "interrupted"); // 2500 ms: the bot stops for the caller
  closed();
  const { bargeInStopLatency } = metrics.snapshot();
  assert.equal(bargeInStopLatency.count, 1, "the caller talked over the reply and it stopped");
  assert.equal(bargeInStopLatency.last, 300);
});
