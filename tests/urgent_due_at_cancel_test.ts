// A `cancel` hangs up at once, dropping the urgent frames whose asynchronous answers are still due
// (`UrgentLine.dropDue`): each counted dropped at the close. While the closing handshake waits for
// the far end (up to `closeTimeoutMs`), the `sendTimeoutMs` bound on those answers is no longer
// anyone's wait: it must not report a dropped frame as one the serializer failed, nor count it twice.
import assert from "node:assert/strict";
import { dueSession, neverAnswering } from "./_answers_due.ts";

/** JSON, but an urgent message's answer never comes (a stalled lookup, say). */
const neverAnswersUrgent = () =>
  neverAnswering((frame) => frame.type === "message" && frame.urgent === true);

Deno.test("a cancel with an urgent answer due: its sendTimeoutMs bound passing during the closing handshake reports nothing, counts the frame once", async () => {
  const { clock, transport, errors } = await dueSession(neverAnswersUrgent());
  transport.send({ type: "message", message: { transcript: "hi" }, urgent: true });
  await clock.tick(10);
  transport.send({ type: "cancel", closeCode: 1000, reason: "bye" });
  // The far end is slow to answer the close: the handshake waits, past the answer's bound.
  await clock.tick(600);
  assert.deepEqual(errors.map((e) => e.message), [], "no serializer failure for a dropped frame");
  assert.equal(transport.stats.encodeErrors, 0);
  await clock.tick(2_000);
  const closed = await transport.closed;
  await clock.runAll();
  assert.equal(closed.code, 1000);
  assert.equal(transport.stats.encodeErrors, 0);
  assert.equal(transport.stats.framesDroppedOnClose, 1, "the urgent message, once");
  assert.equal(clock.pendingTimers, 0);
});
