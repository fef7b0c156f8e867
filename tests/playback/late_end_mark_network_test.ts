// An end-of-speech mark sent after its audio played teaches no lag, across a network too. The
// lag an answer measures holds the network's round trip (the audio's way out, the answer's way
// back) besides the far end's buffer; a mark sent `x` after its place played by the estimate
// reaches the far end after that place played wherever the buffer is under `x`, whatever the
// round trip, and Twilio answers a mark "when the media sent before it has been played"
// (twilio.com/docs/voice/media-streams/websocket-messages, "Mark message"): as it arrives. Taken
// as late only once sent later than the lag known (the round trip included), an end mark 20 ms
// late (the quiet time after a real-time reply's last chunk) read as the lag with any network
// between: 20 ms too long, learned for good after two short replies (each `speakingstart` that
// much later, `heardMs` that much short), as with no network at all.
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), Twilio's mark rule, `oneWayMs` each way,
// playing what arrives after `jitterMs`.
import assert from "node:assert/strict";
import { replies as call } from "./_late_end_mark_replies.ts";

/** Six replies of `chunks` chunks across the network; how late each `speakingstart` came. */
async function replies(
  network: { oneWayMs: number; jitterMs: number; grows?: { before: number; ms: number } },
  chunks: number,
) {
  const { oneWayMs, jitterMs, grows } = network;
  const r = await call(jitterMs, chunks, { count: 6, oneWayMs, ...(grows ? { grows } : {}) });
  // How long after the far end began to play each reply the transport said it did.
  return { lags: r.lags, late: r.starts.map((at, i) => at - r.heard[i]!) };
}

for (
  const [oneWayMs, jitterMs, chunks] of [[50, 0, 3], [50, 0, 20], [10, 0, 3], [50, 10, 3]] as const
) {
  Deno.test(`late end marks teach no lag across a network (${oneWayMs} ms each way, buffer ${jitterMs} ms, ${chunks}-chunk replies)`, async () => {
    const r = await replies({ oneWayMs, jitterMs }, chunks);
    // The round trip and the buffer, learned at the first mark. Before: 20 ms more, learned from
    // the first two replies' end marks ([100, 120] at 50 ms each way, no buffer).
    assert.deepEqual(r.lags, [2 * oneWayMs + jitterMs]);
    // Each reply after the first said to begin the answer's way back late, which no answer can
    // tell from playout. Before: 20 ms later from the third reply on.
    assert.deepEqual(r.late.slice(1), [oneWayMs, oneWayMs, oneWayMs, oneWayMs, oneWayMs]);
  });
}

Deno.test("a far end that falls behind across a network is learned from end marks it held", async () => {
  const r = await replies({ oneWayMs: 50, jitterMs: 0, grows: { before: 3, ms: 200 } }, 5);
  // Before: [100, 120, 300], the 20 ms from the second reply's end mark.
  assert.deepEqual(r.lags, [100, 300]);
  // Confirmed by reply 4's end mark: from reply 5 on, the way back late, as before it grew.
  assert.deepEqual(r.late.slice(4), [50, 50]);
});
