// A barge-in whose interruption's clear cannot leave at once: an urgent message ahead of it whose
// serializer answers later, or the clear itself answered later (Twilio, Telnyx and Plivo answer
// some frames asynchronously). The far end plays on what it was sent until the clear reaches it
// (README, "What the caller heard": `heardMs` counts what it played meanwhile), and
// `SessionObserver.interrupted` is told then, at the position heard then; the "speakingstop" came
// at the cut. README, "Metrics": a barge-in's stop latency "is the server's view: the bot falls
// silent when the clear leaves" — it ran to the cut, short by the wait, against the interruption's
// own `heardMs`.
//
// The far end here speaks no platform's protocol: a message is its JSON, a clear
// `{"event":"clear"}`, audio raw PCM (RawPcmSerializer); it plays what it is sent as it comes,
// back to back (the estimate's model: no acknowledgements).
import assert from "node:assert/strict";
import { type Frame, SessionMetrics, SpeakingEvent } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { BYTES_PER_MS, SAMPLE_RATE, urgentWireSession } from "../_urgent_wire_session.ts";
import { handAnsweredPcm } from "../_hand_answered_pcm.ts";
import { handMadeTransport } from "./_hand_made_transport.ts";

const reply = (ms: number, id: string): Frame => ({
  type: "audio",
  audio: new Uint8Array(BYTES_PER_MS * ms).fill(1),
  sampleRate: SAMPLE_RATE,
  channels: 1,
  responseId: id,
});

/**
 * A 2 s reply 400 ms ahead of playing; the caller talks over it from 240 ms into it, the bot
 * interrupts at 340 ms, and the clear leaves 100 ms on (behind urgent message A, or answered
 * itself then). `speechToldLate`: the caller's speech is told after the interruption (a
 * detector's `minSpeechMs`), at its time.
 */
async function bargeInWhileClearWaits(slowClear: boolean, speechToldLate: boolean) {
  const slow = handAnsweredPcm({ everyMessage: true, clear: slowClear });
  const s = await urgentWireSession(slow.serializer, 5000, { sendAheadMs: 400 });
  const metrics = SessionMetrics.attach(s.transport, { speech: false });
  const measured: string[] = [];
  metrics.addEventListener("metric", (e) => void measured.push(`${e.name}=${e.value}`));
  const t0 = s.clock.now();
  s.transport.send(reply(2000, "r1"));
  await s.clock.tick(240);
  if (!speechToldLate) metrics.callerSpeechStarted();
  await s.clock.tick(60);
  if (!slowClear) s.transport.send({ type: "message", message: { name: "A" }, urgent: true });
  await s.clock.tick(40);
  const interrupted = s.transport.interrupt(); // at 340: the clear waits
  if (speechToldLate) metrics.callerSpeechStarted(t0 + 240);
  await s.clock.tick(100);
  slow.answer(slowClear ? "clear" : "A"); // at 440 the clear leaves
  await s.clock.tick(0);
  const { heardMs } = await interrupted;
  await s.clock.tick(500);
  await s.transport.close();
  return { heardMs, measured, snapshot: metrics.snapshot(), wire: s.wire() };
}

for (const slowClear of [false, true]) {
  for (const speechToldLate of [false, true]) {
    const behind = slowClear ? "answered later itself" : "behind an urgent message answered later";
    const told = speechToldLate ? ", the caller's speech told after the interruption" : "";
    Deno.test(`a barge-in whose clear waits (${behind}${told}) stops when the clear leaves, as the interruption's heardMs says`, async () => {
      const r = await bargeInWhileClearWaits(slowClear, speechToldLate);
      assert.equal(r.heardMs, 440, "the far end played r1 until the clear left");
      assert.ok(r.wire.includes("clear"));
      assert.deepEqual(
        r.measured.filter((m) => m.startsWith("voice.barge_in")),
        ["voice.barge_in.stop_latency=200"], // from 240 (the caller) to 440 (the clear left)
      );
      assert.equal(r.snapshot.bargeInStopLatency.last, 200);
    });
  }
}

