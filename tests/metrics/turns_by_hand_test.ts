// Turn latency in conversations whose figures are worked out by hand from the scenario (README,
// "Metrics": a turn's latency runs from where the caller's speech ended to "speakingstart", when
// the bot's answer begins to play; speech told again before it takes the turn back).
import assert from "node:assert/strict";
import { SessionMetrics, SpeakingEvent } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { handMadeTransport } from "./_hand_made_transport.ts";

/** Metrics on a hand-made transport, the bot marking turns itself, the clock at 1000 ms. */
function call() {
  const clock = new FakeClock(1000);
  const { transport, closed } = handMadeTransport(clock);
  const metrics = SessionMetrics.attach(transport, { speech: false, clock });
  const latencies: number[] = [];
  metrics.addEventListener("metric", (event) => latencies.push(event.value));
  /** Reply `responseId` is heard for `ms` from now. */
  const reply = async (responseId: string, ms: number) => {
    const speaking = (type: "speakingstart" | "speakingstop") =>
      transport.dispatchEvent(
        new SpeakingEvent(type, {
          responseId,
          heardMs: 0,
          sentMs: 0,
          acknowledged: false,
          ...(type === "speakingstop" && { reason: "played" as const }),
        }),
      );
    speaking("speakingstart");
    await clock.tick(ms);
    speaking("speakingstop");
  };
  /** The caller talks for `ms` from now, their turn ending then. */
  const talk = async (ms: number) => {
    metrics.callerSpeechStarted();
    await clock.tick(ms);
    metrics.callerTurnEnded();
  };
  return { clock, metrics, latencies, reply, talk, closed };
}

Deno.test("a caller who speaks twice before the bot answers: one turn, from the second speech's end", async () => {
  const c = call();
  await c.talk(1000); // ends at 2000 ms
  await c.clock.tick(300);
  await c.talk(700); // goes on at 2300 ms, ends at 3000 ms
  await c.clock.tick(500);
  await c.reply("r1", 600); // heard at 3500 ms
  assert.deepEqual(c.latencies, [500]);
});

Deno.test("a bot that answers with two replies: one turn, to the first", async () => {
  const c = call();
  await c.talk(1000); // ends at 2000 ms
  await c.clock.tick(400);
  await c.reply("r1", 600); // heard at 2400 ms
  await c.clock.tick(200);
  await c.reply("r2", 600); // the second reply answers no turn
  c.closed();
  assert.deepEqual(c.latencies, [400]);
  assert.equal(c.metrics.snapshot().turnLatency.count, 1);
});

Deno.test("a turn the session ends before the bot answers is neither measured nor counted unmeasured", async () => {
  const c = call();
  await c.talk(1000);
  await c.clock.tick(300);
  await c.reply("r1", 600); // 300 ms
  await c.talk(1000); // the caller's last turn, never answered: they hang up
  const running = c.metrics.snapshot().turnLatency;
  c.closed();
  const final = c.metrics.snapshot().turnLatency;
  assert.deepEqual(final, running);
  assert.equal(final.count, 1);
  assert.equal(final.unmeasured, 0);
});

Deno.test("5,000 turns: each measured, the percentiles within 1 %", async () => {
  const c = call();
  for (let i = 0; i < 5000; i++) {
    await c.talk(1000);
    await c.clock.tick(i % 4 === 3 ? 900 : 300); // three in four answered in 300 ms, one in 900
    await c.reply(`r${i}`, 1000);
  }
  c.closed();
  const { count, p50, p95, max, unmeasured } = c.metrics.snapshot().turnLatency;
  assert.equal(count, 5000);
  assert.equal(unmeasured, 0);
  assert.ok(Math.abs(p50! - 300) <= 3, `p50 ${p50}`);
  assert.ok(Math.abs(p95! - 900) <= 9, `p95 ${p95}`);
  assert.equal(max, 900);
});
