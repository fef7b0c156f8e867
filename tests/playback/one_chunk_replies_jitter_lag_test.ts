// One-chunk replies send no mark but their end's, the quiet time after the chunk left: sent after
// its place played, answered as it arrives by a far end that plays at once (Twilio answers a mark
// "when the media sent before it has been played": twilio.com/docs/voice/media-streams/
// websocket-messages, "Mark message"). Each answer bounds the lag: the mark's lateness plus that
// reply's round trip. Across a network of a few ms of jitter, read as the lag (the smaller of the
// last two), they moved the lag the observers are told at most replies, a few ms each way.
//
// The far end: plays what arrives at once; the network delays each message 0–5 ms each way, in
// order (a WebSocket's messages arrive in the order sent: RFC 6455 §1.2, over one TCP stream).
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { markingSession } from "./_late_end_mark_replies.ts";

/** A seeded uniform generator in [0, 1): the same network on every run. */
function uniform(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
}

/** `count` one-chunk replies a second apart across the jittery network; the lags observers heard. */
async function oneChunkReplies(count: number, maxJitterMs: number): Promise<number[]> {
  const clock = new FakeClock(1000);
  const { pair, transport, say } = markingSession(clock);
  const lags: number[] = [];
  transport.observe({ playoutLag: ({ lagMs }) => lags.push(lagMs) });
  const delay = uniform(7);
  const socket = pair.client;
  let arrivesAfter = 0; // the last message's arrival at the far end: none overtakes it
  let returnsAfter = 0; // the last answer's arrival back
  let playsUntil = 0;
  socket.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data as string | ArrayBuffer;
    arrivesAfter = Math.max(arrivesAfter, clock.now() + delay() * maxJitterMs);
    void clock.sleep(arrivesAfter - clock.now()).then(() => {
      const now = clock.now();
      if (typeof data !== "string") {
        playsUntil = Math.max(now, playsUntil) + data.byteLength / 32; // 16 kHz PCM16
        return;
      }
      if (!data.startsWith("mark:")) return;
      void clock.sleep(Math.max(0, playsUntil - now)).then(() => {
        returnsAfter = Math.max(returnsAfter, clock.now() + delay() * maxJitterMs);
        return clock.sleep(returnsAfter - clock.now());
      }).then(() => {
        if (socket.readyState === 1) socket.send(data);
      });
    });
  });
  await clock.tick(0);
  for (let reply = 1; reply <= count; reply++) {
    await say(reply, 1);
    await clock.tick(1000);
  }
  socket.close(1000);
  await transport.closed;
  return lags;
}

Deno.test("one-chunk replies across a few ms of jitter only ever lower the lag the observers are told", async () => {
  const lags = await oneChunkReplies(100, 5);
  // Before: told 66 times in 100 replies, rising and falling by up to 7 ms.
  assert.ok(lags.length >= 1 && lags.length <= 10, `told ${lags.length} times: ${lags}`);
  for (let i = 1; i < lags.length; i++) {
    assert.ok(lags[i]! < lags[i - 1]!, `told ${lags[i]} after ${lags[i - 1]}`);
  }
});

Deno.test("one-chunk replies with no jitter tell the observers one lag", async () => {
  assert.equal((await oneChunkReplies(20, 0)).length, 1);
});
