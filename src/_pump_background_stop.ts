/**
 * When background audio that stopped filling its slots has stopped for good, for the outbound
 * pump (`_outbound_pump.ts`): a background mixer's `fill` that gives nothing after giving chunks
 * may be a stop, or a stream short of a chunk for one read, whose data wakes the pump again. The
 * stretch the background carried on ends only at a stop, judged once all it sent has played by
 * the estimate; until then nothing is decided.
 *
 * Its own file because it is a cold path: armed once a stop, judged once, never per chunk. The
 * per-chunk path touches it once a write, and only where there is a mixer ({@linkcode
 * BackgroundStop.goesOn}: a timer's cancel, as it always was); a session without background
 * never makes one, nor its timer.
 *
 * @module
 */

import type { PlayoutTimeline } from "./_playout_timeline.ts";
import type { Clock, ClockTimer } from "./clock.ts";

/** What the judgement reads of the pump, and what it does through it. */
export interface BackgroundStopPump {
  /**
   * Whether the stream goes on without the background: the pump sends nothing more, the
   * background fills its slots again, or something is queued.
   */
  goesOn(): boolean;
  /** The far end holds the session off (see `OutboundPump.hold`): nothing may leave now. */
  heldOff(): boolean;
  /** Speech's held-back end waits (in the chunker, or for the tail timer): its tail ends the stretch. */
  tailWaits(): boolean;
  /**
   * The background has stopped, nothing else queued: the stretch it carried on ends, and what the
   * serializer and the packetizer still hold of it goes now (see {@linkcode BackgroundStop}).
   */
  endStretch(now: number | undefined): void;
}

/**
 * Judges whether a background whose `fill` gave nothing has stopped. Made by the pump where
 * there is a mixer; its timer is armed once a stop, never per chunk.
 */
export class BackgroundStop {
  readonly #timeline: PlayoutTimeline;
  readonly #clock: Clock;
  readonly #chunkMs: number;
  readonly #pump: BackgroundStopPump;
  /** Takes the background for stopped once what it sent has played at the far end. */
  readonly #runOut: ClockTimer;
  /** The run-out came while the far end held the session off: judged once it lets go. */
  #heldOff = false;

  constructor(
    parts: { timeline: PlayoutTimeline; clock: Clock; chunkMs: number },
    pump: BackgroundStopPump,
  ) {
    this.#timeline = parts.timeline;
    this.#clock = parts.clock;
    this.#chunkMs = parts.chunkMs;
    this.#pump = pump;
    this.#runOut = parts.clock.timer(this.#onRunOut);
  }

  /**
   * The background's `fill` gave nothing after giving chunks, nothing else queued: stopped, or a
   * stream short of a chunk for a read, whose data wakes the pump (and its next chunk completes
   * what is held, as while it flows). Taken for stopped once all it sent has played by the
   * estimate, and not before its next slot, unless it, or speech, went on by then: a stall
   * shorter than the lead, or than a slot, is no stop. All it sent, what the packetizer holds
   * too: in steady flow a packet longer than the lead leaves as what left before it runs out,
   * and what has left runs out as the slot that completes the packet is due.
   */
  paused(now: number | undefined): void {
    if (this.#pump.tailWaits()) return; // speech's tail ends it
    const at = now ?? this.#clock.now();
    const timeline = this.#timeline;
    const runsOut = Math.max(timeline.playsAt(timeline.sentMs) - at, this.#chunkMs);
    if (Number.isNaN(runsOut)) return this.#stopped(at); // cut: nothing playing
    this.#runOut.arm(runsOut, at);
  }

  /** Speech, or the background again, carries the stream on: no stop to judge. */
  goesOn(): void {
    this.#runOut.cancel();
    this.#heldOff = false;
  }

  /** The far end let the session go again: a run-out that came during the hold is judged now. */
  holdEnded(): void {
    if (!this.#heldOff) return;
    this.#heldOff = false;
    this.#onRunOut();
  }

  /** The pump sends nothing more. */
  cancel(): void {
    this.#runOut.cancel();
  }

  /** What the background sent before its `fill` gave nothing has played (see `paused`). */
  #onRunOut = (): void => {
    if (this.#pump.goesOn()) return;
    // Nothing may leave while the far end holds the session off (its queue is full, whatever the
    // estimate says): judged once it lets go (see `holdEnded`).
    if (this.#pump.heldOff()) {
      this.#heldOff = true;
      return;
    }
    this.#stopped(undefined);
  };

  /**
   * The background has stopped (see `paused`), nothing else queued: what it carried on is over.
   * The partial frame a serializer holds (Vonage, Asterisk) and the packetizer's partial packet
   * would wait for the next reply or bot's mark, and the far end play them at that reply's start,
   * which would be heard a frame or packet before it plays: they go now, as at a stretch's end,
   * and are placed. Unless speech waits in the chunker: its tail ends the stretch.
   */
  #stopped(now: number | undefined): void {
    if (this.#pump.tailWaits()) return;
    this.#pump.endStretch(now);
  }
}
