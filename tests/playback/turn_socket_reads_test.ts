// Whether what a turn sent has left the process is the socket's to say (`bufferedAmount`: see
// `OutboundPump`'s `TURN_SLACK_MS`), and reading it is a call out of JavaScript into the runtime,
// as a clock read is, made by hundreds of sessions per frame. An observer is told of every chunk,
// and the pump then looks whether its work held what the turn sent: the socket is asked only
// where that work took a millisecond, which a clock read after it says. The session is the
// benchmarks' hand-driven echo, recorded (tests/bench/_hand_driven_session.ts).
import assert from "node:assert/strict";
import { SESSIONS, step } from "../bench/_hand_driven_session.ts";

const SOCKETS = [
  // Deno counts a send until the task that sent it has ended: never 0 as the pump looks.
  { name: "holds what is sent until the task ends (Deno)", bufferedAmount: 640 },
  // Node's `ws` writes to the kernel as it sends: 0 as the pump looks.
  { name: "writes at once (Node)", bufferedAmount: 0 },
];

for (const { name, bufferedAmount } of SOCKETS) {
  Deno.test(`a recorded session on a socket that ${name}: a real-time frame costs the four clock reads it did before turns asked the socket, and no \`bufferedAmount\` read`, async () => {
    const session = SESSIONS.recording!();
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
        return bufferedAmount;
      },
    });
    const frames = 500;
    for (let i = 0; i < frames; i++) await step(session);
    // As before the socket was asked at all. Asked per chunk (500 reads), it was one more call
    // a frame on Deno, and on Node one in place of a clock read.
    assert.equal(bufferedReads, 0, `${bufferedReads} bufferedAmount reads for ${frames} frames`);
    assert.equal(clockReads, 4 * frames, `${clockReads} clock reads for ${frames} frames`);
    await session.stop();
  });
}
