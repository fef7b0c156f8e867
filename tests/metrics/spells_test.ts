// SessionMetrics over a response that plays in spells (sentences with pauses between them), and
// the edges of its API: bad times, figures after detach.
import assert from "node:assert/strict";
import {
  BargeInStream,
  type MetricEvent,
  SessionMetrics,
  type SessionMetricsOptions,
} from "../../mod.ts";
import { answer, callBehindFarEnd } from "../_caller_fixtures.ts";

/** A call: far end 40 ms behind (told as playoutDelayMs), metrics attached. */
function call(options: SessionMetricsOptions = {}) {
  const { clock, transport, farEnd, callerUntil, close } = callBehindFarEnd();
  const metrics = SessionMetrics.attach(transport, { clock, ...options });
  return { clock, transport, farEnd, metrics, callerUntil, close };
}

Deno.test("`SessionMetrics` counts a barge-in whose speech began over one spell and that stopped the next", async () => {
  const c = call();
  const piped = c.transport.readable
    .pipeThrough(new BargeInStream(c.transport))
    .pipeTo(new WritableStream());
  await c.clock.tick(0);
  c.transport.send(answer(1000, "r1")); // sentence one: plays 40–1040 ms
  await c.callerUntil(1140, (now) => now > 1000); // the caller talks over it from 1020 ms on
  c.transport.send(answer(1000, "r1")); // sentence two: from 1180 ms, interrupted at once
  await c.callerUntil(3000, (now) => now <= 2500);
  const s = c.metrics.snapshot();
  assert.equal(s.interruptions, 1);
  assert.equal(s.bargeInStopLatency.count, 1, "the caller caused it: a barge-in");
  // From the caller's first word over the answer (1020 ms) to the bot silent (about 1180 ms).
  const last = s.bargeInStopLatency.last!;
  assert.ok(last >= 140 && last <= 200, `stop latency ${last} ms`);
  await c.close();
  await piped.catch(() => {});
});

Deno.test("`SessionMetrics` keeps responses apart: speech begun over one is no barge-in of the next", async () => {
  const c = call();
  c.transport.receive(() => {});
  await c.clock.tick(0);
  c.transport.send(answer(500, "r1")); // plays 40–540 ms, then the response is over
  await c.callerUntil(1000, (now) => now > 480); // the caller talks from 500 ms on
  c.transport.send(answer(1000, "r2")); // a new response, from 1040 ms
  await c.callerUntil(1200, () => true);
  await c.transport.interrupt(); // the bot's own choice
  await c.callerUntil(1400, () => true);
  const s = c.metrics.snapshot();
  assert.equal(s.interruptions, 1);
  assert.equal(s.bargeInStopLatency.count, 0);
  await c.close();
});

Deno.test("`SessionMetrics` measures a late-told turn to the answer's first audible audio, not its second spell", async () => {
  const c = call(); // the default speech detector: the turn's end told 500 ms after it
  c.transport.receive(() => {});
  await c.callerUntil(200, () => false);
  await c.callerUntil(1200, () => true); // the caller's turn ends at 1200 ms
  await c.callerUntil(1260, () => false);
  c.transport.send(answer(100, "r1")); // "Sure." plays 1300–1400 ms
  await c.callerUntil(1560, () => false);
  c.transport.send(answer(1000, "r1")); // the rest after a pause: from 1600 ms
  await c.callerUntil(3000, () => false);
  const truth = c.farEnd.played.find((s) => s.value === 1)!.at - 1200;
  assert.equal(truth, 100);
  const { turnLatency } = c.metrics.snapshot();
  assert.equal(turnLatency.count, 1);
  assert.ok(
    Math.abs(turnLatency.last! - truth) <= 20,
    `measured ${turnLatency.last}, truth ${truth}`,
  );
  await c.close();
});

