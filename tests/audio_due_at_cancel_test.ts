// A `cancel` hangs up at once, dropping the audio chunk whose asynchronous answer is still due:
// counted dropped at the close (`audioBytesDroppedOnClose`), told to the observers as never left.
// While the closing handshake waits for the far end (up to `closeTimeoutMs`), the `sendTimeoutMs`
// bound on that answer is no longer anyone's wait: it must not report the dropped chunk as one the
// serializer failed (a fatal 1011 "serialize did not answer"), nor count it an encode error.
import assert from "node:assert/strict";
import { dueSession, neverAnswering } from "./_answers_due.ts";

/**
 * JSON, but an audio chunk's answer never comes (a remote encoder that stalled, say); `peerCloses`:
 * the far end closes after our goodbye (as Genesys AudioHook's does), the socket open meanwhile.
 */
const neverAnswersAudio = (peerCloses = false) =>
  neverAnswering((frame) => frame.type === "audio", { peerCloses });

Deno.test("a cancel with an audio chunk's answer due: its sendTimeoutMs bound passing during the closing handshake reports nothing, counts the chunk once", async () => {
  const { clock, transport, errors } = await dueSession(neverAnswersAudio());
  // One 20 ms chunk (16 kHz, 16-bit mono): its answer is due as the cancel comes.
  transport.send({ type: "audio", audio: new Uint8Array(640), sampleRate: 16000, channels: 1 });
  await clock.tick(10);
  transport.send({ type: "cancel", closeCode: 1000, reason: "bye" });
  // The far end is slow to answer the close: the handshake waits, past the answer's bound.
  await clock.tick(600);
  assert.deepEqual(errors.map((e) => e.message), [], "no serializer failure for a dropped chunk");
  assert.equal(transport.stats.encodeErrors, 0);
  await clock.tick(2_000);
  const closed = await transport.closed;
  await clock.runAll();
  assert.equal(closed.code, 1000);
  assert.equal(transport.stats.encodeErrors, 0);
  assert.equal(transport.stats.audioBytesRefused, 0);
  assert.equal(transport.stats.audioBytesDroppedOnClose, 640, "the chunk, once");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("a cancel with an audio chunk's answer due, the far end closing after the goodbye: its bound passing while the socket is still open reports nothing", async () => {
  const { clock, pair, transport, errors } = await dueSession(neverAnswersAudio(true), false);
  transport.send({ type: "audio", audio: new Uint8Array(640), sampleRate: 16000, channels: 1 });
  await clock.tick(10);
  transport.send({ type: "cancel", closeCode: 1000, reason: "bye" });
  // The far end is to close after the cancel's goodbye: the socket stays open past the bound.
  await clock.tick(600);
  assert.deepEqual(errors.map((e) => e.message), [], "no serializer failure for a dropped chunk");
  assert.equal(transport.stats.encodeErrors, 0);
  assert.equal(transport.stats.audioBytesDroppedOnClose, 640, "the chunk, once");
  pair.client.close(1000, "bye"); // the far end closes, as it was to
  const closed = await transport.closed;
  await clock.runAll();
  assert.equal(closed.code, 1000);
  assert.equal(transport.stats.encodeErrors, 0);
  assert.equal(transport.stats.audioBytesDroppedOnClose, 640, "the chunk, once");
  assert.equal(clock.pendingTimers, 0);
});
