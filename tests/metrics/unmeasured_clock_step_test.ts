// What `SessionMetrics` counts unmeasured is a turn end told after 16 newer spells of the bot's,
// at or before the latest spell let go (`turnLatency.unmeasured`), and speech told after 16 newer
// unclaimed interruptions, in the window of one let go (`bargeInStopLatency.unmeasured`). A clock
// that steps back breaks the `Clock` contract, but a custom one may (README, "Metrics": a time
// still to come is taken as now, the metrics never throw over the clock), and a figure off by a
// step is no reason to call every turn or barge-in after it lost: a spell or window let go that
// began after now began before the clock stepped back, and says nothing of what is told at once.
import assert from "node:assert/strict";
import { botSpell, meteredOnSteppingClock, SteppingClock } from "./_hand_made_transport.ts";

/** The metrics on a clock whose time the test sets; the test tells the bot's spells. */
function meteredSession(clock: SteppingClock) {
  const { transport, metrics, latencies, closed } = meteredOnSteppingClock(clock);
  /** The bot becomes audible at `at`, and falls silent 100 ms later, done. */
  const botSpeaks = (at: number) => botSpell(clock, transport, at, "done");
  /** The bot becomes audible at `at` in `responseId`, and cuts it itself 200 ms later. */
  const botCuts = (at: number, responseId: string) => {
    clock.time = at;
    transport.dispatchEvent(Object.assign(new Event("speakingstart"), { responseId }));
    clock.time = at + 200;
    transport.dispatchEvent(
      Object.assign(new Event("speakingstop"), { reason: "interrupted", responseId }),
    );
  };
  return { metrics, latencies, botSpeaks, botCuts, closed };
}

Deno.test("turns told at once after the clock stepped back past a spell let go are measured, none unmeasured", () => {
  const clock = new SteppingClock();
  const s = meteredSession(clock);
  // A greeting of 17 spells (1000 … 4200) no turn of the caller's asked for: the first is let go.
  for (let i = 0; i <= 16; i++) s.botSpeaks(1000 + i * 200);
  // A turn, told at once, answered 200 ms later.
  clock.time = 4400;
  s.metrics.callerSpeechStarted();
  clock.time = 4500;
  s.metrics.callerTurnEnded();
  s.botSpeaks(4700);
  // The clock steps back 4 s; the conversation goes on, each turn told at once.
  for (const t of [600, 1000]) {
    clock.time = t;
    s.metrics.callerSpeechStarted();
    clock.time = t + 100;
    s.metrics.callerTurnEnded();
    s.botSpeaks(t + 300);
  }
  s.closed();
  const { turnLatency } = s.metrics.snapshot();
  assert.deepEqual(s.latencies, [200, 200, 200], "each turn against the spell that answered it");
  assert.equal(turnLatency.unmeasured, 0, "no turn end was told after 16 newer spells");
});

Deno.test("speech told at once after the clock stepped back into an interruption let go is no barge-in lost", () => {
  const clock = new SteppingClock();
  const s = meteredSession(clock);
  // 17 replies the bot cuts itself (no speech claims them), 1000 … 4500: the first is let go.
  for (let i = 0; i <= 16; i++) s.botCuts(1000 + i * 220, `r${i}`);
  // The clock steps back 4 s, into the first one's window; the caller speaks, told at once.
  clock.time = 600;
  s.metrics.callerSpeechStarted();
  s.closed();
  assert.equal(s.metrics.snapshot().bargeInStopLatency.unmeasured, 0, "no barge-in was told late");
});