Deno.test("`SessionMetrics` refuses a caller time that is not one", async () => {
  const c = call({ speech: false });
  const measured: MetricEvent[] = [];
  c.metrics.addEventListener("metric", (e) => measured.push(e));
  await c.clock.tick(100);
  assert.throws(() => c.metrics.callerTurnEnded(NaN), RangeError);
  assert.throws(() => c.metrics.callerSpeechStarted(Infinity), RangeError);
  assert.throws(() => c.metrics.callerTurnEnded("100" as unknown as number), RangeError);
  c.transport.send(answer(100, "r1"));
  await c.clock.tick(300);
  assert.equal(measured.length, 0, "nothing measured from a refused time");
  assert.equal(c.metrics.snapshot().turnLatency.count, 0);
  c.metrics.callerTurnEnded(c.clock.now()); // a good time still measures
  c.transport.send(answer(100, "r2"));
  await c.clock.tick(300);
  assert.equal(measured.length, 1);
  assert.equal(measured[0]!.value, 40);
  await c.close();
});

Deno.test("`SessionMetrics.detach` freezes the figures as they were", async () => {
  const c = call({ speech: false });
  await c.clock.tick(1000);
  c.metrics.detach();
  const atDetach = c.metrics.snapshot();
  const measured: MetricEvent[] = [];
  c.metrics.addEventListener("metric", (e) => measured.push(e));
  c.metrics.callerTurnEnded(); // told after detach: ignored
  c.transport.send(answer(200, "r1"));
  await c.clock.tick(100);
  await c.transport.interrupt();
  await c.clock.tick(1000);
  assert.deepEqual(c.metrics.snapshot(), atDetach);
  assert.equal(c.metrics.summary(), c.metrics.summary());
  assert.equal(measured.length, 0);
  c.metrics.detach(); // twice is fine
  assert.deepEqual(c.metrics.snapshot(), atDetach);
  await c.close();
});

// The bot was silent in the pause: talking over each other began when the next spell was audible.
Deno.test("barge-in stop latency of speech begun in a pause counts from the next spell, not the pause", async () => {
  const c = call();
  const piped = c.transport.readable.pipeThrough(new BargeInStream(c.transport))
    .pipeTo(new WritableStream());
  await c.clock.tick(0);
  c.transport.send(answer(1000, "r1")); // sentence one: plays 40–1040 ms
  const talking = (now: number) => now > 1920 && now <= 3500; // begins in the pause
  await c.callerUntil(2000, talking);
  c.transport.send(answer(1000, "r1")); // sentence two: from about 2040 ms
  await c.callerUntil(4000, talking);
  const s = c.metrics.snapshot();
  assert.equal(s.interruptions, 1);
  assert.equal(s.bargeInStopLatency.count, 1);
  const second = c.farEnd.played.filter((p) => p.value === 1 && p.at >= 1500);
  const overlapMs = second.reduce((ms, p) => ms + p.ms, 0);
  const last = s.bargeInStopLatency.last!;
  // The bot talked over the caller for `overlapMs` from the second sentence on; the pause is not
  // latency.
  assert.ok(
    last <= overlapMs + 60,
    `stop latency ${last} ms, but the bot was audible over the caller only ${overlapMs} ms (from ${
      second[0]?.at
    })`,
  );
  await c.close();
  await piped.catch(() => {});
});

// The caller began talking in the pause, and the next sentence was stopped before any of it played:
// the caller cut the response short, so it counts as a barge-in, of 0 ms (never audible over them).
Deno.test("a response stopped as it resumes after a pause the caller talked in is a barge-in of 0 ms", async () => {
  const c = call();
  const piped = c.transport.readable.pipeThrough(new BargeInStream(c.transport))
    .pipeTo(new WritableStream());
  await c.clock.tick(0);
  c.transport.send(answer(1000, "r1")); // sentence one: plays 40–1040 ms
  const talking = (now: number) => now > 1100 && now <= 3500; // begins in the pause, caught there
  await c.callerUntil(2000, talking);
  c.transport.send(answer(1000, "r1")); // sentence two: due from 2040 ms, stopped as it starts
  await c.callerUntil(4000, talking);
  const overCaller = c.farEnd.played.filter((p) => p.value === 1 && p.at >= 1500)
    .reduce((ms, p) => ms + p.ms, 0);
  assert.equal(overCaller, 0, "nothing of sentence two played");
  const s = c.metrics.snapshot();
  assert.equal(s.interruptions, 1);
  assert.equal(s.bargeInStopLatency.count, 1, "the caller's speech stopped the response");
  assert.equal(s.bargeInStopLatency.last, 0);
  await c.close();
  await piped.catch(() => {});
});
