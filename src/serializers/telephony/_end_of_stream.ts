/**
 * {@linkcode EndOfStream}: what a Twilio-shaped serializer does with media, DTMF and marks that
 * arrive after the far end's end-of-stream message (`stop`).
 *
 * @module
 */

import type { SerializerContext } from "../../serializer.ts";
import { TransportError } from "../../errors.ts";

/**
 * Remembers that the far end ended its stream. The serializer turned that message into an `end`
 * frame, and no provider documents media after it, so a bot reading past `end` would meet audio
 * it cannot expect: later media, DTMF and marks are dropped, counted in
 * `stats.inboundAfterEnd`, and reported once per session (a "protocol" error), then only
 * counted. A new `start` opens a new stream and lets its messages through again.
 */
export class EndOfStream {
  #provider: string;
  #dropped: ReadonlySet<string>;
  #context: SerializerContext | undefined;
  #ended = false;
  #reported = false;

  /**
   * `provider` names the far end in the error; `dropped` are the events that carry the stream's
   * content (media, DTMF, mark echoes), the ones refused after its end.
   */
  constructor(provider: string, dropped: readonly string[] = ["media", "dtmf", "mark"]) {
    this.#provider = provider;
    this.#dropped = new Set(dropped);
  }

  /** Takes the transport's context, where drops are counted and the error reported. */
  bind(context: SerializerContext): void {
    this.#context = context;
  }

  /** The far end's `start`: a stream is open again. */
  started(): void {
    this.#ended = false;
  }

  /** The far end's end-of-stream message. */
  ended(): void {
    this.#ended = true;
  }

  /** True when an `event` message must be dropped because the stream already ended; counts it. */
  refuses(event: string): boolean {
    if (!this.#ended || !this.#dropped.has(event)) return false;
    this.#context?.count("inboundAfterEnd");
    if (!this.#reported) {
      this.#reported = true;
      this.#context?.report(
        new TransportError(
          "protocol",
          `${this.#provider}: "${event}" after the end of the stream: dropped, later ones ` +
            "counted in inboundAfterEnd",
        ),
      );
    }
    return true;
  }
}
