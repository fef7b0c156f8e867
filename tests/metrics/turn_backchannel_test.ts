// A turn's latency runs from the end of the caller's turn to the bot's first audible audio
// (README, "Metrics"): a response time. Speech that ends while the bot is audible, the bot then
// playing on (a backchannel: "uh-huh", "right"), gets no response: it is no turn, neither measured
// nor counted. Speech the bot stops for (cut) is a turn, measured to its next audible audio; so is
// speech that ends after the bot fell silent. Figures worked out by hand.
import assert from "node:assert/strict";
import { SessionMetrics, type SessionSummaryEvent, SpeakingEvent } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import {
  handMadeTransport,
  meteredOnSteppingClock,
  responsesTold,
  SteppingClock,
} from "./_hand_made_transport.ts";

/** Metrics on a hand-made transport, the bot marking turns itself, the clock at 1000 ms. */
function call() {
  const clock = new FakeClock(1000);
  const { transport, closed } = handMadeTransport(clock);
  const metrics = SessionMetrics.attach(transport, { speech: false, clock });
  /** The turns' latencies, in order (barge-ins are measured too). */
  const latencies: number[] = [];
  metrics.addEventListener("metric", (event) => {
    if (event.name === "voice.turn.latency") latencies.push(event.value);
  });
  const summaries: SessionSummaryEvent[] = [];
  metrics.addEventListener("summary", (event) => summaries.push(event));
  const speaking = (type: "speakingstart" | "speakingstop", reason?: "played" | "interrupted") =>
    transport.dispatchEvent(
      new SpeakingEvent(type, {
        responseId: "r",
        // Less heard than sent: a cut that stopped audio still to play, where the stop is.
        heardMs: 0,
        sentMs: 1000,
        acknowledged: false,
        ...(reason !== undefined && { reason }),
      }),
    );
  return {
    clock,
    metrics,
    latencies,
    summaries,
    closed,
    /** The bot becomes audible now. */
    botStarts: () => speaking("speakingstart"),
    /** It falls silent now, for `reason`. */
    botStops: (reason: "played" | "interrupted") => speaking("speakingstop", reason),
    /** The caller's speech began at `at` (by default now). */
    speechStarts: (at?: number) => metrics.callerSpeechStarted(at),
    /** The caller's turn ended at `at` (by default now). */
    turnEnds: (at?: number) => metrics.callerTurnEnded(at),
    /** The clock to `at` ms. */
    to: (at: number) => clock.tick(at - clock.now()),
  };
}

Deno.test("an 'uh-huh' over the bot, which plays on: no turn, neither measured nor counted", async () => {
  const c = call();
  c.botStarts(); // 1000 ms
  await c.to(2000);
  c.speechStarts();
  await c.to(2400);
  c.turnEnds(); // the bot still plays
  await c.to(4000);
  c.botStops("played");
  await c.to(6000);
  c.botStarts(); // the bot's follow-up: no answer to the "uh-huh"
  await c.to(7000);
  c.botStops("played");
  c.closed();
  assert.deepEqual(c.latencies, []);
  const turns = c.metrics.snapshot().turnLatency;
  assert.equal(turns.count, 0);
  assert.equal(turns.unmeasured, 0);
  assert.match(c.summaries[0]!.line, /turns=0 /);
});

Deno.test("an 'uh-huh' told late (a detector's 500 ms), after the bot played on to its end: no turn", async () => {
  const c = call();
  c.botStarts(); // 1000 ms
  await c.to(3300);
  c.speechStarts(3300);
  await c.to(4000);
  c.botStops("played");
  await c.to(4200);
  c.turnEnds(3700); // told 500 ms late: it ended while the bot played
  await c.to(4500);
  c.botStarts();
  c.closed();
  assert.deepEqual(c.latencies, []);
  assert.equal(c.metrics.snapshot().turnLatency.count, 0);
});

