// Twin far ends the tracker cannot tell apart: a short reply (260 ms) under a long lead
// (sendAheadMs 500) leaves at once, and its end-of-speech mark leaves the quiet time (500 ms)
// after, 240 ms after its place played by the estimate. Twilio answers a mark "when the media
// sent before it has been played" (twilio.com/docs/voice/media-streams/websocket-messages,
// "Mark message"). (a) 100 ms each way, playing at once: the mark arrives 100 ms after it left,
// the buffer long dry, and is answered then: read 200 ms after it left, measuring 440. (b) No
// network, a buffer of 200 ms grown by 240 before the short reply: the mark arrives at once and
// is held until the reply's end plays, 440 behind the estimate: read 200 ms after it left, 440.
// Every answer of both calls is read at the same instant; only (b)'s lag really is 440.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { FakeFarEnd } from "../_fake_far_end.ts";
import { markingSession } from "./_late_end_mark_replies.ts";

async function call(far: { oneWayMs: number; jitterMs: number; growMs: number }) {
  const clock = new FakeClock(1000);
  const { pair, transport, chunk } = markingSession(clock, 500);
  const farEnd = new FakeFarEnd(clock, pair.client, { bytesPerMs: 32, ...far });
  const answers: number[] = [];
  pair.server.addEventListener("message", (e) => {
    if (typeof (e as MessageEvent).data === "string") answers.push(clock.now());
  });
  await clock.tick(0);
  const burst = async (value: number, chunks: number) => {
    for (let n = 0; n < chunks; n++) chunk(value);
    await clock.tick(0);
  };
  await burst(1, 50); // 1 s: its timely marks read the lag, 200 in both
  await clock.tick(3000);
  farEnd.delayBy(far.growMs);
  await burst(2, 13); // 260 ms, shorter than the lead
  await clock.tick(2000);
  await burst(3, 26); // 520 ms
  await clock.tick(550);
  const read = answers.slice(); // all that the tracker knows
  const played = farEnd.playedMs(3);
  const heard = (await transport.interrupt()).heardMs;
  pair.client.close(1000);
  await transport.closed;
  return { answers: read, played, heard };
}

Deno.test("an end mark's late answer: the twin far ends read alike, heardMs never ahead", async () => {
  const a = await call({ oneWayMs: 100, jitterMs: 0, growMs: 0 });
  const b = await call({ oneWayMs: 0, jitterMs: 200, growMs: 240 });
  assert.deepEqual(a.answers, b.answers);
  // (b): heard as played. (a): 340 short, 100 the answer's way back (no answer tells it), 240
  // how late the end mark left. Taking (a)'s answer as 200 ms of lag would put (b) 240 ahead.
  assert.deepEqual([b.played, b.heard], [110, 110]);
  assert.deepEqual([a.played, a.heard], [450, 110]);
});
