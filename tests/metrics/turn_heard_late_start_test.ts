// A turn's latency runs to when the caller began to hear the bot's answer (README, "Metrics":
// "speakingstart", when the answer begins to play at the far end), not to when the event came:
// it may come late, with `heardMs` of the reply heard already. Figures worked out by hand.
import assert from "node:assert/strict";
import {
  RawPcmSerializer,
  SessionMetrics,
  type SpeakingEvent,
  WebSocketTransport,
} from "../../mod.ts";
import type { Clock, ClockTimer, ClockTimerOptions } from "../../src/clock.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd } from "../_fake_far_end.ts";
import { meteredCall, sayReply } from "./_metered_call.ts";

/**
 * The system clock's sweep at its latest (README, "Playback and barge-in": "On the system clock an
 * event may come up to 20 ms after its moment"): a timer with a tolerance fires that much after
 * the moment it was armed for; the others on time.
 */
class LatestSweepClock implements Clock {
  constructor(readonly fake: FakeClock) {}
  now(): number {
    return this.fake.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.fake.sleep(ms, signal);
  }
  timer(callback: () => void, options?: ClockTimerOptions): ClockTimer {
    const lateMs = options?.toleranceMs ?? 0;
    const timer = this.fake.timer(callback);
    return {
      arm: (ms, now) => timer.arm(ms + lateMs, now),
      cancel: () => timer.cancel(),
      get armed() {
        return timer.armed;
      },
    };
  }
}

/**
 * Raw PCM at 16 kHz in 20 ms chunks on the latest sweep, to a far end that plays what it gets
 * 100 ms after it comes. Raw PCM acknowledges nothing: the estimate, told that buffer, stands
 * (README, "Playback and barge-in": "set `playoutDelayMs` to the far end's real delay"). `starts`:
 * each "speakingstart" as it came, and its `heardMs`.
 */
function sweptRawPcmCall() {
  const clock = new FakeClock(0);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    playoutDelayMs: 100,
    clock: new LatestSweepClock(clock),
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 100, bytesPerMs: 32 });
  const metrics = SessionMetrics.attach(transport, { speech: false, clock });
  const starts: { at: number; heardMs: number }[] = [];
  transport.addEventListener("speakingstart", (event: SpeakingEvent) => {
    starts.push({ at: clock.now(), heardMs: event.heardMs });
  });
  return { clock, pair, transport, farEnd, metrics, starts };
}

Deno.test("raw PCM, its speakingstart swept 20 ms late: the turn is measured to the reply's start as heard", async () => {
  const { clock, pair, transport, farEnd, metrics, starts } = sweptRawPcmCall();
  await clock.tick(1000);
  metrics.callerTurnEnded(); // 1000 ms
  await clock.tick(300);
  sayReply(transport, "r1", 400); // sent at 1300, heard from 1400
  await clock.tick(1000);
  assert.equal(farEnd.played[0]?.at, 1400, "the caller hears the reply from 1400 ms");
  assert.deepEqual(starts, [{ at: 1420, heardMs: 20 }], "its event came 20 ms into it");
  assert.equal(metrics.snapshot().turnLatency.last, 400); // 1400 − 1000
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("raw PCM, swept late: a tagged reply going on after a pause is measured from its own spell, not its earlier ones", async () => {
  const { clock, pair, transport, farEnd, metrics, starts } = sweptRawPcmCall();
  await clock.tick(1000);
  sayReply(transport, "r1", 400); // heard 1100–1500 ms, its start at 1120
  await clock.tick(1000);
  metrics.callerTurnEnded(); // 2000 ms: the caller answers r1's first sentence
  await clock.tick(200);
  // r1 goes on: one response in two spells, its heardMs counting both (README, "Playback and
  // barge-in").
  sayReply(transport, "r1", 400); // sent at 2200, heard from 2300
  await clock.tick(1000);
  assert.equal(farEnd.played.find((span) => span.at > 2000)?.at, 2300);
  assert.deepEqual(starts, [{ at: 1120, heardMs: 20 }, { at: 2320, heardMs: 420 }]);
  assert.equal(metrics.snapshot().turnLatency.last, 300); // 2300 − 2000
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("a far end whose marks go unanswered: a reply after one that went by the estimate begins, and is measured, as it is heard", async () => {
  const c = meteredCall(new FakeClock(0), { playoutTimeoutMs: 1000 });
  // It plays what it gets at once and answers no mark (Twilio's "mark", sent back once the audio
  // before it has played, lost). The greeting's first mark bounds heardMs only until it is
  // playoutTimeoutMs overdue; after the quiet, heardMs goes by the estimate (README, "Limits"),
  // and so does each reply's speakingstop: it no longer waits playoutTimeoutMs past its end for
  // its end mark's answer, which held the next reply's speakingstart back that long (here r2's,
  // 500 ms into it).
  c.farEnd.stopAcking();
  const starts: { at: number; heardMs: number }[] = [];
  c.transport.addEventListener("speakingstart", (event: SpeakingEvent) => {
    starts.push({ at: c.clock.now(), heardMs: event.heardMs });
  });
  await c.clock.tick(1000);
  sayReply(c.transport, "greeting", 100); // 1000–1100 ms
  await c.clock.tick(1500);
  sayReply(c.transport, "r1", 2000); // 2500–4500 ms: it stops at 4500 (it waited until 5500)
  await c.clock.tick(2200);
  c.metrics.callerTurnEnded(); // 4700 ms
  await c.clock.tick(300);
  sayReply(c.transport, "r2", 1000); // 5000–6000 ms
  await c.clock.tick(2000);
  const r2 = c.farEnd.played.find((span) => span.at >= 5000);
  assert.equal(r2?.at, 5000, "the caller hears r2 from 5000 ms");
  assert.deepEqual(starts.at(-1), { at: 5000, heardMs: 0 }, "r2's event came as it was heard");
  assert.equal(c.metrics.snapshot().turnLatency.last, 300); // 5000 − 4700
  c.pair.client.close(1000);
  await c.transport.closed;
});
