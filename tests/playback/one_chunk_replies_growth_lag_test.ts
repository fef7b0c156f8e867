// One-chunk replies send no mark but their end's, sent the quiet time after the chunk left: each
// answer only bounds the lag (see `PendingMark.boundsUntil`). Twilio answers a mark "when the
// media sent before it has been played" (twilio.com/docs/voice/media-streams/websocket-messages,
// "Mark message"): a far end whose buffer grew holds each answer until its place plays, and the
// answers, bounds still (grown by no more than how late the mark was sent, plus the lag known,
// plus 20 ms), all measure the grown lag. Taken as bounds alone, they only lower the lag: the one
// told at the first reply stayed for the rest of the call, each `speakingstart` early by the
// growth.
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), Twilio's mark rule, playing what arrives at
// once, then `growthMs` later from the fourth reply on: more than the 20 ms the lag may be off by
// (a bound within it of the lag, the network's jitter, only lowers it).
import assert from "node:assert/strict";
import { replies } from "./_late_end_mark_replies.ts";

for (const growthMs of [45, 60]) {
  Deno.test(`one-chunk replies learn a far end whose buffer grew ${growthMs} ms`, async () => {
    const { lags, starts, heard } = await replies(0, 1, {
      count: 10,
      grows: { before: 4, ms: growthMs },
    });
    // The first answer's measure (the mark's lateness, 20 ms) is told; the grown lag, confirmed by
    // a second answer, is told once.
    assert.deepEqual(lags, [20, growthMs]);
    // Before: 20 ms told for good, `speakingstart` `growthMs` - 20 ms early at every reply after.
    for (let reply = 6; reply <= 10; reply++) {
      const early = heard[reply - 1]! - starts[reply - 1]!;
      assert.ok(early <= 0, `reply ${reply}: speakingstart ${early} ms before it played`);
    }
  });
}
