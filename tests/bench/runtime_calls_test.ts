import assert from "node:assert/strict";
import { type Session, SESSIONS, step } from "./_hand_driven_session.ts";

/** Counts the session clock's reads from now on: `reads()` says how many so far. */
function countClockReads(session: Session): { reads: () => number } {
  let reads = 0;
  const now = session.clock.now;
  session.clock.now = () => {
    reads++;
    return now();
  };
  return { reads: () => reads };
}

// On a real runtime a clock read (`performance.now()`) and a `bufferedAmount` read are calls out
// of JavaScript into the runtime, made per frame by hundreds of sessions: the hot path keeps them
// to what it needs. The floor (the bare echo) reads the clock once a frame to pace.
Deno.test("the push surface reads the clock once a real-time frame and `bufferedAmount` never", async () => {
  const session = SESSIONS.push!();
  for (let i = 0; i < 100; i++) await step(session); // past the first chunks and the anchor
  const clock = countClockReads(session);
  let bufferedReads = 0;
  Object.defineProperty(session.socket, "bufferedAmount", {
    get: () => {
      bufferedReads++;
      return 0;
    },
  });
  const frames = 500;
  const sentBefore = session.socket.sent;
  for (let i = 0; i < frames; i++) await step(session);
  assert.equal(session.socket.sent - sentBefore, frames, "one message back per message in");
  assert.equal(clock.reads(), frames, `${clock.reads()} clock reads for ${frames} frames`);
  assert.equal(bufferedReads, 0, `${bufferedReads} bufferedAmount reads for ${frames} frames`);
  await session.stop();
});

// Playback tracking arms timers as the queue runs dry after each chunk: a timer's arming takes the
// reading the pump already made instead of reading the clock again.
Deno.test("playback tracking reads the clock once a real-time frame, its timers included", async () => {
  const session = SESSIONS.responses!();
  for (let i = 0; i < 100; i++) await step(session); // past the first marks and acknowledgements
  const clock = countClockReads(session);
  const frames = 1000;
  for (let i = 0; i < frames; i++) await step(session);
  // One a frame, two for each acknowledgement (a mark per 50 frames at this cadence), one at
  // each new response (every 100 frames) and one after each of its two speaking events, whose
  // listeners may have worked a while: 1,070. Each timer reading the clock itself made 2,040.
  const acknowledgements = frames / 50;
  const responses = frames / 100;
  assert.ok(
    clock.reads() <= frames + 2 * acknowledgements + 3 * responses + 2,
    `${clock.reads()} clock reads for ${frames} frames`,
  );
  await session.stop();
});
