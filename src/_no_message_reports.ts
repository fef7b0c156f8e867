/**
 * What becomes of a frame the serializer answered with no message, and sent none for through its
 * context: nothing lost for the frames that mean "tell the far end if you can", a counted and
 * reported drop for the rest, reported once per frame type a session.
 *
 * @module
 */

import { TransportError } from "./errors.ts";
import type { Frame } from "./frames.ts";
import type { TransportStats } from "./transport_stats.ts";

/** Options for {@linkcode NoMessageReports}. */
export interface NoMessageReportsOptions {
  /** Counts a dropped frame in `encodeErrors`. */
  stats: TransportStats;
  /** The serializer's name, for the report. */
  serializerName: string;
  /** Takes the report. */
  onError: (error: TransportError) => void;
}

/** Counts and reports, for one session, the frames the protocol has no message for. */
export class NoMessageReports {
  readonly #stats: TransportStats;
  readonly #serializerName: string;
  readonly #onError: (error: TransportError) => void;
  /** The frame types the protocol had no message for, each reported once. */
  readonly #unsentTypes = new Set<string>();

  /** Makes the reports of one session. */
  constructor(options: NoMessageReportsOptions) {
    this.#stats = options.stats;
    this.#serializerName = options.serializerName;
    this.#onError = options.onError;
  }

  /**
   * The serializer answered `frame` with `null` and sent nothing through its context. For an
   * `interruption` that means the far end cannot be told to drop what it holds (the transport
   * reads it so), for an `end` or `cancel` that no message says it (the socket's close does, or
   * a hang-up by REST): nothing is lost.
   * Any other frame the protocol has no message for is dropped: counted in `encodeErrors` and
   * reported once per frame type per session, unless the serializer counted it itself
   * (`counted`: that counter before; jambonz's refused marks).
   */
  noMessage(frame: Frame, counted: number): void {
    const type = frame.type;
    if (type === "interruption" || type === "end" || type === "cancel") return;
    if (this.#stats.encodeErrors !== counted) return;
    this.#stats.encodeErrors++;
    if (this.#unsentTypes.has(type)) return;
    this.#unsentTypes.add(type);
    const message =
      `${this.#serializerName}: no message for a ${type} frame on this protocol: dropped`;
    this.#onError(new TransportError("encode", message));
  }
}
