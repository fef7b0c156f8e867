// An answer to a late end-of-speech mark bounds the lag from above, and `heardMs` must not go by
// less. Twilio answers a mark "when the media sent before it has been played"
// (twilio.com/docs/voice/media-streams/websocket-messages, "Mark message"): a far end whose buffer
// grew by less than how late the mark was sent (plus 20 ms) holds the answer until its place
// plays, and the answer, read by the mark's `boundsUntil`, is taken as a bound. It is also the
// far end's real lag: a bound that only lowered what `heardMs` goes by left it at the lag before
// the growth, `heardMs` ahead of the far end by the growth for as long as the replies stay short.
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), Twilio's mark rule, playing what arrives at
// once, then `growthMs` later from the third reply on.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { FakeFarEnd } from "../_fake_far_end.ts";
import { markingSession } from "./_late_end_mark_replies.ts";

for (const growthMs of [10, 30, 40]) {
  Deno.test(`heardMs stays behind a far end whose buffer grew ${growthMs} ms during short replies`, async () => {
    const clock = new FakeClock(1000);
    const { pair, transport, say } = markingSession(clock);
    const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: 32 });
    await clock.tick(0);
    for (let reply = 1; reply <= 5; reply++) {
      if (reply === 3) farEnd.delayBy(growthMs);
      await say(reply, 5);
      await clock.tick(1000);
    }
    // Mid-reply: what the far end has played of it, what the transport says was heard.
    await say(6, 5);
    await clock.tick(5);
    const played = farEnd.playedMs(6);
    const heard = transport.playback.heardMs;
    const result = await transport.interrupt();
    // Before: heard ahead of the far end by the growth less 5 ms (10 → 5, 30 → 25, 40 → 35 ms).
    assert.ok(heard <= played, `heardMs ${heard} while ${played} played`);
    assert.ok(result.heardMs <= played, `interrupted at ${result.heardMs}, ${played} played`);
    pair.client.close(1000);
    await transport.closed;
  });
}
