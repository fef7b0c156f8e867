// A waiting interruption's clear that proves to be none (README, "What the caller heard": "a
// clear answered later with no message is no clear: what was sent plays on ... and a reply sent
// before the interruption but not yet playing plays too: its `speakingstart` comes as it begins
// and its `speakingstop` once it has played"), on a far end that answers marks, where the
// serializer answers audio later too and the answer for the reply's last chunk was still due at
// the cut: that chunk is dropped as its answer comes (the clear went first), and the reply plays
// to the end of what did reach the far end. Its end was placed anew then, on the timeline the cut
// had left with nothing playing: NaN, never reached. Where the clear's fate came after the far
// end had played it all, the reply began and never stopped ("speaking" until the session's end),
// its timer armed again at every firing for a moment that never comes.
//
// The far end is FakeFarEnd (tests/_fake_far_end.ts): Twilio's rule, a mark comes back "when the
// media sent before it has been played" (twilio.com/docs/voice/media-streams/websocket-messages,
// "Mark message").
import assert from "node:assert/strict";
import type { Frame, FrameSerializer, SpeakingEvent } from "../mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";
import { BYTES_PER_MS, reply, urgentWireSession } from "./_urgent_wire_session.ts";

/**
 * `MarkingSerializer`'s protocol, answering the chunk of audio `heldChunk` of value `heldValue`
 * (counted from 1) only once `answerChunk()` is called, and its interruption only once
 * `answerClear(null)` is (no message).
 */
function laterSerializer(heldValue: number, heldChunk: number) {
  const marking = new MarkingSerializer();
  let answerClear: (message: string | null) => void = () => {};
  let answerChunk: () => void = () => {};
  let seen = 0;
  const serializer: FrameSerializer = {
    playoutMarks: marking.playoutMarks,
    setup: (audio) => marking.setup(audio),
    deserialize: (data) => marking.deserialize(data),
    serialize(frame: Frame) {
      if (frame.type === "interruption") {
        return new Promise<string | null>((resolve) => answerClear = resolve);
      }
      const message = marking.serialize(frame);
      if (frame.type !== "audio" || frame.audio[0] !== heldValue || ++seen !== heldChunk) {
        return message;
      }
      return new Promise((resolve) => answerChunk = () => resolve(message));
    },
  };
  return {
    serializer,
    answerClear: (message: string | null) => answerClear(message),
    answerChunk: () => answerChunk(),
  };
}

/**
 * r1 (300 ms) and r2 (200 ms) written at once on a far end answering marks, 400 ms ahead; r2's
 * last chunk answered only after the interruption 200 ms in, whose clear proves to be none
 * `fateMs` after it. Returns the speaking events after r1's (`what id@ms heard`), whether the
 * transport still read as speaking 1 s after the fate, and the spans the far end played of r2.
 */
async function dueChunkAtTheCut(fateMs: number) {
  // r2's last chunk (its 10th of 20 ms) is answered later.
  const later = laterSerializer(2, 10);
  const { clock, pair, transport } = await urgentWireSession(later.serializer, 5000, {
    sendAheadMs: 400,
    playoutDelayMs: 60,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 60, bytesPerMs: BYTES_PER_MS });
  const t0 = clock.now();
  const log: string[] = [];
  for (const type of ["speakingstart", "speakingstop"]) {
    transport.addEventListener(type, (event) => {
      const { responseId, heardMs, reason } = event as SpeakingEvent;
      const why = reason === undefined ? "" : ` ${reason}`;
      log.push(`${type} ${responseId}@${clock.now() - t0} heard ${heardMs}${why}`);
    });
  }
  transport.send(reply(300, "r1", 1));
  transport.send(reply(200, "r2", 2));
  await clock.tick(200);
  const interrupted = transport.interrupt();
  await clock.tick(0);
  later.answerChunk(); // it comes after the clear: dropped
  await clock.tick(fateMs);
  later.answerClear(null); // no clear: what reached the far end plays on
  await clock.tick(0);
  assert.equal((await interrupted).heardMs, 300, "all of r1 that left plays");
  await clock.tick(1000);
  const speaking = transport.playback.speaking;
  await transport.close();
  const r2 = farEnd.played.filter((span) => span.value === 2).map((span) => ({
    from: span.at - t0,
    to: span.at + span.ms - t0,
  }));
  return { log: log.slice(2), speaking, r2 };
}

Deno.test("a reply not yet begun as the interruption came, its last chunk's answer still due, whose clear proves to be none once it has played, begins and stops", async () => {
  const s = await dueChunkAtTheCut(800);
  // r2 reached the far end but for its last chunk: it played from 360 to 540.
  assert.deepEqual([s.r2[0]!.from, s.r2.at(-1)!.to], [360, 540]);
  assert.equal(s.speaking, false, "before: r2 went on speaking, never stopped");
  assert.deepEqual(s.log, [
    "speakingstart r2@1000 heard 180", // its fate known only once it had played
    "speakingstop r2@1000 heard 180 played",
  ]);
});

Deno.test("a reply not yet begun as the interruption came, its last chunk's answer still due, whose clear proves to be none before it plays, begins and stops as the far end plays it", async () => {
  const s = await dueChunkAtTheCut(80);
  assert.deepEqual([s.r2[0]!.from, s.r2.at(-1)!.to], [360, 540]);
  assert.equal(s.speaking, false);
  assert.deepEqual(s.log, [
    "speakingstart r2@360 heard 0",
    // Over as it has played: the interruption closed it to more audio, so no quiet time
    // (sendAheadMs, 400) is waited for after the queue ran dry, which it did only at the cut (the
    // pump waited for the answer due until then). Before: "@600", that quiet time after the cut.
    "speakingstop r2@540 heard 180 played",
  ]);
});
