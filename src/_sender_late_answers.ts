/**
 * The outbound sender's cold path for a serializer that answers later (its `serialize` returns a
 * promise): each answer is bounded by `sendTimeoutMs` (`SerializingWatchdog`) and checked as it
 * comes, a late answer for audio that an interruption's clear overtook is dropped, counted, and
 * the urgent frames taken while an earlier one's answer is due, and all sent behind them, wait
 * for it (`UrgentLine`).
 * Nothing here runs for a chunk the serializer answers at once: the parts are made at the first
 * answer that comes later (see `OutboundSender`).
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import type { AudioFrame, Frame } from "./frames.ts";
import type { SerializedMessage } from "./serializer.ts";
import type { TransportStats } from "./transport_stats.ts";
import {
  audioBytesOf,
  ENDED,
  type Outcome,
  REFUSED,
  type Serialized,
} from "./_serializer_answer.ts";
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
  /** Whether the socket is closing from this side: nothing due leaves now (see the watchdog). */
  closing: () => boolean;
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
      closing: options.closing,
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

  /**
   * A `cancel` is taken: the answers still due (an audio chunk's, urgent messages', a mark's)
   * never leave, each settled `ENDED` and counted dropped at the close where its frame's drop is
   * counted (`audioBytesDroppedOnClose`, `framesDroppedOnClose`). Else, while the cancel's close
   * waits for the far end's answer (`closeTimeoutMs`, or a far end that closes itself: Genesys),
   * the bound on such an answer would report a frame the cancel dropped as one the serializer
   * failed: fatal, 1011, counted an encode error too. See `SerializingWatchdog.dropDue`.
   */
  dropDue(): void {
    this.#watchdog.dropDue();
  }
}

/**
 * The answer for `chunk`, come late or waiting behind urgent frames, never leaves: an
 * interruption's clear left first (after it, this audio would play on at the far end, what the
 * clear should have dropped, untracked: the timeline was cut), counted in `audioBytesInterrupted`;
 * or a cancel was taken (the session's end told the observers it never left), counted in
 * `audioBytesDroppedOnClose`. The serializer counted it in what its far end holds (`hold`), which
 * never sees it; its mark commands too: the far end must still answer them
 * (`FarEndHold.neverLeft`).
 */
export function dropUnsentAnswer(
  stats: TransportStats,
  counter: "audioBytesInterrupted" | "audioBytesDroppedOnClose",
  chunk: AudioFrame,
  messages: Serialized,
  hold: FarEndHold | undefined,
): void {
  stats[counter] += chunk.audio.length;
  hold?.neverLeft(audioBytesOf(messages), textMessages(messages));
}

/** The text messages among `messages` (a serializer's answer). */
function textMessages(messages: Serialized): string[] {
  if (typeof messages === "string") return [messages];
  return Array.isArray(messages) ? messages.filter((m) => typeof m === "string") : [];
}

/** An urgent frame's place in an {@linkcode UrgentLine}: its answer once it has come. */
interface UrgentPlace {
  /** The answer; `undefined` while it is due. */
  outcome: Outcome | undefined;
  /** Hands the answer to the socket (or counts it lost), in its turn. */
  readonly send: (outcome: Outcome) => void;
}

/**
 * The urgent frames taken while an asynchronous serializer's answer for an earlier one is due,
 * in the order taken: each leaves in its turn, once the answers before it have left. Urgent
 * frames are promised to leave in order (an urgent message answered slowly must not land after
 * a later one, nor a serializer that numbers its messages, Genesys's, see its numbers out of
 * order), and what is sent meanwhile leaves behind them ({@linkcode behind}), as it would behind
 * an urgent frame answered at once; the serializer's own messages (its context's `send`) after
 * all taken before them ({@linkcode own}). Every answer in it settles (`LateAnswers.of`: the
 * answer, a rejection, its `sendTimeoutMs` bound or the session's end), so the line always
 * drains: a stalled answer holds the rest no longer than its bound. Made only where an urgent
 * answer comes later, and let go once drained: nothing of it on a session whose urgent frames are
 * answered at once, nor per audio chunk.
 */
export class UrgentLine {
  readonly #places: UrgentPlace[] = [];
  /** The sends waiting for the line to drain, in the order they came. */
  readonly #behind: (() => void)[] = [];
  readonly #onDrained: () => void;
  #drained = false;

  /** `onDrained`: told once every answer in the line has left (it is then done with). */
  constructor(onDrained: () => void) {
    this.#onDrained = onDrained;
  }

  /**
   * Takes an urgent frame's answer, now or later, to be handed to `send` in its turn: at once
   * where nothing is ahead of it and it has come.
   */
  take(answer: Outcome | Promise<Outcome>, send: (outcome: Outcome) => void): void {
    const place: UrgentPlace = { outcome: undefined, send };
    this.#places.push(place);
    if (!(answer instanceof Promise)) {
      place.outcome = answer;
      return this.#release();
    }
    void answer.then((outcome) => {
      if (place.outcome !== undefined) return; // dropped already (`dropDue`)
      place.outcome = outcome;
      this.#release();
    });
  }

  /**
   * Takes a message the serializer sends of its own (its context's `send`) while the line holds
   * answers: it leaves after all taken before it, and the serializer's messages in the order it
   * made them (its numbers, Genesys's): behind the sends waiting for the line where any waits (a
   * frame answered at once behind it, whose message the serializer made first), else at the
   * line's end, as an urgent frame answered at once. Never ahead of an answer it came after (a
   * wrapper's inner serializer returns one frame's message and sends the next one's so).
   */
  own(send: () => void): void {
    if (this.#behind.length > 0) this.#behind.push(send);
    else this.take(null, send);
  }

  /**
   * Runs `send` once every urgent answer in the line has left: what was taken after them. The
   * sends waiting run in the order they came, in the one turn the line drains in (a promise each
   * would order them by how many steps each took to come here, not by when they came); at once
   * where the line has drained already (an answer that came later than the line's).
   */
  behind<T>(send: () => T): T | Promise<Awaited<T>> {
    if (this.#drained) return send();
    return new Promise((settle, fail) => {
      this.#behind.push(() => {
        try {
          settle(send() as Awaited<T>);
        } catch (cause) {
          fail(cause);
        }
      });
    });
  }

  /**
   * The session hangs up now (a `cancel`): the urgent frames whose answers are still due never
   * leave (each handed `ENDED`, counted dropped at the close, as at the session's end; its answer,
   * should it come, finds its place gone), and the line drains at once: the answers that have come
   * and the sends behind them go in order, ahead of the cancel.
   */
  dropDue(): void {
    // Their bounds are let go with every answer due (`LateAnswers.dropDue`).
    for (const place of this.#places) if (place.outcome === undefined) place.outcome = ENDED;
    this.#release();
  }

  /**
   * Hands on the answers that have come at the line's head, in order; once none is left, the
   * sends behind them. A send that takes another urgent frame (an error listener's) puts it at
   * the line's end: the loop reaches it in its turn.
   */
  #release(): void {
    const places = this.#places;
    while (places.length > 0 && places[0]!.outcome !== undefined) {
      const place = places.shift()!;
      place.send(place.outcome!);
    }
    // Once: a send's listener that took a frame may have drained the line in its own turn.
    if (places.length > 0 || this.#drained) return;
    this.#drained = true;
    this.#onDrained();
    for (const send of this.#behind) send();
    this.#behind.length = 0;
  }
}
