// A barge-in on a response that plays in spells (sentences with a pause between them), the
// caller having begun to talk in the pause: the bot was silent then, so talking over each other
// began when the next spell became audible (README, "Metrics": "from the caller starting to talk
// while the bot was speaking"). Measured so when the caller's speech is told before the
// interruption; told after it (a detector's `minSpeechMs`, a bot's own recognizer:
// `callerSpeechStarted(at)` with the time it began), it was measured from the pause, longer by
// the whole silence between the spells.
//
// The far end here speaks no platform's protocol: a clear is the JSON `{"event":"clear"}`, audio
// raw PCM (RawPcmSerializer), played as it comes, back to back (the estimate's model: no
// acknowledgements), so what the caller heard is what left, from when it left to the clear.
import assert from "node:assert/strict";
import { type Frame, SessionMetrics } from "../../mod.ts";
import { handAnsweredPcm } from "../_hand_answered_pcm.ts";
import { reply, urgentWireSession } from "../_urgent_wire_session.ts";

/** A sentence of r1, `ms` long. */
const sentence = (ms: number): Frame => reply(ms, "r1", 1);

/**
 * r1's first sentence plays 0–500 ms; the caller begins to talk at 1000, in the pause; the second
 * sentence plays from 1100; the bot interrupts at 1200, its clear leaving at once. `toldLate`:
 * the caller's speech is told just after the interruption, with the time it began.
 */
async function spellBargeIn(toldLate: boolean) {
  const s = await urgentWireSession(handAnsweredPcm().serializer); // its clear sent at once
  const metrics = SessionMetrics.attach(s.transport, { speech: false });
  const spells: string[] = [];
  s.transport.addEventListener("speakingstart", () => spells.push(`start@${s.clock.now() - t0}`));
  const t0 = s.clock.now();
  s.transport.send(sentence(500));
  await s.clock.tick(1000);
  const talkedAt = s.clock.now();
  if (!toldLate) metrics.callerSpeechStarted();
  await s.clock.tick(100);
  s.transport.send(sentence(500));
  await s.clock.tick(100);
  const interrupted = s.transport.interrupt();
  if (toldLate) metrics.callerSpeechStarted(talkedAt);
  const { heardMs } = await interrupted;
  await s.clock.tick(100);
  await s.transport.close();
  return { spells, heardMs, wire: s.wire(), snapshot: metrics.snapshot() };
}

for (const toldLate of [false, true]) {
  const told = toldLate ? "told after the interruption" : "told as it began";
  Deno.test(`a barge-in begun in the pause between spells (${told}) counts from the next spell`, async () => {
    const r = await spellBargeIn(toldLate);
    assert.deepEqual(r.spells, ["start@0", "start@1100"], "two spells, the second from 1100");
    assert.deepEqual(r.wire, ["audio1", "clear"]);
    assert.equal(r.snapshot.bargeInStopLatency.count, 1);
    // The bot was audible over the caller from 1100 (the second spell) to 1200 (the clear).
    assert.equal(r.snapshot.bargeInStopLatency.last, 100);
  });
}
