/**
 * What a metrics test builds by hand instead of a `WebSocketTransport`: a transport of the
 * metrics' own shape (`MeteredTransport`) whose events the test dispatches, and a clock whose time
 * the test sets, stepping back if it is told to.
 *
 * @module
 */
import { SessionMetrics, type TransportStats } from "../../mod.ts";
import type { Clock } from "../../src/clock.ts";
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
 * dispatches its events, and `closed()` tells its observer the session has ended.
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
  return { transport, closed: () => observer?.closed?.({} as never) };
}

/**
 * `SessionMetrics` (its speech detector off) on a hand-made transport and `clock`; `latencies`
 * each "metric" event's value, in order.
 */
export function meteredOnSteppingClock(clock: SteppingClock) {
  const { transport, closed } = handMadeTransport();
  const metrics = SessionMetrics.attach(transport, { speech: false, clock: clock.asClock() });
  const latencies: number[] = [];
  metrics.addEventListener("metric", (e) => latencies.push(e.value));
  return { transport, metrics, latencies, closed };
}
