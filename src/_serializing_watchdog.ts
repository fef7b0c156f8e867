/**
 * The bound on an asynchronous serializer's answers: each must come within `sendTimeoutMs`, or
 * the session ends. One timer for a session, made at its first asynchronous serialization, not
 * one per frame.
 *
 * @module
 */

import type { Clock, ClockTimer } from "./clock.ts";
import { TransportError } from "./errors.ts";
import type { Frame } from "./frames.ts";
import { withArticle } from "./_kind_of.ts";
import { ENDED, type Outcome, REFUSED } from "./_serializer_answer.ts";

/** One asynchronous serialization under the `sendTimeoutMs` watch. */
export interface Serializing {
  /** For the report, should it not answer. */
  readonly frameType: Frame["type"];
  /** The clock's time it is given up at (set by {@linkcode SerializingWatchdog.watch}). */
  deadline: number;
  /** Set once it is settled: by its answer, by the bound, or by the session's end. */
  settled: boolean;
  /** Settles what the sender waits on. */
  readonly settle: (outcome: Outcome) => void;
}

/** Options for {@linkcode SerializingWatchdog}. */
export interface SerializingWatchdogOptions {
  /** Times the bound. */
  clock: Clock;
  /** Aborted when the session is over: every answer still awaited is settled `ENDED`. */
  signal: AbortSignal;
  /** How long an answer may take. */
  sendTimeoutMs: number;
  /** The serializer's name, for the report. */
  serializerName: string;
  /**
   * Whether the socket is closing from this side (`close()`, a cancel's close, a fatal error's):
   * an answer past its bound then could not have left anyway, so it is no failure to report.
   */
  closing: () => boolean;
  /**
   * Takes the report of an answer that did not come in time (fatal: the session ends with it),
   * before the frame is settled `REFUSED`; the caller counts the frame as one not encoded.
   */
  onOverdue: (error: TransportError) => void;
}

/**
 * Watches an outbound path's asynchronous serializations: one not settled in `sendTimeoutMs` is
 * given up (`REFUSED`, reported through `onOverdue`), and at the session's end each one left is
 * settled `ENDED`. Until an answer comes nothing queued after it leaves, so the session could not
 * go on without the far end losing or reordering it.
 */
export class SerializingWatchdog {
  readonly #clock: Clock;
  readonly #signal: AbortSignal;
  readonly #sendTimeoutMs: number;
  readonly #serializerName: string;
  readonly #onOverdue: (error: TransportError) => void;
  readonly #closing: () => boolean;
  /**
   * The asynchronous serializations not settled yet (some may have since), oldest first, all
   * under the one timer (made at the first).
   */
  readonly #serializing: Serializing[] = [];
  #watch: ClockTimer | undefined;

  /** Makes the watchdog for one session; it makes no timer until it has something to watch. */
  constructor(options: SerializingWatchdogOptions) {
    this.#clock = options.clock;
    this.#signal = options.signal;
    this.#sendTimeoutMs = options.sendTimeoutMs;
    this.#serializerName = options.serializerName;
    this.#onOverdue = options.onOverdue;
    this.#closing = options.closing;
  }

  /** Puts an asynchronous serialization under the watch of the `sendTimeoutMs` bound. */
  watch(entry: Serializing): void {
    if (this.#signal.aborted) {
      // The session is over (an urgent frame sent after it): nothing of it can leave.
      entry.settled = true;
      entry.settle(ENDED);
      return;
    }
    let watch = this.#watch;
    if (watch === undefined) {
      watch = this.#watch = this.#clock.timer(this.#onDue);
      this.#signal.addEventListener("abort", this.#abandon, { once: true });
    }
    const now = this.#clock.now();
    entry.deadline = now + this.#sendTimeoutMs;
    this.#serializing.push(entry);
    // Armed for the oldest: an answer does not disarm it, the watch just finds it settled.
    if (!watch.armed) watch.arm(this.#sendTimeoutMs, now);
  }

  /** The watch is due: the oldest serialization still pending, past its bound, is given up. */
  #onDue = (): void => {
    // The closing handshake outlasts the bound (a far end slow to answer the close): what is due
    // never leaves now, dropped at the close as at the session's end, not a serializer's failure
    // (a fatal 1011 on a session closing with its own code, the frame counted not encoded).
    if (this.#closing()) return this.#abandon();
    const list = this.#serializing;
    const now = this.#clock.now();
    let head = 0;
    while (head < list.length && list[head]!.settled) head++;
    const oldest = list[head];
    if (oldest !== undefined && oldest.deadline <= now) {
      oldest.settled = true;
      head++;
      const message =
        `${this.#serializerName}: serialize did not answer ${withArticle(oldest.frameType)} ` +
        `frame within ${this.#sendTimeoutMs} ms (sendTimeoutMs)`;
      // Counted as a frame it could not encode; the session ends with it (which may abandon
      // the rest at once: this one is settled already, so it is not among them).
      this.#onOverdue(new TransportError("protocol", message, { closeCode: 1011, fatal: true }));
      oldest.settle(REFUSED);
      while (head < list.length && list[head]!.settled) head++;
    }
    list.splice(0, head);
    const next = list[0];
    if (next !== undefined) this.#watch!.arm(next.deadline - now, now);
  };

  /**
   * The session hangs up now (a `cancel`): what the serializer has not answered yet never leaves,
   * settled `ENDED` (dropped at the close, counted where its frame's drop is), its bound let go.
   * But an `end`'s: the serializer is told of the cancel and answers the goodbye it held itself
   * (Genesys sends its `disconnect` through its context; ConversationRelay makes its held `end`
   * the cancel's message, the end's own answer then lost at the close), within the bound.
   */
  dropDue(): void {
    for (const entry of this.#serializing) {
      if (entry.settled || entry.frameType === "end") continue;
      entry.settled = true;
      entry.settle(ENDED);
    }
  }

  /** The session ended: what the serializer has not answered yet is dropped at the close. */
  #abandon = (): void => {
    this.#watch?.cancel();
    for (const entry of this.#serializing) {
      if (entry.settled) continue;
      entry.settled = true;
      entry.settle(ENDED);
    }
    this.#serializing.length = 0;
  };
}
