// Urgent frames leave in the order taken (README, Frames: "`urgent: true` jumps the audio queue;
// ... leaves first, in order"), also where the serializer answers one of them later (its
// `serialize` returns a promise: a remote encoder, a worker). The slow answer holds back the urgent
// frames taken after it, and what is sent after them (queued messages, the audio not yet handed to
// the socket), as the queue waits for a queued frame's slow answer; bounded all the same: an
// answer that does not come in `sendTimeoutMs` is given up, as today, and nothing waits on it.
//
// An interruption's clear is an urgent frame too: taken behind a slow urgent message it leaves
// after that message, and the audio of the next reply after the clear (the clear would drop it
// at the far end), while the chunk whose send waited behind the message never leaves (it would
// play after the clear: the interrupted reply going on).
//
// The far end here speaks no platform's protocol: a message is its JSON, a clear
// `{"event":"clear"}`, audio raw PCM (RawPcmSerializer); `MemorySocket.sent` is the wire's order.
import assert from "node:assert/strict";
import type { Frame, TransportError } from "../mod.ts";
import { handAnsweredPcm } from "./_hand_answered_pcm.ts";
import { BYTES_PER_MS, SAMPLE_RATE, urgentWireSession } from "./_urgent_wire_session.ts";

/**
 * An open session (see `urgentWireSession`) on raw PCM, messages as JSON of their `name`; a message
 * whose `slow` is set is answered only once `answer(name)` is called (never, if it is not), with
 * `answer(name, value)` that value.
 */
async function session(sendTimeoutMs = 5000) {
  const slow = handAnsweredPcm();
  return { ...(await urgentWireSession(slow.serializer, sendTimeoutMs)), ...slow };
}

const urgent = (name: string, slow = false): Frame => ({
  type: "message",
  message: { name, slow },
  urgent: true,
});

const audio = (value: number, ms: number, responseId: string): Frame => ({
  type: "audio",
  audio: new Uint8Array(BYTES_PER_MS * ms).fill(value),
  sampleRate: SAMPLE_RATE,
  channels: 1,
  responseId,
});

