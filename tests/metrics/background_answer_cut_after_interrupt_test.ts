// A background chunk whose asynchronous answer is due when an interruption comes leaves after the
// clear (background plays on through interruptions), so the interruption does not tell it dropped.
// Where the session then ends before that answer comes, it never leaves, and the observers are told
// so (`outboundDropped`), as where no interruption came first (background_answer_cut_test.ts): the
// interruption had told a drop at the same place on the timeline (the packetizer's partial packet,
// which its clear dropped), and the session's end took that for this one, told already. The far
// end (`tests/_fake_far_end.ts`) plays what arrives and answers a mark once the audio before it has
// played, as Twilio's Media Streams documents "mark" (its `MarkingSerializer`).
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { answersLate, hum, markingCall } from "../_marking_call.ts";

Deno.test("a background chunk whose late answer an interruption left due and the session's end cut off is told dropped", async () => {
  const clock = new FakeClock(1000);
  // Background alone: its 3rd chunk (40 ms on) is answered 30 ms late. Packets of 1,000 bytes
  // (31.25 ms): after two 20 ms chunks the packetizer holds 280 bytes, which the clear drops.
  const call = await markingCall(clock, answersLate(clock, 3, 30), {
    background: hum,
    markIntervalMs: 0,
    fixedAudioPacketSize: 1000,
  });
  const told: string[] = [];
  call.transport.observe({
    outboundAudio: (_chunk, info) => told.push(`audio ${info.position}`),
    outboundDropped: (info) => told.push(`dropped ${info.position}`),
    closed: () => told.push("closed"),
  });
  // The 3rd chunk's send has begun (it is told), its answer not come.
  for (let i = 0; i < 200 && !told.includes("audio 40"); i++) await clock.tick(1);
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
