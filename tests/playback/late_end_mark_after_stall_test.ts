// An answer read late (a server stall) is put right by the end marks' answers that follow. The
// lag `heardMs` goes by is the last read's own (a rise not yet confirmed); a stall that holds an
// answer unread makes that read too large, and the next read, smaller, puts it right. Where the
// far end plays at once and the replies are short, the next answers are those to end-of-speech
// marks sent after their place played, answered as they arrive: they bound the lag (Twilio
// answers a mark "when the media sent before it has been played",
// twilio.com/docs/voice/media-streams/websocket-messages, "Mark message"). Taken as bounds that
// only lower the confirmed lag, they left the stalled read standing for the rest of the call:
// every reply's `heardMs` short by the stall, an interruption's too.
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), Twilio's mark rule, playing what arrives at
// once; the server's event loop stalls 300 ms while a mark's answer is on its way.
import assert from "node:assert/strict";
import type { FakeClock } from "../../src/testing/mod.ts";
import { FakeFarEnd } from "../_fake_far_end.ts";
import { markingSession } from "./_late_end_mark_replies.ts";
import { StallClock } from "../_stall_clock.ts";

Deno.test("a read made late by a stall is bounded by the late end marks' answers after it", async () => {
  const clock = new StallClock(1000);
  const { pair, transport, chunk, say } = markingSession(clock);
  // FakeFarEnd asks only for `now` and `sleep`, which StallClock keeps as FakeClock does.
  const farEnd = new FakeFarEnd(clock as unknown as FakeClock, pair.client, {
    jitterMs: 0,
    bytesPerMs: 32,
  });
  await clock.tick(0);
  // 260 ms: the cadence's first mark goes at its end with its last chunk, at 240 ms, answered as
  // that chunk has played, at 260 ms, and read at 550 ms, past the stall: it measures 290 ms.
  await say(1, 12);
  chunk(1);
  await clock.tick(10);
  await clock.stall(300);
  await clock.tick(1000);
  // Three short replies, their end marks answered as they arrive.
  for (let reply = 2; reply <= 4; reply++) {
    await say(reply, 5);
    await clock.tick(1000);
  }
  await say(5, 4);
  const heard = farEnd.playedMs(5);
  assert.equal(heard, 80);
  const mid = transport.playback.heardMs;
  const result = await transport.interrupt();
  // Before: 0 and 0 (the stalled read standing); an end mark's bound, 20 ms over the truth, is
  // what is known now: `heardMs` errs short by it at most.
  assert.ok(heard - mid <= 20 && mid <= heard, `heardMs ${mid} while ${heard} was heard`);
  assert.ok(
    heard - result.heardMs <= 20 && result.heardMs <= heard,
    `interrupted at ${result.heardMs}, ${heard} heard`,
  );
  pair.client.close(1000);
  await transport.closed;
});
