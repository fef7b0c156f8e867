// While the far end's delay is in doubt, a reply's first chunk is followed by a mark that leaves
// before its place plays, whose answer reads the delay. Twilio answers a mark "when the media sent
// before it has been played" (twilio.com/docs/voice/media-streams/websocket-messages, "Mark
// message"): a mark sent after its place played (the end-of-speech mark, the quiet time after a
// real-time reply's last chunk, 20 ms late at the default pacing) is answered as it arrives, and
// only bounds the delay. Replies too short for a mark of the cadence sent no other:
// - one-chunk replies never had a mark leave in time, and the first end mark's bound was adopted
//   for good: a far end playing at once taken as 20 ms behind (`speakingstart` 20 ms late), one
//   across a network as its round trip plus those 20 ms;
// - a buffer grown by 30 or 40 ms held the end marks' answers by the growth less their lateness,
//   a bound that never raises the delay: `speakingstart` early by the growth for good.
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), Twilio's mark rule, `oneWayMs` each way,
// playing what arrives after `jitterMs`, `growthMs` later from the third reply on.
import assert from "node:assert/strict";
import { replies } from "./_late_end_mark_replies.ts";

Deno.test("one-chunk replies to a far end playing at once: its delay read as none", async () => {
  const r = await replies(0, 1, { count: 6 });
  // The first reply's end mark, adopted, then the second reply's mark, read. Before: [20].
  assert.deepEqual(r.lags, [20, 0]);
  // From the third reply on, each speakingstart as the reply began to play. Before: 20 ms late.
  assert.deepEqual(r.starts.slice(2), r.heard.slice(2));
});

Deno.test("one-chunk replies across a network: its round trip read, not the end marks' lateness", async () => {
  // 50 ms each way: the first end mark's answer came back after the 0 ms known, and was taken as
  // read (120 ms) though no mark had measured the round trip yet.
  const r = await replies(0, 1, { count: 6, oneWayMs: 50 });
  // Before: [120].
  assert.deepEqual(r.lags, [120, 100]);
  // From the third reply on, said to begin the answer's way back late, which no answer can tell
  // from playout. Before: 70 ms.
  const late = r.starts.map((at, i) => at - r.heard[i]!);
  assert.deepEqual(late.slice(2), [50, 50, 50, 50]);
});

for (const [chunks, growthMs] of [[2, 30], [3, 30], [3, 40]] as const) {
  Deno.test(`a buffer grown ${growthMs} ms during ${chunks}-chunk replies is learned at the next reply`, async () => {
    const r = await replies(0, chunks, { count: 6, grows: { before: 3, ms: growthMs } });
    // Reply 3's end mark held past the delay known; reply 4's mark reads the growth, confirmed by
    // that held answer. Before: [] (never learned).
    assert.deepEqual(r.lags, [growthMs]);
    // From reply 5 on, on time. Before: each speakingstart early by the growth.
    assert.deepEqual(r.starts.slice(4), r.heard.slice(4));
  });
}

for (const chunks of [1, 3]) {
  Deno.test(`a far end 100 ms behind is learned as before (${chunks}-chunk replies)`, async () => {
    const r = await replies(100, chunks, { count: 6 });
    assert.deepEqual(r.lags, [100]);
    assert.deepEqual(r.starts.slice(1), r.heard.slice(1));
    // A mark a reply, and one more: the session's first mark where a second chunk follows it;
    // else the second reply's, as no mark had left in time before (the end marks' answers, held
    // until their place played, read the delay from then on: none in doubt).
    assert.equal(r.sent, 7);
  });
}

// Replies of 1.2 s and 4 s: marks of the cadence in each, read in time and agreeing, then each
// reply's end mark. As many marks as before this mark existed.
for (
  const [delayMs, chunks, count, sent] of [
    [0, 60, 10, 23],
    [100, 60, 10, 23],
    [0, 200, 5, 23],
    [100, 200, 5, 23],
  ] as const
) {
  Deno.test(`no mark more once the delay is read (${count} replies of ${chunks} chunks, ${delayMs} ms behind)`, async () => {
    const r = await replies(delayMs, chunks, { count });
    assert.equal(r.sent, sent);
    assert.equal(r.acknowledged, sent);
  });
}
