// Answers read together are one read, whose measure is their smallest (see the tracker's
// `#learnLag`): after a stall, every answer that came during it is read at its end, the first
// answered most inflated by the wait, the last least. The jitter of the reads (`LagJitter`), whose
// dead band keeps the lag told from following jitter, was sampled with the first answer's reading,
// not the read's own: a 15 ms stall over two answers 10 ms apart counted as 13 ms of jitter, twice
// (the reading, then the next one back from it), on a network with none, and the band, 10 ms wide,
// hid a far end's buffer grown 8 ms from the observers for ten answers (four seconds).
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), Twilio's mark rule: a mark comes back "when
// the media sent before it has been played" (twilio.com/docs/voice/media-streams/
// websocket-messages, "Mark message"), behind a 60 ms jitter buffer, on a network with no jitter.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../../mod.ts";
import { type FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { StallClock } from "../_stall_clock.ts";

const START = 1000;
const DELAY_MS = 60;
const GROWTH_MS = 8;

/**
 * A 1 s reply; 2 s on, a 270 ms reply with a 1 s one right behind it, whose boundary mark (at
 * 1270 ms) is answered 10 ms after the cadence's mark at 1260 (at 2320 and 2330 ms); `stallMs`
 * from 2318 ms, the loop stalls, and both are read at its end. Then the far end's buffer grows
 * `GROWTH_MS`, and three more 1 s replies: the lags the observers were told, and how many answers
 * had come by each, and before the growth.
 */
async function call(stallMs: number) {
  const clock = new StallClock(START);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    // A fixed cadence: the marks stand where this test says.
    markIntervalMs: 250,
    maxMarkIntervalMs: 250,
    clock,
  });
  transport.receive(() => {});
  // FakeFarEnd asks only for `now` and `sleep`, which StallClock keeps as FakeClock does.
  const farEnd = new FakeFarEnd(clock as unknown as FakeClock, pair.client, {
    jitterMs: DELAY_MS,
    bytesPerMs: 32,
  });
  const lags: { lagMs: number; answers: number }[] = [];
  transport.observe({
    playoutLag: ({ lagMs }) =>
      void lags.push({ lagMs, answers: transport.stats.marksAcknowledged }),
  });
  const say = (ms: number, id: string) =>
    transport.send({
      type: "audio",
      audio: new Uint8Array(32 * ms).fill(7),
      sampleRate: 16000,
      channels: 1,
      responseId: id,
    });
  await clock.tick(0);
  say(1000, "r0");
  await clock.tick(2000);
  say(270, "r1");
  say(1000, "r2");
  await clock.tick(318);
  if (stallMs > 0) await clock.stall(stallMs);
  await clock.tick(2000 - 318 - stallMs);
  farEnd.delayBy(GROWTH_MS);
  const answersBefore = transport.stats.marksAcknowledged;
  for (let reply = 3; reply <= 5; reply++) {
    say(1000, `r${reply}`);
    await clock.tick(2000);
  }
  pair.client.close(1000);
  await transport.closed;
  return { lags, answersBefore };
}

/** The lags told; the growth is told within two answers (a rise is confirmed by the next). */
function assertGrowthTold(r: Awaited<ReturnType<typeof call>>): void {
  assert.deepEqual(r.lags.map((l) => l.lagMs), [DELAY_MS, DELAY_MS + GROWTH_MS]);
  const toldAt = r.lags[1]!.answers;
  assert.ok(
    toldAt <= r.answersBefore + 2,
    `told at answer ${toldAt}, grown after ${r.answersBefore}`,
  );
}

Deno.test("with no jitter, a far end's buffer grown 8 ms is told", async () => {
  assertGrowthTold(await call(0));
});

Deno.test("a 15 ms stall over two answers read together is no jitter: a buffer grown 8 ms after it is still told", async () => {
  // Before: told at answer 19, the growth after answer 11 (the band 10 ms wide until then).
  assertGrowthTold(await call(15));
});