Deno.test("a barge-in whose clear waits, the far end running out of audio before it leaves, stops where the far end ran dry", async () => {
  const slow = handAnsweredPcm({ everyMessage: true, clear: true });
  const s = await urgentWireSession(slow.serializer, 5000, { sendAheadMs: 400 });
  const metrics = SessionMetrics.attach(s.transport, { speech: false });
  s.transport.send(reply(200, "r1")); // all of it leaves at once, and plays until 200
  await s.clock.tick(100);
  metrics.callerSpeechStarted();
  await s.clock.tick(50);
  const interrupted = s.transport.interrupt(); // at 150: the clear waits
  await s.clock.tick(150);
  slow.answer("clear"); // at 300, long after the far end ran dry
  await s.clock.tick(0);
  assert.equal((await interrupted).heardMs, 200);
  assert.equal(metrics.snapshot().bargeInStopLatency.last, 100, "from 100 to 200");
  await s.transport.close();
});

Deno.test("a barge-in whose clear still waits as the session closes stops at the close, as the interruption's heardMs says", async () => {
  const slow = handAnsweredPcm({ everyMessage: true });
  const s = await urgentWireSession(slow.serializer, 5000, { sendAheadMs: 400 });
  const metrics = SessionMetrics.attach(s.transport, { speech: false });
  s.transport.send(reply(2000, "r1"));
  await s.clock.tick(240);
  metrics.callerSpeechStarted();
  await s.clock.tick(60);
  s.transport.send({ type: "message", message: { name: "A" }, urgent: true });
  await s.clock.tick(40);
  const interrupted = s.transport.interrupt(); // at 340, behind A
  await s.clock.tick(100);
  const closed = s.transport.close(); // at 440: neither A nor the clear ever leaves
  await s.clock.tick(0);
  assert.equal((await interrupted).heardMs, 440);
  await closed;
  assert.equal(metrics.snapshot().bargeInStopLatency.last, 200, "from 240 to 440");
});

Deno.test("a barge-in whose clear waits as the metrics are detached is measured at the cut, before the figures freeze", async () => {
  const slow = handAnsweredPcm({ everyMessage: true, clear: true });
  const s = await urgentWireSession(slow.serializer, 5000, { sendAheadMs: 400 });
  const metrics = SessionMetrics.attach(s.transport, { speech: false });
  s.transport.send(reply(2000, "r1"));
  await s.clock.tick(240);
  metrics.callerSpeechStarted();
  await s.clock.tick(100);
  void s.transport.interrupt(); // at 340: the clear waits
  metrics.detach(); // nothing more is told: what is known is measured
  assert.equal(metrics.snapshot().bargeInStopLatency.last, 100);
  slow.answer("clear");
  await s.clock.tick(0);
  assert.equal(metrics.snapshot().bargeInStopLatency.count, 1, "frozen");
  await s.transport.close();
});

/** A transport of one's own (`MeteredTransport`) that tells its observer no `interrupted`. */
function untellingTransport(clock: FakeClock) {
  const { transport, closed } = handMadeTransport(clock);
  const speaking = (type: "speakingstart" | "speakingstop") =>
    transport.dispatchEvent(
      new SpeakingEvent(type, {
        responseId: undefined,
        heardMs: 0,
        sentMs: 0,
        acknowledged: false,
        ...(type === "speakingstop" && { reason: "interrupted" as const }),
      }),
    );
  return { transport, speaking, closed };
}

Deno.test("barge-ins on a transport that never tells its cut are measured at the cut: past 16 waiting, the oldest, and the rest as measuring stops", async () => {
  const clock = new FakeClock(1000);
  const t = untellingTransport(clock);
  const metrics = SessionMetrics.attach(t.transport, { speech: false });
  const measured: number[] = [];
  metrics.addEventListener("metric", (e) => void measured.push(e.value));
  for (let i = 0; i < 17; i++) {
    t.speaking("speakingstart");
    await clock.tick(100);
    metrics.callerSpeechStarted();
    await clock.tick(10 + i);
    t.speaking("speakingstop");
    await clock.tick(100);
  }
  assert.deepEqual(measured, [10], "the oldest, at its speakingstop");
  t.closed();
  assert.equal(measured.length, 17);
  assert.deepEqual(measured.slice(1, 3), [11, 12]);
  assert.equal(metrics.snapshot().bargeInStopLatency.count, 17);
});
