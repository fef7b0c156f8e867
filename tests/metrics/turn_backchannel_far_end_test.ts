// Backchannels against a far end (README, "Metrics": a turn's latency runs from the end of the
// caller's turn to the bot's first audible audio): speech that ends while the bot is audible, the
// bot playing on, is no turn; a turn that ends after the bot fell silent for the caller is one,
// even where the bot's "speakingstop" came later — the far end answered no mark for the reply
// (Twilio's Media Streams docs: a "mark" is sent back once the audio before it has played; here
// none comes) and the transport waited for it up to `playoutTimeoutMs`: the caller stopped
// hearing the bot where its speech ran out, not at the stop. Figures worked out by hand.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { meteredCall, r2Unanswered, sayReply } from "./_metered_call.ts";

Deno.test("a turn ending after the reply ran out, its played stop told late: measured, no backchannel", async () => {
  const c = meteredCall(new FakeClock(0), { playoutTimeoutMs: 1000 });
  await r2Unanswered(c); // r2 heard 5000–6000 ms, audible by its events until 7000 ms
  await c.clock.tick(1100);
  c.metrics.callerSpeechStarted(); // 6100 ms: r2 had run out
  await c.clock.tick(400);
  c.metrics.callerTurnEnded(); // 6500 ms
  await c.clock.tick(600);
  assert.equal(c.transport.playback.speaking, false, "r2's stop came at 7000 ms");
  sayReply(c.transport, "r3", 200); // heard from 7100 ms
  await c.clock.tick(400);
  const turns = c.metrics.snapshot().turnLatency;
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.equal(turns.count, 1);
  assert.equal(turns.last, 600); // 7100 − 6500
});

Deno.test("an 'uh-huh' over a reply the far end plays to its end (its marks answered): no turn", async () => {
  const c = meteredCall(new FakeClock(0));
  await c.clock.tick(1000);
  sayReply(c.transport, "r1", 2000); // heard 1000–3000 ms
  await c.clock.tick(1500);
  c.metrics.callerSpeechStarted(); // 2500 ms
  await c.clock.tick(300);
  c.metrics.callerTurnEnded(); // 2800 ms: "uh-huh", r1 plays on
  await c.clock.tick(1200);
  assert.equal(c.transport.playback.speaking, false, "r1 played to its end");
  sayReply(c.transport, "r2", 200); // 4000 ms: the bot's next sentence, no answer
  await c.clock.tick(400);
  const turns = c.metrics.snapshot().turnLatency;
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.equal(turns.count, 0);
  assert.equal(turns.unmeasured, 0);
  assert.match(c.summaries[0]!.line, /turns=0 /);
});
