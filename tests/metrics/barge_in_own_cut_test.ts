// Each barge-in is measured by its own interruption's cut, where clears wait. The transport tells
// `SessionObserver.interrupted` once per `interrupt()`, in the order of the interruptions (a
// clear that waits holds the tells behind it: src/_clear_wait_tells.ts), with no id; and a reply
// sent behind a clear that waits begins ("speakingstart") only once every waiting clear's fate is
// known (src/_playback_clear_waits.ts, `#waiting`), in the turn its tell is told. So while a
// barge-in awaits its tell the bot is silent by its events: a second `interrupt()` then (the bot
// interrupting again at the transcript) stops nothing and is no barge-in, and `BargeInMeter`
// ends every wait a tell finds — never more than the tell's own — which this pins, together with
// the figures against what the caller heard.
//
// The far end here speaks no platform's protocol: a message is its JSON, a clear
// `{"event":"clear"}`, audio raw PCM (RawPcmSerializer), played as it comes, back to back (the
// estimate's model: no acknowledgements): the caller hears the bot until the clear leaves.
import assert from "node:assert/strict";
import { SessionMetrics } from "../../mod.ts";
import { handAnsweredPcm } from "../_hand_answered_pcm.ts";
import { reply, speakingLog, urgentWireSession } from "../_urgent_wire_session.ts";

Deno.test("barge-ins whose clears wait behind urgent messages are each measured by their own cut", async () => {
  const later = handAnsweredPcm({ everyMessage: true }); // its clear sent at once
  const s = await urgentWireSession(later.serializer, 5000, { sendAheadMs: 400 });
  const metrics = SessionMetrics.attach(s.transport, { speech: false });
  const measured: number[] = [];
  metrics.addEventListener("metric", (e) => {
    if (e.name === "voice.barge_in.stop_latency") measured.push(e.value);
  });
  const { log } = speakingLog(s.transport, s.clock);
  const urgent = (name: string) =>
    s.transport.send({ type: "message", message: { name }, urgent: true });
  s.transport.send(reply(2000, "r1", 1));
  await s.clock.tick(240);
  metrics.callerSpeechStarted(); // 240: the caller talks over r1
  await s.clock.tick(60);
  urgent("A"); // 300: its answer comes at 440
  await s.clock.tick(40);
  const first = s.transport.interrupt(); // 340: its clear waits behind A
  await s.clock.tick(60);
  const again = s.transport.interrupt(); // 400: again, at the transcript; r1 still plays
  s.transport.send(reply(2000, "r2", 2)); // the answer, behind the clears
  await s.clock.tick(40);
  later.answer("A"); // 440: both clears leave, r2 follows
  await s.clock.tick(60);
  metrics.callerTurnEnded(); // 500
  await s.clock.tick(200);
  metrics.callerSpeechStarted(); // 700: the caller talks over r2
  await s.clock.tick(50);
  urgent("B"); // 750: its answer comes at 850
  await s.clock.tick(30);
  const third = s.transport.interrupt(); // 780: its clear waits behind B
  await s.clock.tick(70);
  later.answer("B"); // 850: the clear leaves
  await s.clock.tick(100);
  assert.equal((await first).heardMs, 440, "the caller heard r1 until the first clear left");
  assert.equal((await again).heardMs, 0, "the second stopped nothing audible");
  assert.deepEqual(await third, {
    responseId: "r2",
    heardMs: 410, // 440 to 850
    droppedMs: 1590,
    acknowledged: false,
  });
  await s.transport.close();
  assert.deepEqual(s.wire(), ["audio1", "A", "clear", "clear", "audio2", "B", "clear"]);
  assert.deepEqual(log.slice(0, 7), [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@340 heard 340 interrupted",
    "interrupted@440 heard 440",
    "interrupted@440 heard 740", // all r1 sent: a cut past the first, which changes nothing
    "speakingstart r2@440 heard 0",
    "speakingstop r2@780 heard 340 interrupted",
    "interrupted@850 heard 1150", // r2 from 740 on the timeline, 410 ms of it heard
  ]);
  // From 240 to 440 (the first clear left), and from 700 to 850 (the third's): each its own.
  assert.deepEqual(measured, [200, 150]);
  assert.equal(metrics.snapshot().bargeInStopLatency.count, 2);
});
