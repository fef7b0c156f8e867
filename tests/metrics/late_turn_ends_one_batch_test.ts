// Turn ends told late, several at once: a bot whose recognizer hands over its transcripts in a
// batch, or a speech detector that finds two turns in one frame's worth of audio. Each is measured
// against the first spell the bot began since it ended (README, "Metrics": "a turn end told late
// … still measures an answer that began since, among the bot's 16 latest spells"). Answering the
// first let go of every spell kept, the second's answer among them: the second waited for the
// bot's next spell, and measured that.
import assert from "node:assert/strict";
import { botSpell, meteredOnSteppingClock, SteppingClock } from "./_hand_made_transport.ts";

/** The metrics on a clock whose time the test sets; the test tells the bot's spells. */
function meteredSession() {
  const clock = new SteppingClock();
  const { transport, metrics, latencies, closed } = meteredOnSteppingClock(clock);
  /** The bot becomes audible at `at`, and falls silent 100 ms later, its reply played. */
  const botSpeaks = (at: number) => botSpell(clock, transport, at);
  /** The caller's turn from `from` to `to`, told at the clock's time now. */
  const turnTold = (from: number, to: number) => {
    metrics.callerSpeechStarted(from);
    metrics.callerTurnEnded(to);
  };
  return { clock, metrics, latencies, closed, botSpeaks, turnTold };
}

Deno.test("the second of two turn ends told late in one batch is measured against its own answer", () => {
  const s = meteredSession();
  s.botSpeaks(1700); // answers the caller's turn 1000–1500
  s.botSpeaks(2600); // answers the turn 2100–2300
  s.clock.time = 2800; // both told now
  s.turnTold(1000, 1500);
  s.turnTold(2100, 2300);
  assert.deepEqual(s.latencies, [200, 300], "each turn against the first spell since its end");
  s.botSpeaks(4000); // the bot speaks again: no turn waited for it
  s.closed();
  assert.deepEqual(s.latencies, [200, 300]);
  assert.equal(s.metrics.snapshot().turnLatency.unmeasured, 0);
});

Deno.test("a turn end told late in one batch after one answered by a spell let go is measured", () => {
  const s = meteredSession();
  s.botSpeaks(1700); // answers the caller's turn 1000–1500: let go below
  for (let i = 1; i <= 15; i++) s.botSpeaks(1700 + i * 200); // 1900 … 4700, a long answer
  s.botSpeaks(5000); // answers the turn 4800–4900
  s.clock.time = 5200; // both told now, after 16 newer spells than the first's answer
  s.turnTold(1000, 1500);
  s.turnTold(4800, 4900);
  assert.deepEqual(s.latencies, [100], "the second against 5000");
  s.closed();
  assert.equal(s.metrics.snapshot().turnLatency.unmeasured, 1, "the first: its answer let go");
});

Deno.test("a turn end told late before the spell that answered the turn measured last counts once", () => {
  const s = meteredSession();
  s.botSpeaks(1700); // answers the caller's turn 1000–1600, a pause at 1500–1550 in it
  s.botSpeaks(2600); // answers the turn 2100–2300
  s.clock.time = 2800; // all told now
  s.turnTold(1000, 1500); // the pause, taken for the turn's end: measured against 1700
  s.turnTold(1550, 1600); // the same turn going on, its answer (1700) claimed: not again
  s.turnTold(2100, 2300);
  assert.deepEqual(s.latencies, [200, 300], "1600 is not measured against 2600, the next turn's");
  s.botSpeaks(4000);
  s.closed();
  assert.deepEqual(s.latencies, [200, 300]);
  const { turnLatency } = s.metrics.snapshot();
  assert.equal(turnLatency.count, 2);
  assert.equal(turnLatency.unmeasured, 0);
});
