// Review of "interrupt() waits for a clear that waits in the urgent line": a `writable`'s write of
// an interruption settled only once its clear left, and the writable (a writer, or the runtime's
// pipe) holds what is written after a write until it settles, as it waits for room (README,
// Frames: the writable's write resolves once the queue has room). So a `cancel`
// (README, Frames: `cancel`, hang up now) written right after an interruption hangs up only when
// the urgent answer ahead of the clear is given up at `sendTimeoutMs`, with 1011, as the cancel
// sent on the push surface no longer does (tests/urgent_order_async_answer_test.ts).
//
// The far end speaks no platform's protocol: a message is its JSON, a clear `{"event":"clear"}`,
// audio raw PCM (RawPcmSerializer); `MemorySocket.sent` is the wire's order.
import assert from "node:assert/strict";
import type { Frame } from "../mod.ts";
import { handAnsweredPcm } from "./_hand_answered_pcm.ts";
import { BYTES_PER_MS, reply as replyOf, urgentWireSession } from "./_urgent_wire_session.ts";

/** r1, `ms` long. */
const reply = (ms: number): Frame => replyOf(ms, "r1", 1);

/** Raw PCM; a message is its `name` as JSON, answered only once `answer(name)` is called. */
const slowSerializer = () => handAnsweredPcm({ everyMessage: true, cancelMessage: true });

async function interruptedBehindSlowUrgent() {
  const slow = slowSerializer();
  const s = { ...await urgentWireSession(slow.serializer, 5000, { sendAheadMs: 400 }), ...slow };
  // The reply and A on the push surface: no write of the writer's waits for room.
  s.transport.send(reply(2000));
  await s.clock.tick(300);
  s.transport.send({ type: "message", message: { name: "A" }, urgent: true });
  await s.clock.tick(40);
  const writer = s.transport.writable.getWriter();
  const interruption = writer.write({ type: "interruption" });
  return { ...s, writer, interruption };
}

Deno.test("review: a cancel written behind a writable's interruption whose clear waits hangs up at once, with its own code", async () => {
  const s = await interruptedBehindSlowUrgent();
  void s.writer.write({ type: "cancel", closeCode: 1001, reason: "bot hung up" }).catch(() => {});
  await s.clock.tick(10);
  assert.equal(s.pair.server.readyState, 3, "closed at once, not after sendTimeoutMs (5 s)");
  await s.clock.tick(10_000);
  const closed = await s.transport.closed;
  assert.equal(closed.code, 1001, "the cancel's own close code, not the bound's 1011");
  await s.interruption.catch(() => {});
});

Deno.test("review: audio written behind a writable's interruption whose clear waits is taken at once, leaving after the clear", async () => {
  const s = await interruptedBehindSlowUrgent();
  s.transport.startResponse("r2");
  const next = {
    ...reply(100),
    responseId: "r2",
    audio: new Uint8Array(BYTES_PER_MS * 100).fill(2),
  };
  void s.writer.write(next);
  await s.clock.tick(10);
  assert.equal(
    s.transport.playback.queuedMs,
    100,
    "the new reply is queued, not held in the writer",
  );
  s.answer("A");
  await s.clock.tick(200);
  await s.interruption;
  assert.deepEqual(s.wire(), ["audio1", "A", "clear", "audio2"]);
  await s.writer.close();
});

Deno.test("review: a cancel piped behind an interruption whose clear waits hangs up at once, with its own code", async () => {
  const slow = slowSerializer();
  const s = { ...await urgentWireSession(slow.serializer, 5000, { sendAheadMs: 400 }), ...slow };
  s.transport.send(reply(2000));
  await s.clock.tick(300);
  s.transport.send({ type: "message", message: { name: "A" }, urgent: true });
  await s.clock.tick(40);
  // The runtime's own pipe: it writes the next chunk once the write before it has settled.
  const frames: Frame[] = [
    { type: "interruption" },
    { type: "cancel", closeCode: 1001, reason: "bot hung up" },
  ];
  const piped = ReadableStream.from(frames).pipeTo(s.transport.writable).catch(() => {});
  await s.clock.tick(10);
  assert.equal(s.pair.server.readyState, 3, "closed at once, not after sendTimeoutMs (5 s)");
  await s.clock.tick(10_000);
  assert.equal((await s.transport.closed).code, 1001);
  await piped;
});
