import assert from "node:assert/strict";
import { SESSIONS, step } from "./_hand_driven_session.ts";

// On a real runtime a clock read (`performance.now()`) and a `bufferedAmount` read are calls out
// of JavaScript into the runtime, made per frame by hundreds of sessions: the hot path keeps them
// to what it needs. The floor (the bare echo) reads the clock once a frame to pace.
Deno.test("the push surface reads the clock once a real-time frame and `bufferedAmount` never", async () => {
  const session = SESSIONS.push!();
  for (let i = 0; i < 100; i++) await step(session); // past the first chunks and the anchor
  let clockReads = 0;
  const now = session.clock.now;
  session.clock.now = () => {
    clockReads++;
    return now();
  };
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
  assert.equal(clockReads, frames, `${clockReads} clock reads for ${frames} frames`);
  assert.equal(bufferedReads, 0, `${bufferedReads} bufferedAmount reads for ${frames} frames`);
  await session.stop();
});
