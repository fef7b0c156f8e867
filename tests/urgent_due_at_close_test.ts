// `close()` begins the closing handshake at once: an urgent message whose asynchronous answer is
// still due can no longer leave (its answer would find the socket closing), and is counted dropped
// at the close. While the handshake waits for a far end slow to answer (up to `closeTimeoutMs`,
// longer here than `sendTimeoutMs`), that answer's bound must not report the frame as one the
// serializer failed (a fatal 1011 "serialize did not answer", on a session closing with 1000), nor
// count it an encode error.
import assert from "node:assert/strict";
import { dueSession, neverAnswering } from "./_answers_due.ts";

/** JSON, but an urgent message's answer never comes (a stalled lookup, say). */
const neverAnswersUrgent = () =>
  neverAnswering((frame) => frame.type === "message" && frame.urgent === true);

Deno.test("close() with an urgent answer due: its sendTimeoutMs bound passing during the closing handshake reports nothing, counts the frame once", async () => {
  const { clock, transport, errors } = await dueSession(neverAnswersUrgent());
  transport.send({ type: "message", message: { transcript: "hi" }, urgent: true });
  await clock.tick(10);
  void transport.close(1000, "bye");
  // The handshake waits, past the answer's bound.
  await clock.tick(600);
  assert.deepEqual(errors.map((e) => e.message), [], "no serializer failure for a dropped frame");
  assert.equal(transport.stats.encodeErrors, 0);
  assert.equal(transport.stats.framesDroppedOnClose, 1, "the urgent message, once");
  await clock.tick(2_000);
  const closed = await transport.closed;
  await clock.runAll();
  assert.equal(closed.code, 1000);
  assert.equal(transport.stats.encodeErrors, 0);
  assert.equal(transport.stats.framesDroppedOnClose, 1, "the urgent message, once");
  assert.equal(clock.pendingTimers, 0);
});
