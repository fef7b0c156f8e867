/**
 * The outbound sender's cold path for a serializer that answers later (its `serialize` returns a
 * promise): each answer is bounded by `sendTimeoutMs` (`SerializingWatchdog`) and checked as it
 * comes, and a late answer for audio that an interruption's clear overtook is dropped, counted.
 * Nothing here runs for a chunk the serializer answers at once: the parts are made at the first
 * answer that comes later (see `OutboundSender`).
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import type { AudioFrame, Frame } from "./frames.ts";
import type { SerializedMessage } from "./serializer.ts";
import type { TransportStats } from "./transport_stats.ts";
import { audioBytesOf, type Outcome, REFUSED, type Serialized } from "./_serializer_answer.ts";
import { type Serializing, SerializingWatchdog } from "./_serializing_watchdog.ts";
import type { FarEndHold } from "./serializers/_far_end_holds.ts";

/** Options for {@linkcode LateAnswers}. */
export interface LateAnswersOptions {
  /** Times the bound. */
  clock: Clock;
  /** Aborted when the session is over: every answer still awaited is settled `ENDED`. */
  signal: AbortSignal;
  /** How long an answer may take. */
  sendTimeoutMs: number;
  /** The serializer's name, for the report. */
  serializerName: string;
  /** What the serializer answered, checked: `REFUSED` if it is no message (reported, counted). */
  checked: (result: unknown, frame: Frame) => Serialized | typeof REFUSED;
  /** Counts and reports a frame the serializer could not encode (its promise rejected, or late). */
  failed: (cause: unknown) => void;
}

/**
 * An asynchronous serializer's answers, bounded as a send waiting for the socket is: one that has
 * not come in `sendTimeoutMs` ends the session (a fatal "protocol" error, 1011, as for a set-up
 * that does not finish), the frame counted as one it could not encode; until then nothing queued
 * after it leaves, so the session could not go on without the far end losing or reordering it.
 * An answer after that, or after the session ended (the frame dropped at the close), is ignored:
 * it would leave out of order, and its frame is counted already.
 */
export class LateAnswers {
  readonly #watchdog: SerializingWatchdog;
  readonly #checked: LateAnswersOptions["checked"];
  readonly #failed: (cause: unknown) => void;

  /** Made at a session's first answer that comes later; one for the session. */
  constructor(options: LateAnswersOptions) {
    this.#checked = options.checked;
    this.#failed = options.failed;
    this.#watchdog = new SerializingWatchdog({
      clock: options.clock,
      signal: options.signal,
      sendTimeoutMs: options.sendTimeoutMs,
      serializerName: options.serializerName,
      // Counted as a frame it could not encode; the session ends with it.
      onOverdue: options.failed,
    });
  }

  /**
   * The serializer's messages for `frame` once `pending` settles, checked; `REFUSED` where it
   * rejects, answers no message or is given up, `ENDED` where the session ends first.
   */
  of(
    pending: Promise<SerializedMessage | SerializedMessage[] | null>,
    frame: Frame,
  ): Promise<Outcome> {
    return new Promise((settle) => {
      const entry: Serializing = { frameType: frame.type, deadline: 0, settled: false, settle };
      this.#watchdog.watch(entry);
      pending.then((messages) => {
        if (entry.settled) return; // too late: given up, counted
        entry.settled = true;
        settle(this.#checked(messages ?? null, frame));
      }, (cause) => {
        if (entry.settled) return;
        entry.settled = true;
        this.#failed(cause);
        settle(REFUSED);
      });
    });
  }
}

/**
 * The late answer for `chunk` came after an interruption's clear had left: after it, this audio
 * would play on at the far end (what the clear should have dropped), untracked (the timeline was
 * cut). Dropped, counted in `audioBytesInterrupted`. The serializer counted it in what its far
 * end holds (`hold`), which never sees it; its mark commands too: the far end must still answer
 * them (`FarEndHold.neverLeft`).
 */
export function dropClearedAnswer(
  stats: TransportStats,
  chunk: AudioFrame,
  messages: Serialized,
  hold: FarEndHold | undefined,
): void {
  stats.audioBytesInterrupted += chunk.audio.length;
  hold?.neverLeft(audioBytesOf(messages), textMessages(messages));
}

/** The text messages among `messages` (a serializer's answer). */
function textMessages(messages: Serialized): string[] {
  if (typeof messages === "string") return [messages];
  return Array.isArray(messages) ? messages.filter((m) => typeof m === "string") : [];
}
