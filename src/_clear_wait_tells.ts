/**
 * What the observers are told while an interruption's clear waits (see
 * `OutboundPath.interruptFarEnd`): held, in order, until the clear's fate is known. Meanwhile the
 * far end plays on: told at the cut, `interrupted` would have a recorder erase what the caller
 * went on hearing (all of it, where the clear proved to be none); told at the fate, it would
 * erase the next reply's first chunk, told meanwhile (it waits behind the clear), unless that is
 * held too. Made only when a clear waits: nothing a session, nothing a chunk but the outbound
 * path's one check that none is held.
 *
 * @module
 */

import type { ClearFate, ClearKnown, PlaybackTracker } from "./_playback_tracker.ts";
import type { PlayoutTimeline } from "./_playout_timeline.ts";
import type { ObserverList } from "./_observer_list.ts";
import type { Clock } from "./clock.ts";
import type { AudioFrame } from "./frames.ts";

/**
 * An interruption whose clear waits, as the observers are to be told of it once the clear's fate
 * is known: `heardPosition` NaN until then.
 */
export interface HeldInterruption {
  readonly kind: "interrupted";
  /** The clear's fate, asked of the tracker (see `PlaybackTracker.interruptUntilCleared`). */
  then: ((fate: ClearFate) => ClearKnown) | undefined;
  heardPosition: number;
  /** What never left, told dropped right after it (see `OutboundPath.interrupt`). */
  unsentFrom: number;
  heldMs: number;
}

/**
 * What is held behind it: a chunk (its bytes copied: the transport may reuse a chunk's), a move
 * of what was told from `from` on, or audio dropped from `from` on. Where each plays is read as
 * it is told, once the clear's fate has placed it (as it was held, where a later cut left nothing
 * playing).
 */
type HeldTell =
  | HeldInterruption
  | {
    readonly kind: "audio";
    chunk: AudioFrame;
    speech: boolean;
    position: number;
    durationMs: number;
    deadline: number;
    sentAt: number;
    /** Where it played as it was sent: kept where nothing plays any more (a later clear's cut). */
    playsAt: number;
  }
  | { readonly kind: "moved"; from: number; at: number; playsAt: number }
  | { readonly kind: "dropped"; from: number; at: number };

/** What a chunk told behind a waiting clear is told with (`SessionObserver.outboundAudio`). */
export interface HeldAudioInfo {
  position: number;
  durationMs: number;
  deadline: number;
  sentAt: number;
  playsAt: number;
  speech: boolean;
}

/** The observers' tells held behind clears that wait, oldest first. */
export class ClearWaitTells {
  readonly #tells: HeldTell[] = [];
  readonly #observers: ObserverList;
  readonly #timeline: PlayoutTimeline;
  readonly #tracker: PlaybackTracker;
  readonly #clock: Clock;

  constructor(
    observers: ObserverList,
    timeline: PlayoutTimeline,
    tracker: PlaybackTracker,
    clock: Clock,
  ) {
    this.#observers = observers;
    this.#timeline = timeline;
    this.#tracker = tracker;
    this.#clock = clock;
  }

  /** An interruption whose clear now waits: told in its turn, once its fate is known. */
  interrupted(held: HeldInterruption): void {
    this.#tells.push(held);
  }

  /** A chunk sent behind it (its bytes copied now). */
  audio(chunk: AudioFrame, info: HeldAudioInfo): void {
    const copy = { ...chunk, audio: chunk.audio.slice() };
    this.#tells.push({ kind: "audio", chunk: copy, ...info });
  }

  /** What was told from `from` on moved (`playoutMoved`). */
  moved(from: number, at: number, playsAt: number): void {
    this.#tells.push({ kind: "moved", from, at, playsAt });
  }

  /** What was told from `from` on never left (`outboundDropped`). */
  dropped(from: number, at: number): void {
    this.#tells.push({ kind: "dropped", from, at });
  }

  /**
   * The fate of the clear of `held` is known, the far end having played to `heardPosition`: the
   * observers are told of it, and of what was held behind it, up to the next clear still waiting.
   * Once (the session's end may tell it first: see {@linkcode ended}). Returns whether nothing is
   * held any more.
   */
  known(held: HeldInterruption, heardPosition: number): boolean {
    if (Number.isNaN(held.heardPosition)) {
      held.heardPosition = heardPosition;
      const tells = this.#tells;
      while (tells.length > 0) {
        const tell = tells[0]!;
        if (tell.kind === "interrupted" && Number.isNaN(tell.heardPosition)) return false;
        tells.shift();
        this.#tell(tell);
      }
    }
    return this.#tells.length === 0;
  }

  /**
   * The session is ending with clears still waiting: the far end played on until now, and the
   * observers are told so before they hear of the end (what never left, the session's close).
   */
  ended(): void {
    for (const tell of this.#tells.slice()) {
      if (tell.kind !== "interrupted" || !Number.isNaN(tell.heardPosition)) continue;
      const heardPosition = tell.then?.("ended").heardPosition ?? this.#tracker.cutPosition;
      this.known(tell, heardPosition);
    }
  }

  /** Tells the observers one held tell, placed as it is now. */
  #tell(tell: HeldTell): void {
    const observers = this.#observers;
    if (tell.kind === "interrupted") {
      const at = this.#clock.now();
      observers.interrupted({ at, heardPosition: tell.heardPosition });
      if (tell.heldMs > 0 && observers.list.length > 0) {
        observers.outboundDropped({ at, position: tell.unsentFrom });
      }
    } else if (tell.kind === "audio") {
      const { chunk, position, durationMs, deadline, sentAt, speech } = tell;
      const placed = this.#timeline.playsAt(position);
      const playsAt = Number.isNaN(placed)
        ? tell.playsAt
        : (placed < sentAt ? sentAt : placed) + this.#tracker.lag;
      observers.outboundAudio(chunk, { position, durationMs, playsAt, deadline, sentAt, speech });
    } else if (tell.kind === "moved") {
      const placed = this.#timeline.playsAt(tell.from);
      const playsAt = Number.isNaN(placed) ? tell.playsAt : placed + this.#tracker.lag;
      observers.playoutMoved({ at: tell.at, position: tell.from, playsAt });
    } else observers.outboundDropped({ at: tell.at, position: tell.from });
  }
}
