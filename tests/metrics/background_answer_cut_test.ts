// Background audio goes through the serializer as speech does, and is told to the observers as its
// send begins (`outboundAudio`, `speech` false). An interruption's clear does not drop it (the
// background plays on through interruptions), but the session's end does: a background chunk
// whose asynchronous answer is still due when the session ends never leaves
// (`stats.audioBytesSent` never counts it). The observers are told it was dropped
// (`outboundDropped`), before they hear the session is over, so that `voice.outbound.audio` agrees
// with `stats.audioBytesSent`. The far end (`tests/_fake_far_end.ts`) plays what arrives and
// answers a mark once the audio before it has played, as Twilio's Media Streams documents "mark"
// (its `MarkingSerializer`).
import assert from "node:assert/strict";
import { SessionMetrics } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { answersLate, hum, markingCall } from "../_marking_call.ts";
import { BYTES_PER_MS } from "../_stall_call.ts";

/**
 * Background alone, its 3rd chunk (40 ms on) answered 30 ms late, with `SessionMetrics` and an
 * observer (`told`: each chunk told sent or dropped, by position, and the end) attached as the
 * session runs (what left before, `beforeMs`, is none of their count); stepped until the 3rd
 * chunk's send has begun (it is told), its answer not come (200 ms at most). `options`: the
 * transport's packets, if any.
 */
async function backgroundAnsweringLate(options: { fixedAudioPacketSize?: number } = {}) {
  const clock = new FakeClock(1000);
  const call = await markingCall(clock, answersLate(clock, 3, 30), {
    background: hum,
    markIntervalMs: 0,
    ...options,
  });
  const metrics = SessionMetrics.attach(call.transport, { clock, speech: false });
  const beforeMs = call.transport.stats.audioBytesSent / BYTES_PER_MS;
  const told: string[] = [];
  call.transport.observe({
    outboundAudio: (_chunk, info) => told.push(`audio ${info.position}`),
    outboundDropped: (info) => told.push(`dropped ${info.position}`),
    closed: () => told.push("closed"),
  });
  for (let i = 0; i < 200 && !told.includes("audio 40"); i++) await clock.tick(1);
  return { clock, call, metrics, beforeMs, told };
}

/** Each way the session ends while the answer is due. */
const ENDS = {
  "the transport's close": (call: Awaited<ReturnType<typeof markingCall>>) =>
    call.transport.close(),
  "the far end's close": (call: Awaited<ReturnType<typeof markingCall>>) => {
    call.pair.client.close(1000);
  },
};

for (const [how, end] of Object.entries(ENDS)) {
  Deno.test(`a background chunk whose late answer ${how} cut off is told dropped, and \`SessionMetrics\` does not count it`, async () => {
    const { clock, call, metrics, beforeMs, told } = await backgroundAnsweringLate();
    assert.ok(told.includes("audio 40"), told.join(", "));
    await end(call);
    await clock.tick(1000);
    await call.transport.closed;
    const sentMs = call.transport.stats.audioBytesSent / BYTES_PER_MS;
    assert.equal(sentMs, 40, "two chunks left");
    assert.deepEqual(told.filter((t) => t.startsWith("dropped")), ["dropped 40"], "told once");
    assert.ok(told.indexOf("dropped 40") < told.indexOf("closed"), "told before the end");
    assert.equal(metrics.snapshot().outbound.audioMs, sentMs - beforeMs);
  });
}

Deno.test("a background chunk whose late answer an interruption's clear overtook leaves, and is not told dropped", async () => {
  const { clock, call, metrics, beforeMs, told } = await backgroundAnsweringLate();
  await call.transport.interrupt();
  await clock.tick(100);
  assert.equal(told.filter((t) => t.startsWith("dropped")).length, 0, told.join(", "));
  const stats = { ...call.transport.stats };
  const audioMs = metrics.snapshot().outbound.audioMs;
  await call.transport.close();
  await clock.tick(1000);
  assert.equal(stats.audioBytesInterrupted, 0, "background plays on");
  assert.equal(audioMs, stats.audioBytesSent / BYTES_PER_MS - beforeMs);
});

// Where an interruption comes while that answer is due, the background chunk still leaves after
// the clear (background plays on through interruptions), so the interruption does not tell it
// dropped; where the session then ends before the answer, it never leaves, and is told so. The
// interruption had told a drop at the same place on the timeline (the packetizer's partial
// packet, which its clear dropped), and the session's end took that for this one, told already.
Deno.test("a background chunk whose late answer an interruption left due and the session's end cut off is told dropped", async () => {
  // Packets of 1,000 bytes (31.25 ms): after two 20 ms chunks the packetizer holds 280 bytes,
  // which the clear drops.
  const { clock, call, told } = await backgroundAnsweringLate({ fixedAudioPacketSize: 1000 });
  assert.ok(told.includes("audio 40"), told.join(", "));
  await call.transport.interrupt();
  // The packetizer's partial packet (280 bytes: 8.75 ms, before the 3rd chunk) told dropped: from
  // the timeline's end less its length (`outboundDropped` tells a drop from a place on, no hole).
  const atClear = told.filter((t) => t.startsWith("dropped"));
  assert.deepEqual(atClear, ["dropped 51.25"]);
  await call.transport.close();
  await clock.tick(1000);
  await call.transport.closed;
  // Before: only the partial packet's: the 3rd chunk, which never left, never told.
  assert.deepEqual(told.filter((t) => t.startsWith("dropped")), [...atClear, "dropped 40"]);
  assert.ok(told.indexOf("dropped 40") < told.indexOf("closed"), "told before the end");
});
