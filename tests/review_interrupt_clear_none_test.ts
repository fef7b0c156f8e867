// Review of "interrupt() waits for a clear that waits in the urgent line": where the serializer
// answers the interruption later with no message ("a clear answered later with no message is no
// clear: what was sent plays on", README, Playback), the far end plays on what it was sent, as
// where the protocol has no clear (raw PCM). The next response then plays after it: its
// "speakingstart", `transport.playback` and pacing follow the far end, as after a serializer that
// answers the clear with no message at once. The tracker had cut the far end dry as the
// interruption was taken, and left it so: the next reply read as playing at once (370 ms early
// here), its `heardMs` counting audio the caller had not heard.
//
// The far end speaks no platform's protocol: raw PCM (RawPcmSerializer), played back to back as it
// comes (the estimate's model: no acknowledgements).
import assert from "node:assert/strict";
import { type Frame, type FrameSerializer, RawPcmSerializer } from "../mod.ts";
import { BYTES_PER_MS, SAMPLE_RATE, urgentWireSession } from "./_urgent_wire_session.ts";

/** Raw PCM, whose interruption is answered with no message: at once, or once `answer()` is called. */
function noClearSerializer(later: boolean) {
  const pcm = new RawPcmSerializer();
  let answer = () => {};
  const serializer: FrameSerializer = {
    setup: (audio) => pcm.setup(audio),
    deserialize: (data) => pcm.deserialize(data),
    serialize(frame: Frame) {
      if (frame.type !== "interruption") return pcm.serialize(frame);
      return later ? new Promise<null>((resolve) => answer = () => resolve(null)) : null;
    },
  };
  return { serializer, answer: () => answer() };
}

const reply = (ms: number, fill: number, responseId: string): Frame => ({
  type: "audio",
  audio: new Uint8Array(BYTES_PER_MS * ms).fill(fill),
  sampleRate: SAMPLE_RATE,
  channels: 1,
  responseId,
});

/**
 * A 2 s reply, interrupted 340 ms in (740 ms of it sent: 400 ms ahead), the interruption's answer
 * 50 ms later; then, as a bot does once `interrupt()` answered, a 300 ms reply. The speaking events
 * and the playback state 100 ms after that reply was written.
 */
async function replyAfterNoClear(later: boolean) {
  const no = noClearSerializer(later);
  const opened = await urgentWireSession(no.serializer, 5000, { sendAheadMs: 400 });
  const events: string[] = [];
  for (const type of ["speakingstart", "speakingstop"]) {
    opened.transport.addEventListener(type, (event) => {
      const { responseId } = event as unknown as { responseId: string };
      events.push(`${opened.clock.now()} ${type} ${responseId}`);
    });
  }
  opened.transport.send(reply(2000, 1, "r1"));
  await opened.clock.tick(340);
  const interrupted = opened.transport.interrupt();
  await opened.clock.tick(50);
  no.answer();
  await opened.clock.tick(0);
  const result = await interrupted;
  opened.transport.startResponse("r2");
  opened.transport.send(reply(300, 2, "r2"));
  await opened.clock.tick(100);
  const playback = opened.transport.playback;
  await opened.clock.tick(2000);
  await opened.transport.close();
  return { result, playback, events };
}

Deno.test("review: after a clear answered later with no message, the next reply plays after what was sent, as after one answered so at once", async () => {
  const now = await replyAfterNoClear(false);
  // What was sent (760 ms: the estimate's slot for the next chunk) plays on until 1760.
  assert.deepEqual(now.events, [
    "1000 speakingstart r1",
    "1340 speakingstop r1",
    "1760 speakingstart r2",
    "2060 speakingstop r2",
  ]);
  const later = await replyAfterNoClear(true);
  assert.deepEqual(later.result, now.result, "the same answer: all that was sent is heard");
  assert.deepEqual(later.events, now.events, "r2 begins as r1's sent audio ends, not at once");
  assert.equal(later.playback.speaking, false, "100 ms after r2 was written, r1 still plays");
  assert.equal(later.playback.responseId, "r1");
  assert.deepEqual(later.playback, now.playback);
});
