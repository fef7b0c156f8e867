/**
 * The clock at the heart of {@linkcode PacerStream} and the transport: it answers "how long until
 * this chunk may leave" the way a sound card would.
 *
 * @module
 */

import { type Clock, systemClock } from "../clock.ts";

/**
 * Throws a `RangeError` naming `durationMs` unless it is a finite number ≥ 0. One `Infinity` on
 * the timeline would make every chunk after it wait for ever (a sleep no timer ends), a negative
 * one would send the chunks after it before their slots, and NaN would end the timeline unseen.
 */
function checkDuration(durationMs: number, method: string): void {
  // NaN fails `>= 0`; a string (from plain JavaScript) would be added as text.
  if (typeof durationMs === "number" && durationMs >= 0 && durationMs !== Infinity) return;
  const got = typeof durationMs === "string" ? JSON.stringify(durationMs) : String(durationMs);
  throw new RangeError(`Pacer.${method}: durationMs must be a finite number >= 0, got ${got}`);
}

/** Options for {@linkcode Pacer}. */
export interface PacerOptions {
  /**
   * How far ahead of its playback time a chunk may leave, in milliseconds: the far end's jitter
   * buffer. Unset, it is the longest chunk scheduled on the current timeline, the one being
   * scheduled included (one chunk ahead): real-time input is forwarded with no added wait
   * whatever the sizes of its chunks, and a short chunk (a sentence's last) neither waits until
   * the far end has all but played out nor holds the longer chunk after it past its slot.
   */
  sendAheadMs?: number;
  /**
   * The time source.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * Schedules audio chunks as a sound card plays them. The first chunk after an idle spell anchors
 * a timeline; chunk n plays at `anchor + (duration of chunks 0..n-1)` and may leave `sendAheadMs`
 * before that. Deadlines come from the anchor, never from "now plus an interval", so timer
 * lateness does not accumulate (no drift), and a late chunk is sent at once without pulling the
 * ones after it earlier (no catch-up burst). Once the far end would have played everything sent
 * (the timeline fell behind real time), the next chunk starts a new timeline.
 *
 * @example Forty 20 ms chunks written at once leave over 760 ms
 * ```ts
 * import { Pacer } from "@x/ws-transport";
 * import { FakeClock } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock();
 * const pacer = new Pacer({ clock, sendAheadMs: 20 });
 * const waits = Array.from({ length: 40 }, () => pacer.reserve(20));
 * assert.equal(waits[0], 0);
 * assert.equal(waits[1], 0);
 * assert.equal(waits[39], 760);
 * ```
 */
export class Pacer {
  readonly #clock: Clock;
  readonly #sendAheadMs: number | undefined;
  /** When the current timeline started; NaN when there is none. */
  #anchor = NaN;
  /** Milliseconds of audio scheduled since the anchor. */
  #scheduledMs = 0;
  #playsAt = NaN;
  /**
   * The longest chunk reserved on the current timeline: the default lead. Each chunk's own
   * duration would not do when sizes vary. A chunk is sent in order, so it leaves no earlier
   * than the one before it, and a short one (a lead of its own length) reserved before a long
   * one would hold that one until the far end had all but played out (by the long one's length
   * less the short one's); and real-time input would wait whenever a chunk is shorter than half
   * the first (it arrives the first chunk's length before it plays, and may leave only its own
   * length before).
   */
  #longestMs = 0;

  /** Makes a pacer; `sendAheadMs`, when given, must be zero or more. */
  constructor(options: PacerOptions = {}) {
    const { sendAheadMs, clock = systemClock } = options;
    if (sendAheadMs !== undefined && !(sendAheadMs >= 0 && Number.isFinite(sendAheadMs))) {
      throw new RangeError(`sendAheadMs must be a finite number >= 0, got ${sendAheadMs}`);
    }
    this.#clock = clock;
    this.#sendAheadMs = sendAheadMs;
  }

  /**
   * Reserves the next slot for a chunk that plays for `durationMs`; returns how many milliseconds
   * to wait before sending it (0: send now). Call once per chunk, in order. `now` is the clock's
   * time, when the caller has just read it (a read of a real clock is a call into the runtime).
   * Throws a `RangeError` unless `durationMs` is a finite number ≥ 0.
   */
  reserve(durationMs: number, now: number = this.#clock.now()): number {
    checkDuration(durationMs, "reserve");
    if (!(now <= this.#anchor + this.#scheduledMs)) {
      // Idle, or the far end has played all we sent: the next chunk starts a new timeline.
      this.#anchor = now;
      this.#scheduledMs = 0;
      this.#longestMs = 0;
    }
    this.#playsAt = this.#anchor + this.#scheduledMs;
    if (this.#emptyLeavesNow(durationMs)) return 0;
    if (durationMs > this.#longestMs) this.#longestMs = durationMs;
    const deadline = this.#playsAt - this.#leadMs(durationMs);
    this.#scheduledMs += durationMs;
    return deadline > now ? deadline - now : 0;
  }

  /** How far ahead of its playback time a chunk of `durationMs` may leave. */
  #leadMs(durationMs: number): number {
    return this.#sendAheadMs ?? Math.max(durationMs, this.#longestMs);
  }

  /**
   * With the default lead, an empty chunk plays for nothing, so it has no slot to wait for: it
   * leaves at once, with the chunk before it, rather than in the next chunk's slot.
   */
  #emptyLeavesNow(durationMs: number): boolean {
    return durationMs === 0 && this.#sendAheadMs === undefined;
  }

  /**
   * How many milliseconds {@linkcode reserve} would ask a chunk of `durationMs` to wait now,
   * without reserving anything (`now`: as in `reserve`). Throws a `RangeError` as `reserve` does.
   */
  peek(durationMs: number, now: number = this.#clock.now()): number {
    checkDuration(durationMs, "peek");
    if (!(now <= this.#anchor + this.#scheduledMs) || this.#emptyLeavesNow(durationMs)) return 0;
    const deadline = this.#anchor + this.#scheduledMs - this.#leadMs(durationMs);
    return deadline > now ? deadline - now : 0;
  }

  /**
   * When the chunk reserved last starts to play at the far end: the timeline's anchor plus the
   * audio scheduled before it (its deadline plus the lead). NaN before the first reservation and
   * after {@linkcode reset}.
   */
  get playsAt(): number {
    return this.#playsAt;
  }

  /** Milliseconds of scheduled audio the far end has not played yet (0 when idle). */
  get queuedMs(): number {
    if (Number.isNaN(this.#anchor)) return 0;
    return Math.max(0, this.#anchor + this.#scheduledMs - this.#clock.now());
  }

  /**
   * Gives back the slot reserved last, `durationMs` long, whose chunk will not leave (dropped
   * before its time while what was sent before it still plays): the next chunk takes its place.
   * Throws a `RangeError` as `reserve` does.
   */
  release(durationMs: number): void {
    checkDuration(durationMs, "release");
    // The default lead stays as the released chunk may have raised it: the far end took chunks
    // that far ahead already on this timeline.
    this.#scheduledMs = Math.max(0, this.#scheduledMs - durationMs);
  }

  /** Forgets the timeline (on interruption): the next chunk leaves at once. */
  reset(): void {
    this.#anchor = NaN;
    this.#scheduledMs = 0;
    this.#playsAt = NaN;
    this.#longestMs = 0;
  }
}
