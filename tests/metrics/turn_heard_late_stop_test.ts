// A barge-in's stop latency runs from the caller talking over the bot to the bot falling silent for
// the caller (README, "Metrics"). Where the far end had played all the bot sent before the
// interruption ("speakingstop" with `heardMs` = `sentMs`), the bot fell silent where its speech
// ran out, whenever the stop came: speech begun after that talked over nothing. Figures worked out
// by hand.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { meteredCall, r2Unanswered } from "./_metered_call.ts";

/**
 * A call whose far end plays what it gets at once and answers no mark from r2 on (Twilio's "mark"
 * messages lost; Twilio's Media Streams docs: a mark is sent back once the audio before it has
 * played): r2, heard 5000–6000 ms, stays audible by its events until 7000 ms (its end mark's
 * answer waited for `playoutTimeoutMs`). The caller begins to speak at `speechAt`; the bot interrupts at
 * 6360 ms. Returns the barge-in figures and what the interruption's stop said.
 */
async function interruptedAfterItPlayed(speechAt: number) {
  const c = meteredCall(new FakeClock(0), { playoutTimeoutMs: 1000 });
  await r2Unanswered(c); // r2 heard 5000–6000 ms
  await c.clock.tick(speechAt - 5000);
  c.metrics.callerSpeechStarted();
  await c.clock.tick(6360 - speechAt);
  assert.equal(c.transport.playback.speaking, true, "r2 is audible by its events");
  const played = c.farEnd.playsUntil; // before the clear empties its buffer
  const result = await c.transport.interrupt();
  await c.clock.tick(100);
  const figures = c.metrics.snapshot().bargeInStopLatency;
  c.pair.client.close(1000);
  await c.transport.closed;
  return { result, figures, played };
}

Deno.test("a caller who speaks after the reply has played out, the bot then interrupting it: no barge-in", async () => {
  const { result, figures, played } = await interruptedAfterItPlayed(6300);
  assert.equal(played, 6000, "the far end played r2 to its end at 6000 ms");
  assert.equal(result.heardMs, 1000, "all of r2 was heard");
  assert.equal(figures.count, 0);
  assert.equal(figures.unmeasured, 0);
});

Deno.test("a caller who talks over the end of a reply the bot interrupts after it played out: measured to where it ran out", async () => {
  const { figures } = await interruptedAfterItPlayed(5800);
  assert.equal(figures.count, 1);
  assert.equal(figures.last, 200); // 6000 − 5800
});
