// README, "Metrics": speech that ends while the bot is audible, the bot playing on, is no turn;
// "speech the bot stops for (its spell cut …) is a turn". A response may play in spells, with
// pauses between its sentences (its "speakingstart"s share its `responseId`); a bot that cuts its
// reply once the recognizer's final transcript comes may cut it only in a later spell. The bot
// stopped for that speech: a turn, as the barge-in meter already counts the same speech a barge-in
// of the response. A response that plays on to its end after it still makes it no turn.
import assert from "node:assert/strict";
import { SessionMetrics, SpeakingEvent } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { handMadeTransport } from "./_hand_made_transport.ts";

/** Metrics on a hand-made transport, the bot marking turns itself, the clock at 1000 ms. */
function call() {
  const clock = new FakeClock(1000);
  const { transport, closed } = handMadeTransport(clock);
  const metrics = SessionMetrics.attach(transport, { speech: false, clock });
  const speaking = (
    type: "speakingstart" | "speakingstop",
    responseId: string,
    reason?: "played" | "interrupted",
  ) =>
    transport.dispatchEvent(
      new SpeakingEvent(type, {
        responseId,
        heardMs: 0,
        sentMs: 1000,
        acknowledged: false,
        ...(reason !== undefined && { reason }),
      }),
    );
  return { clock, metrics, closed, speaking, to: (at: number) => clock.tick(at - clock.now()) };
}

Deno.test("speech over a response's first sentence, the bot cutting the response in its next one: a turn, as it is a barge-in", async () => {
  const c = call();
  c.speaking("speakingstart", "r1"); // 1000 ms: the first sentence
  await c.to(2000);
  c.metrics.callerSpeechStarted(); // "wait, no—"
  await c.to(2400);
  c.metrics.callerTurnEnded(); // held: the sentence plays on
  await c.to(3000);
  c.speaking("speakingstop", "r1", "played"); // the sentence's end, a pause before the next
  await c.to(3300);
  c.speaking("speakingstart", "r1"); // the next sentence of the same response
  await c.to(3700);
  c.speaking("speakingstop", "r1", "interrupted"); // the final transcript came: the bot cuts
  await c.to(4500);
  c.speaking("speakingstart", "r2"); // the answer
  c.closed();
  const { turnLatency, bargeInStopLatency } = c.metrics.snapshot();
  assert.equal(bargeInStopLatency.count, 1, "the barge-in meter counts the speech a barge-in");
  assert.equal(turnLatency.count, 1, "the bot stopped for the speech: a turn");
  assert.equal(turnLatency.last, 2100); // 4500 − 2400
});

Deno.test("the same speech's end told late, in the response's next sentence, before the cut: a turn", async () => {
  const c = call();
  c.speaking("speakingstart", "r1");
  await c.to(2000);
  c.metrics.callerSpeechStarted();
  await c.to(3000);
  c.speaking("speakingstop", "r1", "played");
  await c.to(3300);
  c.speaking("speakingstart", "r1");
  await c.to(3500);
  c.metrics.callerTurnEnded(2400); // a recognizer's final, late
  await c.to(3700);
  c.speaking("speakingstop", "r1", "interrupted");
  await c.to(4500);
  c.speaking("speakingstart", "r2");
  c.closed();
  const { turnLatency } = c.metrics.snapshot();
  assert.equal(turnLatency.count, 1);
  assert.equal(turnLatency.last, 2100);
});

Deno.test("the response played on through all its sentences: still no turn", async () => {
  const c = call();
  c.speaking("speakingstart", "r1");
  await c.to(2000);
  c.metrics.callerSpeechStarted(); // "uh-huh"
  await c.to(2400);
  c.metrics.callerTurnEnded();
  await c.to(3000);
  c.speaking("speakingstop", "r1", "played");
  await c.to(3300);
  c.speaking("speakingstart", "r1");
  await c.to(4000);
  c.speaking("speakingstop", "r1", "played");
  await c.to(6000);
  c.speaking("speakingstart", "r2"); // the bot's next response: no answer to the "uh-huh"
  c.closed();
  assert.equal(c.metrics.snapshot().turnLatency.count, 0);
});

Deno.test("a new response after the sentence the speech ended in, cut: no turn of that speech", async () => {
  const c = call();
  c.speaking("speakingstart", "r1");
  await c.to(2000);
  c.metrics.callerSpeechStarted(); // "uh-huh"
  await c.to(2400);
  c.metrics.callerTurnEnded();
  await c.to(3000);
  c.speaking("speakingstop", "r1", "played"); // r1 over
  await c.to(3300);
  c.speaking("speakingstart", "r2"); // another response, which the bot cuts for its own reasons
  await c.to(3700);
  c.speaking("speakingstop", "r2", "interrupted");
  await c.to(4500);
  c.speaking("speakingstart", "r3");
  c.closed();
  assert.equal(c.metrics.snapshot().turnLatency.count, 0);
});

Deno.test("the same speech's end told late, after the bot cut the response's next sentence: a turn", async () => {
  const c = call();
  c.speaking("speakingstart", "r1");
  await c.to(2000);
  c.metrics.callerSpeechStarted();
  await c.to(3000);
  c.speaking("speakingstop", "r1", "played");
  await c.to(3300);
  c.speaking("speakingstart", "r1");
  await c.to(3700);
  c.speaking("speakingstop", "r1", "interrupted");
  await c.to(3800);
  c.metrics.callerTurnEnded(2400); // the final that made the bot cut, told to the metrics after
  await c.to(4500);
  c.speaking("speakingstart", "r2");
  c.closed();
  const { turnLatency } = c.metrics.snapshot();
  assert.equal(turnLatency.count, 1);
  assert.equal(turnLatency.last, 2100);
});
