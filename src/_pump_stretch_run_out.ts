/**
 * Where the stretch of a source that wrote ahead of real time ends, for the outbound pump
 * (`_outbound_pump.ts`): its held-back tail was sent as what had left ran out, the same reply
 * perhaps going on (its next burst due about now, as the far end plays the tail). The stretch
 * ends, and the serializer is told (`FrameSerializer.audioEnds`), once what has left runs out by
 * the pacing estimate, unless more of it has left by then.
 *
 * Its own file because it is a cold path: armed once a burst, never per chunk. Made only where
 * the serializer takes stretch ends; a session whose serializer does not never makes one, nor
 * its timer.
 *
 * @module
 */

import type { PlayoutTimeline } from "./_playout_timeline.ts";
import type { Clock, ClockTimer } from "./clock.ts";

/** What the run-out reads of the pump, and what it does through it. */
export interface StretchRunOutPump {
  /** Whether more of the stretch is on its way (queued, or in the chunker), or the pump stopped. */
  goesOn(): boolean;
  /**
   * The stretch has ended (see `OutboundPump`'s `#audioEnded`); `atRunOut`: what has left runs
   * out now by the estimate, and the far end, behind it, plays on.
   */
  ended(now: number | undefined, atRunOut: boolean): void;
}

/** Ends the stretch of a source that wrote ahead where what has left runs out. */
export class StretchRunOut {
  readonly #timeline: PlayoutTimeline;
  readonly #clock: Clock;
  readonly #pump: StretchRunOutPump;
  readonly #timer: ClockTimer;
  /** The timeline's end when the timer was armed: audio sent since carries the stretch on. */
  #from = NaN;

  constructor(parts: { timeline: PlayoutTimeline; clock: Clock }, pump: StretchRunOutPump) {
    this.#timeline = parts.timeline;
    this.#clock = parts.clock;
    this.#pump = pump;
    this.#timer = parts.clock.timer(this.#onRunOut);
  }

  /**
   * A source that wrote ahead had its tail sent: its stretch ends when what has left runs out by
   * the pacing estimate, unless more of it has left by then (its next burst, written as the far
   * end plays this one's end, carries the stream on: no restart, no padded frame inside it).
   * Then, and not at the quiet time after, the far end still plays it (it plays behind the
   * estimate, never ahead): the filter's end follows the reply's last audio.
   */
  arm(now: number | undefined): void {
    const timeline = this.#timeline;
    const at = now ?? this.#clock.now();
    const runsOut = timeline.playsAt(timeline.sentMs) - at;
    if (!(runsOut > 0)) return this.#pump.ended(at, false); // ran out already (NaN: cut)
    this.#from = timeline.sentMs;
    this.#timer.arm(runsOut, at);
  }

  /** An interruption, or the pump's stop: the serializer drops what it held (or nothing goes). */
  cancel(): void {
    this.#timer.cancel();
  }

  /** What a source that wrote ahead had sent has run out by the estimate (see `arm`). */
  #onRunOut = (): void => {
    if (this.#timeline.sentMs !== this.#from) return; // it went on
    if (this.#pump.goesOn()) return; // more is on its way, or nothing goes now
    this.#pump.ended(undefined, true);
  };
}