Deno.test("an urgent message answered later leaves before the urgent message taken after it, and before what was sent after them, answered first or not", async () => {
  const s = await session();
  s.transport.send(urgent("A", true));
  s.transport.send(urgent("B"));
  s.transport.send({ type: "message", message: { name: "C", slow: true } });
  s.transport.send(audio(1, 100, "r1"));
  await s.clock.tick(30);
  s.answer("C"); // before A's: C, taken after A, waits all the same
  await s.clock.tick(30);
  assert.deepEqual(s.wire(), [], "nothing overtakes A while its answer is due");
  s.answer("A");
  await s.clock.tick(300);
  assert.deepEqual(s.wire(), ["A", "B", "C", "audio1"]);
  assert.equal(s.audioBytes(1), BYTES_PER_MS * 100, "all the audio left, none dropped");
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

Deno.test("urgent messages answered later leave in the order taken, whichever answer comes first", async () => {
  const s = await session();
  s.transport.send(urgent("A", true));
  s.transport.send(urgent("B", true));
  s.transport.send(urgent("C"));
  s.answer("B");
  await s.clock.tick(10);
  assert.deepEqual(s.wire(), [], "B's answer waits for A's");
  s.answer("A");
  await s.clock.tick(10);
  assert.deepEqual(s.wire(), ["A", "B", "C"]);
  // The line drained: an urgent message now leaves at once again.
  s.transport.send(urgent("D"));
  assert.deepEqual(s.wire(), ["A", "B", "C", "D"]);
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

Deno.test("audio queued before an urgent message answered later waits for it, as for a queued frame's slow answer, and then goes on", async () => {
  const s = await session();
  s.transport.send(audio(1, 1000, "r1"));
  await s.clock.tick(100);
  const before = s.audioBytes(1);
  assert.ok(before > 0, "the reply is under way");
  s.transport.send(urgent("A", true));
  s.transport.send(urgent("B"));
  await s.clock.tick(200);
  assert.equal(s.audioBytes(1), before, "no chunk handed over after A was taken leaves before A");
  s.answer("A");
  await s.clock.tick(2000);
  assert.deepEqual(s.wire(), ["audio1", "A", "B", "audio1"]);
  assert.equal(s.audioBytes(1), BYTES_PER_MS * 1000, "all of it left, in order, none dropped");
  assert.equal(s.transport.stats.audioBytesSent, BYTES_PER_MS * 1000);
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

Deno.test("an interruption's clear behind an urgent message answered later leaves after it, the interrupted reply's waiting chunk never, the next reply after the clear", async () => {
  const s = await session();
  s.transport.send(audio(1, 1000, "r1"));
  await s.clock.tick(100);
  s.transport.send(urgent("A", true));
  // The next chunk's send waits behind A meanwhile.
  await s.clock.tick(40);
  const heardBefore = s.audioBytes(1);
  const interrupted = s.transport.interrupt();
  s.transport.send(audio(2, 200, "r2"));
  await s.clock.tick(100);
  assert.equal(s.audioBytes(1), heardBefore, "nothing of the interrupted reply leaves meanwhile");
  assert.equal(s.audioBytes(2), 0, "the next reply does not overtake the clear");
  s.answer("A");
  await s.clock.tick(1000);
  await interrupted;
  assert.deepEqual(s.wire(), ["audio1", "A", "clear", "audio2"]);
  assert.equal(
    s.audioBytes(1),
    heardBefore,
    "the waiting chunk was dropped, not sent after the clear",
  );
  assert.equal(s.audioBytes(2), BYTES_PER_MS * 200, "the next reply left whole, after the clear");
  const { stats } = s.transport;
  assert.equal(
    stats.audioBytesSent + stats.audioBytesInterrupted,
    BYTES_PER_MS * 1200,
    "every byte counted: sent, or dropped by the interruption",
  );
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

Deno.test("an urgent message whose answer never comes holds those after it no longer than sendTimeoutMs", async () => {
  const s = await session(300);
  s.transport.send(urgent("A", true));
  s.transport.send(urgent("B"));
  s.transport.send(audio(1, 100, "r1"));
  await s.clock.tick(290);
  assert.deepEqual(s.wire(), []);
  assert.deepEqual(s.errors, []);
  await s.clock.tick(20);
  // Given up as an answer that does not come always was: counted, reported, the session ended.
  const errors: TransportError[] = s.errors; // not narrowed by the look above
  const overdue = errors.find((error) => error.fatal);
  assert.equal(overdue?.code, "protocol");
  assert.match(overdue!.message, /did not answer a message frame within 300 ms/);
  assert.equal(s.transport.stats.encodeErrors, 1);
  await s.clock.tick(10_000);
  const closed = await s.transport.closed;
  assert.equal(closed.code, 1011);
  // What waited behind it did not wait for ever: it went to a session ending, counted.
  const { stats } = s.transport;
  assert.deepEqual(s.wire(), []);
  assert.equal(stats.framesDroppedOnClose, 1, "B");
  assert.equal(stats.audioBytesDroppedOnClose, BYTES_PER_MS * 100, "the audio");
});

Deno.test("an urgent message an error listener sends as the line's answers leave goes behind those taken before it", async () => {
  const s = await session();
  s.transport.addEventListener("error", () => s.transport.send(urgent("E")), { once: true });
  s.transport.send(urgent("A", true));
  s.transport.send(urgent("B"));
  s.answer("A", 42); // no message: A's encode error, reported as its answer comes
  await s.clock.tick(10);
  assert.deepEqual(s.wire(), ["B", "E"]);
  assert.equal(s.errors[0]?.code, "encode");
  assert.equal(s.transport.stats.encodeErrors, 1);
  s.transport.send(urgent("F"));
  assert.deepEqual(s.wire(), ["B", "E", "F"], "the line drained");
  await s.transport.close();
});

Deno.test("a cancel hangs up at once, not behind an urgent message whose answer is due: that message is dropped, counted, what it held back leaves before the cancel", async () => {
  const s = await session();
  // Its own message, to see where it leaves.
  const serialize = s.serializer.serialize.bind(s.serializer);
  s.serializer.serialize = (frame) =>
    frame.type === "cancel"
      ? JSON.stringify({ event: "message", name: "cancel" })
      : serialize(frame);
  s.transport.send(urgent("A", true));
  s.transport.send(urgent("B"));
  await s.clock.tick(30);
  // README, Frames: `cancel` (hang up now; what is sent after it is dropped and counted).
  void s.transport.send({ type: "cancel", closeCode: 1001, reason: "bot hung up" });
  await s.clock.tick(10);
  assert.equal(s.pair.server.readyState, 3, "closed at once, not after sendTimeoutMs (5 s)");
  assert.deepEqual(s.wire(), ["B", "cancel"], "B, answered, before the cancel; A never");
  const closed = await s.transport.closed;
  assert.equal(closed.code, 1001, "the cancel's own close code, not the bound's 1011");
  assert.deepEqual(s.errors, [], "no answer given up: the session ended first");
  s.answer("A"); // too late: ignored
  await s.clock.tick(10);
  assert.deepEqual(s.wire(), ["B", "cancel"]);
  assert.equal(s.transport.stats.framesDroppedOnClose, 1, "A, dropped, counted once");
  assert.equal(s.transport.stats.encodeErrors, 0);
});
