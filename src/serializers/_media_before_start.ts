/**
 * {@linkcode MediaBeforeStart}: media a Twilio-shaped far end sends before its `start` message.
 *
 * @module
 */

import type { SerializerContext } from "../serializer.ts";
import { TransportError } from "../errors.ts";

/**
 * Refuses media that comes before the stream's `start`. Twilio documents the order ("Media Streams
 * - WebSocket Messages": `connected`, then `start`, "sent immediately after", then `media`), as do
 * Plivo and Exotel, whose streams copy it; and the `start` is what names the stream's format
 * (`mediaFormat`: μ-law or L16, 8 to 24 kHz). Media before it, decoded in a guessed format, is
 * noise the moment the start names another, and belongs to no stream the serializer can address.
 * So it is dropped: the first throws a "decode" error (the transport counts and reports it), the
 * rest are counted in `decodeErrors`, not reported again. A serializer given its stream id (a
 * start consumed elsewhere) awaits no start, and its media is decoded in the options' format.
 */
export class MediaBeforeStart {
  readonly #provider: string;
  readonly #streamIdOption: string;
  #reported = false;
  #context: SerializerContext | undefined;

  /**
   * `provider` names the far end in the error, `streamIdOption` the serializer's option that
   * gives it its stream id: the error says what to do where the far end sends no start at all (a
   * Twilio-compatible platform that skips it would otherwise lose every packet of its audio).
   */
  constructor(provider: string, streamIdOption: string) {
    this.#provider = provider;
    this.#streamIdOption = streamIdOption;
  }

  /** Takes the transport's context, where drops after the first are counted. */
  bind(context: SerializerContext): void {
    this.#context = context;
  }

  /**
   * Whether a media message must be dropped: `awaitingStart`, the serializer's `awaitsStart`.
   * Without a context, where nothing would count them, each throws.
   */
  refuses(awaitingStart: boolean): boolean {
    if (!awaitingStart) return false;
    if (!this.#reported || this.#context === undefined) {
      this.#reported = true;
      throw new TransportError(
        "decode",
        `${this.#provider}: media before the stream's start message is dropped (its format and ` +
          "stream are not known yet; reported once, each counted in decodeErrors). A far end " +
          `that sends no start: give the serializer its \`${this.#streamIdOption}\` option ` +
          "(and its format's options, where not the default)",
      );
    }
    this.#context.count("decodeErrors");
    return true;
  }
}
