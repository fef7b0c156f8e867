// What `SessionMetrics` found and could not measure is counted, not dropped silently. A barge-in's
// caller speech told after 16 newer interruptions no speech claimed (a recognizer that tells each
// speech's start with its transcript, stalled while the bot interrupted itself again and again)
// finds its interruption let go: it measures nothing, and counts in
// `bargeInStopLatency.unmeasured`. An interruption let go that no speech ever claims (the bot's
// own) counts for nothing. Likewise a turn end told after 16 newer spells of the bot's:
// the spell that answered it is let go, and the turn counts in `turnLatency.unmeasured` rather
// than measuring against a later spell (a latency too long).
//
// The far end here speaks no platform's protocol: a clear is the JSON `{"event":"clear"}`, audio
// raw PCM (RawPcmSerializer), played as it comes, back to back (the estimate's model: no
// acknowledgements), so what the caller heard is what left, from when it left to the clear.
import assert from "node:assert/strict";
import { SessionMetrics } from "../../mod.ts";
import { handAnsweredPcm } from "../_hand_answered_pcm.ts";
import { reply, urgentWireSession } from "../_urgent_wire_session.ts";

/**
 * A session whose bot speaks `r0`, which the caller talks over from 220 ms (their speech not told
 * yet), interrupted at 300; then `newer` replies of 300 ms each, each interrupted as it ends by
 * the bot itself (no speech claims them). Then the caller's speech over `r0` is told, and the
 * session closes: the barge-in latencies measured, and the final figures.
 */
async function toldAfter(newer: number, options: { speech?: "told" | "untold" } = {}) {
  const s = await urgentWireSession(handAnsweredPcm().serializer); // its clear sent at once
  const metrics = SessionMetrics.attach(s.transport, { speech: false, clock: s.clock });
  const measured: number[] = [];
  metrics.addEventListener("metric", (e) => {
    if (e.name === "voice.barge_in.stop_latency") measured.push(e.value);
  });
  let line = "";
  metrics.addEventListener("summary", (e) => (line = e.line));
  const t0 = s.clock.now();
  for (let i = 0; i <= newer; i++) {
    s.transport.send(reply(2000, `r${i}`, i % 256));
    await s.clock.tick(300);
    void s.transport.interrupt();
  }
  await s.clock.tick(100);
  if (options.speech !== "untold") metrics.callerSpeechStarted(t0 + 220);
  await s.transport.close();
  return { measured, snapshot: metrics.snapshot(), line };
}

Deno.test("a barge-in whose speech is told after 15 newer interruptions is still measured", async () => {
  const { measured, snapshot } = await toldAfter(15);
  assert.deepEqual(measured, [80], "from 220 to 300");
  assert.equal(snapshot.bargeInStopLatency.count, 1);
  assert.equal(snapshot.bargeInStopLatency.unmeasured, 0);
  assert.equal(snapshot.interruptions, 16);
});

Deno.test("a barge-in whose speech is told after 16 newer interruptions is counted unmeasured", async () => {
  const { measured, snapshot, line } = await toldAfter(16);
  assert.deepEqual(measured, [], "its interruption was let go: nothing to measure against");
  assert.equal(snapshot.bargeInStopLatency.count, 0);
  assert.equal(snapshot.bargeInStopLatency.unmeasured, 1, "lost, and counted");
  assert.equal(snapshot.interruptions, 17);
  assert.match(line, / barge_ins=0 barge_ins_unmeasured=1( |$)/);
  const instrument = SessionMetrics.instruments.find((i) =>
    i.snapshot === "bargeInStopLatency.unmeasured"
  );
  assert.equal(instrument?.name, "voice.barge_in.unmeasured");
  assert.equal(instrument?.kind, "counter");
});

Deno.test("a barge-in told after more interruptions than are kept apart is still counted", async () => {
  // 16 unclaimed kept, 16 windows let go kept apart, the rest merged: none forgotten.
  const { measured, snapshot } = await toldAfter(60);
  assert.deepEqual(measured, []);
  assert.equal(snapshot.bargeInStopLatency.unmeasured, 1);
});

Deno.test("interruptions let go that no speech claims count for nothing", async () => {
  const { snapshot, line } = await toldAfter(40, { speech: "untold" });
  assert.equal(snapshot.bargeInStopLatency.count, 0);
  assert.equal(snapshot.bargeInStopLatency.unmeasured, 0, "the bot's own: no barge-in lost");
  assert.doesNotMatch(line, /unmeasured/, "the line stays as it was");
});

/**
 * A session whose caller's turn ends at 100 ms, answered by the bot at 300 (a 200 ms latency),
 * then `spells` more 100 ms replies; the turn's end is told only then (`callerTurnEnded(at)`).
 */
async function turnEndToldAfter(spells: number) {
  const s = await urgentWireSession(handAnsweredPcm().serializer);
  const metrics = SessionMetrics.attach(s.transport, { speech: false, clock: s.clock });
  const t0 = s.clock.now();
  await s.clock.tick(300);
  for (let i = 0; i <= spells; i++) {
    s.transport.send(reply(100, `r${i}`, i % 256));
    await s.clock.tick(200); // played whole, then 100 ms of silence
  }
  metrics.callerTurnEnded(t0 + 100);
  await s.transport.close();
  return metrics.snapshot();
}

Deno.test("a turn end told after 15 newer spells measures the spell that answered it", async () => {
  const { turnLatency } = await turnEndToldAfter(15);
  assert.equal(turnLatency.count, 1);
  assert.equal(turnLatency.last, 200);
  assert.equal(turnLatency.unmeasured, 0);
});

Deno.test("a turn end told after 16 newer spells is counted unmeasured, not measured too long", async () => {
  const { turnLatency } = await turnEndToldAfter(16);
  assert.equal(turnLatency.count, 0, "not against the second spell (400 ms)");
  assert.equal(turnLatency.unmeasured, 1);
});
