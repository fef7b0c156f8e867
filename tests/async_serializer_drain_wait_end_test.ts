// A chunk whose send waits for the socket to drain (the far end stopped reading) when the session
// ends: the wait ends with it (here past `sendTimeoutMs`, a fatal "backpressure" error), and the
// send path runs on through the closing handshake. No mark of the transport's own is made after
// the end: it could only be dropped at the close (counted in `framesDroppedOnClose`, a frame the
// bot never sent), and would be counted in `marksSent` and `marksUnanswered` besides. The README's
// stats: sent = acknowledged + unanswered + pending. The serializer answers asynchronously, as a
// remote encoder does; the far end (`tests/_fake_far_end.ts`) answers a mark once the audio before
// it has played, as Twilio's Media Streams documents "mark".
import assert from "node:assert/strict";
import type { Frame, FrameSerializer } from "../mod.ts";
import { FakeClock } from "../src/testing/mod.ts";
import { MarkingSerializer } from "./_fake_far_end.ts";
import { markingCall } from "./_marking_call.ts";

/** The far end's protocol, every answer a promise (settled on a later microtask). */
function answersAsynchronously(): FrameSerializer {
  const marking = new MarkingSerializer();
  return {
    playoutMarks: true,
    setup: (audio) => marking.setup(audio),
    deserialize: (data) => marking.deserialize(data),
    serialize: (frame: Frame) => Promise.resolve(marking.serialize(frame)),
  };
}

Deno.test("no mark is made after the session ended while a send waited for the socket to drain", async () => {
  const clock = new FakeClock(1000);
  const { pair, transport, errors, say } = await markingCall(clock, answersAsynchronously(), {
    markIntervalMs: 40,
    maxBufferedBytes: 2000,
    sendTimeoutMs: 500,
    closeTimeoutMs: 300,
  });
  say(400);
  await clock.tick(60);
  pair.client.stall(); // the far end stops reading: the sends wait for the socket to drain
  let marksAtEnd = NaN;
  transport.addEventListener("error", (event) => {
    if (event.error.fatal) marksAtEnd = transport.stats.marksSent;
  });
  await clock.tick(1000); // past sendTimeoutMs: the session ends, its close frame unread
  assert.equal(errors.find((error) => error.fatal)?.code, "backpressure");
  assert.ok(marksAtEnd > 0, "marks went before the far end stopped reading");
  await clock.tick(2000); // the quiet time after the wait's end, and closeTimeoutMs
  pair.client.resume();
  const closed = await transport.closed;
  assert.equal(closed.code, 1008);
  const stats = transport.stats;
  assert.equal(stats.marksSent, marksAtEnd, "no mark made after the end");
  assert.equal(stats.framesDroppedOnClose, 0, "the bot sent no frame; none of ours dropped");
  assert.equal(stats.marksSent, stats.marksAcknowledged + stats.marksUnanswered);
  assert.equal(clock.pendingTimers, 0, "no timer left after the end");
});
