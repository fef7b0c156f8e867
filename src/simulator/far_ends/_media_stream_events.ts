/**
 * The far end's side of the message set that Twilio Media Streams defined and the bidirectional
 * streams of Telnyx and Exotel repeat: JSON events numbered by a per-stream sequence, the
 * caller's audio in chunks counted from 1 and timed from the stream's start, and from the bot
 * only `media` (played), `mark` (echoed once the audio before it has played) and `clear`. Each
 * platform's field names, message layouts, codecs and limits stay in its own file (`twilio.ts`,
 * `telnyx.ts`, `exotel.ts`); this holds what the three do alike. Written from the platforms'
 * documentation, apart from the serializers under test.
 *
 * @module
 */

import { fromBase64 } from "../_base64.ts";
import type { FarEndContext, MarkOnClear } from "../far_end.ts";
import { type Json, objectAt, readEvent } from "./_json_events.ts";

/** How one platform spells the shared message set, and what it does with the bot's audio. */
export interface MediaStreamWire {
  /** The rule prefix (`"twilio"`). */
  protocol: string;
  /** The platform as violations name it (`"Twilio"`). */
  name: string;
  /** The sequence number's key (`"sequenceNumber"`, `"sequence_number"`). */
  sequenceKey: string;
  /** The stream id's key (`"streamSid"`, `"stream_sid"`, `"stream_id"`). */
  streamKey: string;
  /** The stream's id. */
  streamId: string;
  /** Whether the bot's messages must carry the stream's id (reported as `PROTOCOL.stream-sid`). */
  checkStreamId: boolean;
  /** What becomes of a mark queued behind audio the bot clears. */
  markOnClear: MarkOnClear;
  /** The platform's error code for a malformed or unexpected message, put before the detail. */
  errorCode?: string;
  /** The caller's frame, in ms: the `timestamp` step from one outgoing chunk to the next. */
  chunkMs: number;
  /** Plays the bytes of one `media` message from the bot, after the platform's own checks. */
  onMedia(bytes: Uint8Array): void;
}

/** Numbers the far end's events and sorts the bot's messages into clear, mark and media. */
export class MediaStreamEvents {
  readonly #context: FarEndContext;
  readonly #wire: MediaStreamWire;
  #sequence = 0;
  #chunk = 0;

  constructor(context: FarEndContext, wire: MediaStreamWire) {
    this.#context = context;
    this.#wire = wire;
  }

  /** The next sequence number, as the string the platforms send. */
  nextSequence(): string {
    return String(++this.#sequence);
  }

  /** The next outgoing media chunk's `chunk` and `timestamp` (both strings on the wire). */
  nextChunk(): { chunk: string; timestamp: string } {
    const chunk = ++this.#chunk;
    return { chunk: String(chunk), timestamp: String((chunk - 1) * this.#wire.chunkMs) };
  }

  /** Sends one event to the bot. */
  send(message: Json): void {
    this.#context.send(JSON.stringify(message));
  }

  /** One message from the bot. */
  receive(data: string | Uint8Array): void {
    const context = this.#context;
    const wire = this.#wire;
    const message = readEvent(data, context, wire.protocol);
    if (!message) return;
    const { event } = message;
    if (event !== "media" && event !== "mark" && event !== "clear") {
      return this.#violation(
        "unknown-event",
        `${wire.name} takes media, mark and clear, not "${event}"`,
      );
    }
    if (wire.checkStreamId && message[wire.streamKey] !== wire.streamId) {
      return this.#violation(
        "stream-sid",
        `${event} for stream ${String(message[wire.streamKey])}, not ${wire.streamId}`,
      );
    }
    if (event === "clear") return context.clear();
    if (event === "mark") {
      const name = objectAt(message, "mark")?.name;
      if (typeof name !== "string") return this.#violation("bad-mark", "mark without mark.name");
      // The three echo a played mark alike: event, sequence number, stream id, the mark.
      return context.mark(name, wire.markOnClear, () =>
        this.send({
          event: "mark",
          [wire.sequenceKey]: this.nextSequence(),
          [wire.streamKey]: wire.streamId,
          mark: { name },
        }));
    }
    const payload = objectAt(message, "media")?.payload;
    const bytes = typeof payload === "string" ? fromBase64(payload) : null;
    if (bytes === null) return this.#violation("bad-media", "media.payload is not base64");
    wire.onMedia(bytes);
  }

  #violation(rule: string, detail: string): void {
    const { protocol, errorCode } = this.#wire;
    this.#context.violation(
      `${protocol}.${rule}`,
      errorCode === undefined ? detail : `${errorCode}: ${detail}`,
    );
  }
}
