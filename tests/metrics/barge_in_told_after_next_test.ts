// A barge-in whose caller's speech is told only after the bot has begun its next reply, and been
// talked over in that one too: a bot that interrupts on its own fast detector (a VAD's first
// frames) and goes on speaking at once (it resumes the reply it took for a false interruption, or
// answers a word it caught), while its speech recognizer tells when the caller's speech began,
// with the time it began (`callerSpeechStarted(at)`), only once its transcript comes, hundreds of
// ms later (README, "Metrics": "whether the caller's speech is told before the interruption or
// after it"). Each barge-in is the caller's speech and its own interruption: both are measured,
// the first too, though a newer interruption came between it and its speech's tell.
//
// The far end here speaks no platform's protocol: a clear is the JSON `{"event":"clear"}`, audio
// raw PCM (RawPcmSerializer), played as it comes, back to back (the estimate's model: no
// acknowledgements), so what the caller heard is what left, from when it left to the clear.
import assert from "node:assert/strict";
import { SessionMetrics } from "../../mod.ts";
import { handAnsweredPcm } from "../_hand_answered_pcm.ts";
import { reply, speakingLog, urgentWireSession } from "../_urgent_wire_session.ts";

Deno.test("a barge-in whose speech is told after the next reply was talked over too is measured, as is that one", async () => {
  const s = await urgentWireSession(handAnsweredPcm().serializer); // its clear sent at once
  const metrics = SessionMetrics.attach(s.transport, { speech: false });
  const measured: number[] = [];
  metrics.addEventListener("metric", (e) => {
    if (e.name === "voice.barge_in.stop_latency") measured.push(e.value);
  });
  const { log } = speakingLog(s.transport, s.clock);
  const t0 = s.clock.now();
  s.transport.send(reply(2000, "r1", 1));
  await s.clock.tick(300);
  // 300: the bot's detector heard the caller, who began at 220: r1 stops, r2 begins at once.
  const first = s.transport.interrupt();
  s.transport.send(reply(2000, "r2", 2));
  await s.clock.tick(300);
  // 600: the caller talks again, from 560: r2 stops.
  const second = s.transport.interrupt();
  await s.clock.tick(300);
  // 900: the recognizer's transcripts tell when each of the caller's speeches began, in order.
  metrics.callerSpeechStarted(t0 + 220);
  metrics.callerSpeechStarted(t0 + 560);
  assert.equal((await first).heardMs, 300, "the caller heard r1 until 300");
  assert.equal((await second).heardMs, 300, "and r2 from 300 to 600");
  await s.transport.close();
  assert.deepEqual(s.wire(), ["audio1", "clear", "audio2", "clear"]);
  assert.deepEqual(log.slice(0, 6), [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@300 heard 300 interrupted",
    "interrupted@300 heard 300",
    "speakingstart r2@300 heard 0",
    "speakingstop r2@600 heard 300 interrupted",
    "interrupted@600 heard 640", // r2 from 340 on the timeline (r1 sent ahead to there)
  ]);
  // The caller talked over r1 from 220 to 300, over r2 from 560 to 600.
  assert.deepEqual(measured, [80, 40]);
  const { bargeInStopLatency } = metrics.snapshot();
  assert.equal(bargeInStopLatency.count, 2);
  assert.equal(bargeInStopLatency.max, 80);
});
