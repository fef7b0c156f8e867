// A barge-in whose caller's speech is told late (a speech detector tells its start only after
// `minSpeechMs`; a recognizer, `callerSpeechStarted(at)`) measures the same as one told at once
// (README, "Metrics": "whether the caller's speech is told before the interruption or after it").
// Here the reply had played out before the bot interrupted it: the bot fell silent for the caller
// where its speech ran out (tests/metrics/turn_heard_late_stop_test.ts), however late the speech
// was told. Figures worked out by hand.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { meteredCall, r2Unanswered } from "./_metered_call.ts";

/**
 * A far end that plays what it gets at once and answers no mark (Twilio's Media Streams docs: a
 * "mark" is sent back once the audio before it has played; here every answer from r2 on is lost,
 * the first of them r2's own: see `r2Unanswered`): r2, heard
 * 5000–6000 ms, stays audible by its events until 7000 ms (its end mark's answer awaited for
 * `playoutTimeoutMs`). The caller begins to speak at 5900 ms, over r2's last 100 ms; the bot
 * interrupts at 6360 ms. The speech is told at `toldAt` (a time before 5900 means at once).
 */
async function speechToldAt(toldAt: number) {
  const c = meteredCall(new FakeClock(0), { playoutTimeoutMs: 1000 });
  await r2Unanswered(c); // r2 heard 5000–6000 ms
  const tell = Math.max(toldAt, 5900);
  await c.clock.tick(Math.min(tell, 6360) - 5000);
  if (tell < 6360) c.metrics.callerSpeechStarted(5900);
  await c.clock.tick(6360 - c.clock.now());
  assert.equal(c.transport.playback.speaking, true, "r2 is audible by its events");
  const played = c.farEnd.playsUntil;
  await c.transport.interrupt();
  if (tell >= 6360) {
    await c.clock.tick(tell - 6360);
    c.metrics.callerSpeechStarted(5900);
  }
  await c.clock.tick(100);
  const figures = c.metrics.snapshot().bargeInStopLatency;
  c.pair.client.close(1000);
  await c.transport.closed;
  return { played, figures };
}

for (const [told, toldAt] of [["at once", 5900], ["200 ms late, before the cut", 6100]] as const) {
  Deno.test(`speech over a reply's end told ${told}, the bot interrupting after it played out: measured to where it ran out`, async () => {
    const { played, figures } = await speechToldAt(toldAt);
    assert.equal(played, 6000, "the far end played r2 to its end at 6000 ms");
    assert.equal(figures.count, 1);
    assert.equal(figures.last, 100); // 6000 − 5900
  });
}

Deno.test("speech over a reply's end told after the cut: measured to where it ran out", async () => {
  const { figures } = await speechToldAt(6400);
  assert.equal(figures.count, 1);
  assert.equal(figures.last, 100); // 6000 − 5900
});
