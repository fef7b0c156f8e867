/**
 * What a metrics test builds by hand instead of a `WebSocketTransport`: a transport of the
 * metrics' own shape (`MeteredTransport`) whose events the test dispatches, and a clock whose time
 * the test sets, stepping back if it is told to.
 *
 * @module
 */
import {
  SessionMetrics,
  SpeakingEvent,
  type SpeakingStopReason,
  type TransportStats,
} from "../../mod.ts";
import type { Clock } from "../../src/clock.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import type { MeteredTransport } from "../../src/metrics/session_metrics.ts";
import type { SessionObserver } from "../../src/session_observer.ts";

/**
 * A clock whose time the test sets (from 1000); `stepBack` takes `ms` off each read after the
 * next. Only `now` is read by the metrics.
 */
export class SteppingClock {
  time = 1000;
  stepBack = 0;
  now(): number {
    const now = this.time;
    this.time -= this.stepBack;
    return now;
  }
  asClock(): Clock {
    return this as unknown as Clock;
  }
}

/**
 * A `MeteredTransport` with no counters, `clock` its own time source if given; the test
 * dispatches its events, `closed()` tells its observer the session has ended, and `observer()` is
 * that observer, for what else the test tells through it (a hold of the playout, a cut).
 */
export function handMadeTransport(clock?: Clock) {
  let observer: SessionObserver | undefined;
  const transport = Object.assign(new EventTarget(), {
    observe(o: SessionObserver) {
      observer = o;
      return () => (observer = undefined);
    },
    stats: {} as TransportStats,
    ...(clock !== undefined && { clock }),
  }) satisfies MeteredTransport;
  return { transport, closed: () => observer?.closed?.({} as never), observer: () => observer };
}

/**
 * `SessionMetrics` (its speech detector off) on a hand-made transport and `clock`; `latencies`
 * each "metric" event's value, in order.
 */
export function meteredOnSteppingClock(clock: SteppingClock) {
  const { transport, closed, observer } = handMadeTransport();
  const metrics = SessionMetrics.attach(transport, { speech: false, clock: clock.asClock() });
  const latencies: number[] = [];
  metrics.addEventListener("metric", (e) => latencies.push(e.value));
  return { transport, metrics, latencies, closed, observer };
}

/**
 * `SessionMetrics` (its speech detector off) on a hand-made transport and a `FakeClock` the test
 * ticks: `botSpeaks()` makes the bot audible now and silent 100 ms later, its reply played;
 * `turns()` ends the session and gives the turns measured (`latencies`) and counted.
 */
export function turnsOnFakeClock() {
  const clock = new FakeClock();
  const { transport, closed } = handMadeTransport(clock);
  const metrics = SessionMetrics.attach(transport, { speech: false, clock });
  const latencies: number[] = [];
  metrics.addEventListener("metric", (e) => latencies.push(e.value));
  const botSpeaks = async () => {
    transport.dispatchEvent(new Event("speakingstart"));
    await clock.tick(100);
    transport.dispatchEvent(Object.assign(new Event("speakingstop"), { reason: "played" }));
  };
  const turns = () => {
    closed();
    const { count, unmeasured } = metrics.snapshot().turnLatency;
    return { latencies, count, unmeasured };
  };
  return { clock, metrics, botSpeaks, turns };
}

/**
 * The bot becomes audible at `at` on `clock`, and falls silent 100 ms later for `reason`: a spell
 * told with plain events, as a transport that gives no response id tells it.
 */
export function botSpell(
  clock: SteppingClock,
  transport: EventTarget,
  at: number,
  // A plain event's reason is whatever the test writes: unmeasured_clock_step_test.ts's "done" is
  // no `SpeakingStopReason`, and reads as a stop that was no interruption.
  reason: string = "played",
): void {
  clock.time = at;
  transport.dispatchEvent(new Event("speakingstart"));
  clock.time = at + 100;
  transport.dispatchEvent(Object.assign(new Event("speakingstop"), { reason }));
}

/**
 * The bot's responses told on `transport` as it dispatches them (`SpeakingEvent`s with their
 * response id, nothing heard or sent), each at a time `clock` is set to.
 */
export function responsesTold(clock: SteppingClock, transport: EventTarget) {
  const speaking = (
    type: "speakingstart" | "speakingstop",
    at: number,
    responseId: string,
    reason?: SpeakingStopReason,
  ) => {
    clock.time = at;
    transport.dispatchEvent(
      new SpeakingEvent(type, {
        responseId,
        ...(reason !== undefined && { reason }),
        heardMs: 0,
        sentMs: 0,
        acknowledged: false,
      }),
    );
  };
  return {
    /** Response `responseId` becomes audible at `at`. */
    starts: (at: number, responseId: string) => speaking("speakingstart", at, responseId),
    /** It falls silent at `at`, for `reason`. */
    stops: (at: number, responseId: string, reason: "played" | "interrupted") =>
      speaking("speakingstop", at, responseId, reason),
  };
}
