// An interruption's answer (README, "Interrupt with an answer": `transport.interrupt()` resolves
// with `{ responseId, heardMs, droppedMs, acknowledged }`) where its clear cannot leave at once: an
// urgent message taken before it is answered later by its serializer (its `serialize` returns a
// promise: a remote encoder, a worker), and urgent frames leave in the order taken (README,
// Frames: "`urgent: true` jumps the audio queue; ... leaves first, in order"), the clear too. Until
// the clear reaches the far end, the far end plays on what it was sent: the caller hears it. So
// the answer is what was heard when the clear left (bounded: each answer ahead of it is, by
// `sendTimeoutMs`), not as the interruption was taken; where the serializer answers the clear
// with no message after all, what was sent plays on, as where the protocol has none.
//
// The far end here speaks no platform's protocol: a message is its JSON, a clear
// `{"event":"clear"}`, audio raw PCM (RawPcmSerializer); `MemorySocket.sent` is the wire's order.
// It plays what it is sent as it comes, back to back (the estimate's model: no acknowledgements).
import assert from "node:assert/strict";
import type { Frame, InterruptResult, SpeakingEvent } from "../mod.ts";
import { handAnsweredPcm } from "./_hand_answered_pcm.ts";
import { BYTES_PER_MS, reply as replyOf, urgentWireSession } from "./_urgent_wire_session.ts";

/**
 * An open session, the far end sent 400 ms ahead of playing, on raw PCM, messages as JSON of their
 * `name`; a message whose `slow` is set is answered only once `answer(name)` is called (never, if it
 * is not). With `slowClear`, the clear too ("clear"), `answer("clear", null)` answering it with no
 * message.
 */
async function session(options: { slowClear?: boolean; sendTimeoutMs?: number } = {}) {
  const slow = handAnsweredPcm({ clear: options.slowClear === true });
  const opened = await urgentWireSession(slow.serializer, options.sendTimeoutMs ?? 5000, {
    sendAheadMs: 400,
  });
  return { ...opened, ...slow };
}

const urgent = (name: string): Frame => ({
  type: "message",
  message: { name, slow: true },
  urgent: true,
});

/** r1, `ms` long. */
const reply = (ms: number): Frame => replyOf(ms, "r1", 1);

/** Whether `promise` has settled by now (a few microtasks on). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => done = true);
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
}

/** A 2 s reply under way, 300 ms in, then urgent message A, answered later, 40 ms on. */
async function replyBehindSlowUrgent(s: Awaited<ReturnType<typeof session>>) {
  s.transport.send(reply(2000));
  await s.clock.tick(300);
  s.transport.send(urgent("A"));
  // The next chunk's send waits behind A meanwhile: placed, never to leave.
  await s.clock.tick(40);
  const at = s.transport.playback;
  assert.equal(at.heardMs, 340, "the estimate: all sent plays back to back from the start");
  assert.equal(s.audioBytes(1), BYTES_PER_MS * 720, "400 ms ahead of playing, and no further");
  return at;
}

Deno.test("an interruption whose clear waits behind an urgent message answered later answers once the clear left, with what the caller heard until then", async () => {
  const s = await session();
  await replyBehindSlowUrgent(s);
  const stops: SpeakingEvent[] = [];
  s.transport.addEventListener("speakingstop", (event) => stops.push(event));
  const interrupted = s.transport.interrupt();
  await s.clock.tick(100);
  assert.equal(await settled(interrupted), false, "no answer while the far end plays on");
  assert.deepEqual(s.wire(), ["audio1"], "the clear waits for A");
  s.answer("A");
  await s.clock.tick(0);
  const result = await interrupted;
  assert.deepEqual(s.wire(), ["audio1", "A", "clear"]);
  // 100 ms more of what it held, played before the clear reached it: heard, not dropped.
  assert.deepEqual(result, {
    responseId: "r1",
    heardMs: 440,
    droppedMs: 2000 - 440,
    acknowledged: false, // past the cut, the estimate's alone
  });
  assert.equal(s.transport.playback.heardMs, 440, "the playback state says the same");
  // "speakingstop" is told as the interruption is taken (a listener's next reply is a new one):
  // what was heard then, at least; the answer says what was heard in the end.
  assert.equal(stops.length, 1);
  assert.equal(stops[0]!.reason, "interrupted");
  assert.equal(stops[0]!.heardMs, 340);
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

Deno.test("an interruption whose clear waits longer than the far end has audio for answers that all that left was heard, none of the chunk that never left", async () => {
  const s = await session();
  await replyBehindSlowUrgent(s);
  const interrupted = s.transport.interrupt();
  await s.clock.tick(1000);
  s.answer("A");
  await s.clock.tick(0);
  const result = await interrupted;
  assert.deepEqual(s.wire(), ["audio1", "A", "clear"]);
  // It ran dry at the end of the 720 ms that left; the chunk waiting behind A never did.
  assert.deepEqual(result, {
    responseId: "r1",
    heardMs: 720,
    droppedMs: 2000 - 720,
    acknowledged: false,
  });
  const { stats } = s.transport;
  assert.equal(stats.audioBytesSent, BYTES_PER_MS * 720);
  assert.equal(stats.audioBytesSent + stats.audioBytesInterrupted, BYTES_PER_MS * 2000);
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

Deno.test("an interruption whose clear the serializer answers later with no message answers that all that left plays on, as where the protocol has no clear", async () => {
  const s = await session({ slowClear: true });
  s.transport.send(reply(2000));
  await s.clock.tick(340);
  assert.equal(s.transport.playback.heardMs, 340);
  const left = s.audioBytes(1) / BYTES_PER_MS;
  const interrupted = s.transport.interrupt();
  await s.clock.tick(50);
  assert.equal(await settled(interrupted), false, "the clear's answer is due");
  s.answer("clear", null);
  await s.clock.tick(0);
  const result = await interrupted;
  assert.deepEqual(s.wire(), ["audio1"], "no clear left");
  assert.deepEqual(result, {
    responseId: "r1",
    heardMs: left,
    droppedMs: 2000 - left,
    acknowledged: false,
  });
  await s.transport.close();
});

Deno.test("an interruption whose clear waits answers when the session ends first: closed, or the answer ahead of it given up at sendTimeoutMs", async () => {
  const closing = await session();
  await replyBehindSlowUrgent(closing);
  const interrupted = closing.transport.interrupt();
  await closing.clock.tick(100);
  const closed = closing.transport.close();
  await closing.clock.tick(0);
  const result: InterruptResult = await interrupted;
  assert.equal(result.responseId, "r1");
  assert.equal(result.heardMs, 440, "the far end played on until the session ended");
  await closed;
  assert.deepEqual(closing.wire(), ["audio1"], "neither A nor the clear left");

  const bounded = await session({ sendTimeoutMs: 300 });
  await replyBehindSlowUrgent(bounded);
  const given = bounded.transport.interrupt();
  await bounded.clock.tick(250); // A was taken 40 ms before the interruption
  assert.equal(await settled(given), false);
  await bounded.clock.tick(20);
  const late = await given; // A given up at its bound: the session ends (1011), nothing waits on
  assert.equal(late.responseId, "r1");
  // The far end played on until then: 260 ms more of what it held; the clear never left.
  assert.deepEqual(late, {
    responseId: "r1",
    heardMs: 600,
    droppedMs: 2000 - 600,
    acknowledged: false,
  });
  assert.deepEqual(bounded.wire(), ["audio1"]);
  assert.equal(bounded.errors.find((error) => error.fatal)?.code, "protocol");
  await bounded.clock.tick(10_000);
  assert.equal((await bounded.transport.closed).code, 1011);
});
