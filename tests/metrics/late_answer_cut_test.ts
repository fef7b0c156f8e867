// An asynchronous serializer's chunk is told to the observers as its send begins (`outboundAudio`,
// with its place on the playout timeline). Where an interruption's clear leaves before its answer,
// the answer is dropped when it comes (the far end was told to drop what it had, and would play
// this on): the chunk never left. So too where the session ends before the answer. The
// observers are told it was dropped (`outboundDropped`), so that `voice.outbound.audio` agrees
// with `stats.audioBytesSent`, which never counted it. The far end (`tests/_fake_far_end.ts`) plays
// what arrives and answers a mark once the audio before it has played, as Twilio's Media Streams
// documents "mark" (its `MarkingSerializer`).
import assert from "node:assert/strict";
import { type FrameSerializer, SessionMetrics } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { answersLate, markingCall, refusesLate } from "../_marking_call.ts";
import { BYTES_PER_MS } from "../_stall_call.ts";

/** A 400 ms reply whose 5th chunk (80 ms on) is answered 30 ms late; `cut` while it waits. */
async function cutWhileAnswering(
  serializer: (clock: FakeClock) => FrameSerializer,
  cut: (transport: Awaited<ReturnType<typeof markingCall>>["transport"]) => Promise<unknown>,
) {
  const clock = new FakeClock(1000);
  const { transport, say } = await markingCall(clock, serializer(clock), {
    markIntervalMs: 100,
  });
  const metrics = SessionMetrics.attach(transport, { clock, speech: false });
  const told: string[] = [];
  transport.observe({
    outboundAudio: (_chunk, info) => told.push(`audio ${info.position}`),
    outboundDropped: (info) => told.push(`dropped ${info.position}`),
    closed: () => told.push("closed"),
  });
  say(400, "r");
  // The 5th chunk's send has begun (it is told), its answer not come.
  while (!told.includes("audio 80")) await clock.tick(1);
  await cut(transport);
  await clock.tick(1000);
  await transport.close();
  return { transport, metrics, told };
}

Deno.test("`SessionMetrics` does not count a chunk whose late answer an interruption's clear dropped", async () => {
  const { transport, metrics, told } = await cutWhileAnswering(
    (clock) => answersLate(clock, 5, 30),
    (transport) => transport.interrupt(),
  );
  assert.equal(transport.stats.audioBytesInterrupted > 0, true);
  assert.equal(transport.stats.audioBytesSent, 80 * BYTES_PER_MS, "four chunks left");
  assert.ok(told.includes("dropped 80"), told.join(", "));
  assert.equal(metrics.snapshot().outbound.audioMs, 80);
});

Deno.test("`SessionMetrics` does not count a chunk whose answer came after the session's end", async () => {
  const { transport, metrics, told } = await cutWhileAnswering(
    (clock) => answersLate(clock, 5, 30),
    (transport) => transport.close(),
  );
  assert.equal(transport.stats.audioBytesSent, 80 * BYTES_PER_MS, "four chunks left");
  assert.ok(told.indexOf("dropped 80") >= 0, told.join(", "));
  assert.ok(told.indexOf("dropped 80") < told.indexOf("closed"), "told before the end");
  assert.equal(metrics.snapshot().outbound.audioMs, 80);
});

Deno.test("`SessionMetrics` does not count a chunk refused late after the session's end", async () => {
  const { transport, metrics, told } = await cutWhileAnswering(
    (clock) => refusesLate(clock, 5, 30, "rejects"),
    (transport) => transport.close(),
  );
  assert.equal(transport.stats.audioBytesSent, 80 * BYTES_PER_MS, "four chunks left");
  assert.ok(told.indexOf("dropped 80") >= 0, told.join(", "));
  assert.ok(told.indexOf("dropped 80") < told.indexOf("closed"), "told before the end");
  assert.equal(metrics.snapshot().outbound.audioMs, 80);
});
