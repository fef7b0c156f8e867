// An asynchronous serializer that refuses a chunk late (its promise rejects, or answers with what
// is no message) after the chunk was reserved and placed on the playout timeline: the chunk never
// left, so it must not count as sent or heard, nor a mark after it stand past it, and the next
// chunk plays where the far end really plays it (at the refused chunk's place, not a chunk later).
// The far end (`tests/_fake_far_end.ts`) plays what arrives and answers a mark once the audio
// before it has played, as Twilio's Media Streams documents "mark" (its `MarkingSerializer`).
import assert from "node:assert/strict";
import { FakeClock } from "../src/testing/mod.ts";
import { markingCall, type Refusal, refusesLate } from "./_marking_call.ts";
import { BYTES_PER_MS } from "./_stall_call.ts";

/**
 * A 400 ms reply (20 ms chunks, tagged "r") whose 5th chunk is refused 30 ms late: the playback
 * state while it plays and once it has, against what the far end played.
 */
async function reply(how: Refusal) {
  const clock = new FakeClock(1000);
  const { transport, farEnd, errors, say } = await markingCall(
    clock,
    refusesLate(clock, 5, 30, how),
    { markIntervalMs: 100 },
  );
  say(400, "r");
  // Every 5 ms once the refusal came: the most `heardMs` ran ahead of what the far end had played
  // of the reply. Not while the answer was awaited: the chunk stands at its slot meanwhile, as
  // any chunk whose answer is late (see tests/serialize_late_answer_test.ts).
  let ahead = 0;
  for (let t = 0; t < 600; t += 5) {
    await clock.tick(5);
    const state = transport.playback;
    if (errors.length > 0 && state.responseId === "r") {
      ahead = Math.max(ahead, state.heardMs - farEnd.playedMs(7));
    }
  }
  const end = { ...transport.playback };
  const stats = { ...transport.stats };
  await transport.close();
  return { farEnd, errors, ahead, end, stats };
}

for (const how of ["rejects", "no message"] as const) {
  Deno.test(`a chunk the asynchronous serializer refuses late (${how}) is neither sent nor heard`, async () => {
    const { farEnd, errors, ahead, end, stats } = await reply(how);
    assert.equal(errors.length, 1, "the refusal is reported once");
    assert.equal(errors[0]!.code, "encode");
    assert.equal(stats.encodeErrors, 1);
    assert.equal(stats.audioBytesRefused, BYTES_PER_MS * 20, "its 20 ms counted refused");
    assert.equal(farEnd.playedMs(7), 380, "the far end played the rest of the reply");
    assert.equal(farEnd.gaps(7).length, 1, "a silence where the refused chunk was awaited");
    assert.equal(end.sentMs, 380, "sent: what left, not the refused chunk");
    assert.equal(end.heardMs, 380, "heard: what played");
    assert.ok(ahead <= 1e-6, `heardMs ahead of the far end after the refusal (by ${ahead} ms)`);
  });
}
