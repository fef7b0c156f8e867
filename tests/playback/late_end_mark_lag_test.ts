// An end-of-speech mark sent after its audio played teaches no lag. The transport marks the end
// of a stretch of speech once the queue has stayed dry for the quiet time (40 ms at the default
// pacing): a bot writing in real time from silence has its last chunk played by then, by the
// estimate, where the far end plays what arrives at once. Twilio answers a mark "when the media
// sent before it has been played" (twilio.com/docs/voice/media-streams/websocket-messages,
// "Mark message"): played already, it answers as the mark arrives, and the answer, read as the
// far end's lag, said how late the mark was sent: 20 ms behind the estimate, learned for good
// after two short replies (each response's `speakingstart` that much late, `heardMs` that much
// short). Such an answer bounds the lag; marks sent before their place played measure it, and so
// does the answer to one the far end held until its place played (it came later than the
// network's round trip: a far end that fell behind).
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), Twilio's mark rule, playing what arrives
// after `jitterMs`.
import assert from "node:assert/strict";
import { replies } from "./_late_end_mark_replies.ts";

for (const chunks of [3, 20]) {
  Deno.test(`a far end playing at once is not taught a lag by late end marks (${chunks}-chunk replies)`, async () => {
    const r = await replies(0, chunks);
    assert.ok(
      r.acknowledged >= 5,
      `the first mark and the four end marks answered (${r.acknowledged} answers)`,
    );
    // Before: [20], learned at the second reply's end mark.
    assert.deepEqual(r.lags, []);
    assert.deepEqual(r.starts, r.heard, "each speakingstart as its reply began to play");
  });
}

Deno.test("a far end playing 100 ms behind is still learned, end marks or not", async () => {
  const r = await replies(100, 3);
  assert.deepEqual(r.lags, [100]);
  assert.deepEqual(r.starts.slice(1), r.heard.slice(1));
});

// A far end whose buffer grows by 200 ms while the bot's replies are short: no mark but the end
// marks goes (a reply shorter than the cadence, or than its spread to `maxMarkIntervalMs`), and
// each is sent after its place played by the lag known. Held by the far end until its place
// played, its answer reads the lag: it came later than the network's round trip.
for (
  const [chunks, sendAheadMs] of [[5, 20], [40, 20], [3, 60]] as const
) {
  Deno.test(`a far end that falls behind is learned from end marks it held (${chunks}-chunk replies, lead ${sendAheadMs} ms)`, async () => {
    const r = await replies(0, chunks, { count: 6, sendAheadMs, grows: { before: 3, ms: 200 } });
    // Before: never learned, each speakingstart 200 ms early for the rest of the call.
    assert.deepEqual(r.lags, [200]);
    // Confirmed by reply 4's end mark (see `#learnLag`): from reply 5 on, on time.
    assert.deepEqual(r.starts.slice(4), r.heard.slice(4));
  });
}
