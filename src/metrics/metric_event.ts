/**
 * {@linkcode MetricEvent}: one measurement, as it is made.
 *
 * @module
 */

/** What a {@linkcode MetricEvent} carries. */
export interface MetricEventInit {
  /** The instrument's name (see `SessionMetrics.instruments`), e.g. `voice.turn.latency`. */
  name: string;
  /** The value measured. */
  value: number;
  /** Its UCUM unit, e.g. `ms`. */
  unit: string;
}

/**
 * Dispatched as "metric" by `SessionMetrics` for each duration it measures (a turn's latency, a
 * barge-in's stop latency, a late chunk's lateness): record `value` into the histogram named
 * `name` of your metrics library.
 *
 * @example
 * ```ts
 * import { MetricEvent } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const event = new MetricEvent({ name: "voice.turn.latency", value: 640, unit: "ms" });
 * assert.equal(event.type, "metric");
 * assert.equal(event.value, 640);
 * ```
 */
export class MetricEvent extends Event {
  /** The instrument's name. */
  readonly name: string;
  /** The value measured. */
  readonly value: number;
  /** Its unit. */
  readonly unit: string;

  /** Makes a "metric" event. */
  constructor(init: MetricEventInit) {
    super("metric");
    this.name = init.name;
    this.value = init.value;
    this.unit = init.unit;
  }
}