Deno.test("an 'uh-huh' told late while the bot still plays, which then plays on: no turn", async () => {
  const c = call();
  c.botStarts(); // 1000 ms
  await c.to(2000);
  c.speechStarts(2000);
  await c.to(2900);
  c.turnEnds(2400);
  await c.to(4000);
  c.botStops("played");
  await c.to(4300);
  c.botStarts(); // its next sentence after a pause
  c.closed();
  assert.deepEqual(c.latencies, []);
  assert.equal(c.metrics.snapshot().turnLatency.count, 0);
});

Deno.test("speech that ends over the bot, which stops for it: a turn, measured to the bot's next audio", async () => {
  const c = call();
  c.botStarts(); // 1000 ms
  await c.to(2000);
  c.speechStarts();
  await c.to(2200);
  c.turnEnds(); // held while the bot plays
  await c.to(2300);
  c.botStops("interrupted");
  await c.to(2800);
  c.botStarts(); // the answer
  c.closed();
  assert.deepEqual(c.latencies, [600]); // 2800 − 2200
  assert.equal(c.metrics.snapshot().turnLatency.count, 1);
});

Deno.test("a barge-in whose turn end is told late, after the cut: a turn, measured from its end", async () => {
  const c = call();
  c.botStarts(); // 1000 ms
  await c.to(2000);
  c.speechStarts(2000);
  await c.to(2300);
  c.botStops("interrupted");
  await c.to(2700);
  c.turnEnds(2200); // ended over the bot, which was cut after
  await c.to(3000);
  c.botStarts();
  c.closed();
  assert.deepEqual(c.latencies, [800]); // 3000 − 2200
});

Deno.test("speech begun over the bot's last words, ending after it fell silent: a turn", async () => {
  const c = call();
  c.botStarts(); // 1000 ms
  await c.to(2800);
  c.speechStarts();
  await c.to(3000);
  c.botStops("played");
  await c.to(3300);
  c.turnEnds();
  await c.to(3700);
  c.botStarts();
  c.closed();
  assert.deepEqual(c.latencies, [400]); // 3700 − 3300
});

Deno.test("an 'uh-huh', then the caller's real turn after the bot fell silent: one turn, from that end", async () => {
  const c = call();
  c.botStarts(); // 1000 ms
  await c.to(1500);
  c.speechStarts();
  await c.to(1800);
  c.turnEnds(); // "uh-huh"
  await c.to(3000);
  c.botStops("played");
  await c.to(3500);
  c.speechStarts();
  await c.to(4500);
  c.turnEnds();
  await c.to(5100);
  c.botStarts();
  c.closed();
  assert.deepEqual(c.latencies, [600]); // 5100 − 4500
  assert.equal(c.metrics.snapshot().turnLatency.count, 1);
});

Deno.test("an 'uh-huh' held over the bot, the clock stepping back before the bot plays on to its end: no turn", () => {
  const clock = new SteppingClock();
  const { transport, metrics, latencies, closed } = meteredOnSteppingClock(clock);
  const r = responsesTold(clock, transport);
  r.starts(1000, "r1");
  clock.time = 1200;
  metrics.callerSpeechStarted();
  clock.time = 1500;
  metrics.callerTurnEnded(); // held: r1 plays
  r.stops(600, "r1", "played"); // the clock stepped back 900 ms: r1 played on all the same
  r.starts(900, "r2");
  closed();
  assert.deepEqual(latencies, []);
  assert.equal(metrics.snapshot().turnLatency.count, 0);
});

Deno.test("speech held over the bot, the clock stepping back before the bot stops for it: a turn, measured from the cut", () => {
  const clock = new SteppingClock();
  const { transport, metrics, closed } = meteredOnSteppingClock(clock);
  const r = responsesTold(clock, transport);
  r.starts(1000, "r1");
  clock.time = 1200;
  metrics.callerSpeechStarted();
  clock.time = 1500;
  metrics.callerTurnEnded(); // held: r1 plays
  r.stops(600, "r1", "interrupted"); // the clock stepped back 900 ms
  r.starts(900, "r2"); // the answer
  closed();
  // The turn's end, on the clock before the step, is taken as the cut's time (as a turn end
  // waiting across a step is: README, "Metrics"): 900 − 600.
  const turns = metrics.snapshot().turnLatency;
  assert.equal(turns.count, 1);
  assert.equal(turns.last, 300);
});
