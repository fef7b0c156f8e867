/**
 * {@linkcode RefusedFormat}: a stream whose `start` names a format we cannot decode.
 *
 * @module
 */

import type { SerializerContext } from "../../serializer.ts";
import { TransportError } from "../../errors.ts";
import { thrownText } from "../../_thrown_text.ts";

/**
 * Remembers whether the stream's media is refused: before its first `start`, where the serializer
 * awaits one ({@linkcode RefusedFormat.refuseUntilStart}), or after a `start` that named a format
 * we refused. Its media, decoded in a guessed format or the one before, would be noise: each
 * media message is refused instead until a `start` we decode. A refused `start` is refused too,
 * its ids read first, so the stream can still be addressed and the call hung up.
 */
export class RefusedFormat {
  /** The error the stream's media is refused with, or `undefined` while it is decoded. */
  #refusal: string | undefined;
  /** Whether the refusal was reported: the media after the first is only counted. */
  #reported = false;
  #context: SerializerContext | undefined;

  /** Takes the transport's context, where refused media after the first is counted. */
  bind(context: SerializerContext): void {
    this.#context = context;
  }

  /**
   * Refuses the media that comes before the stream's first `start`, for a serializer that awaits
   * one (`awaitsStart`: no stream id given). Twilio documents the order ("Media Streams -
   * WebSocket Messages": `connected`, then `start`, "sent immediately after", then `media`), as
   * do Plivo and Exotel, whose streams copy it; and the `start` names the stream's format. Media
   * before it belongs to no stream the serializer can address, in a format not known yet.
   * `streamIdOption` names the serializer's option that gives it its stream id: the error says
   * what to do where the far end sends no start at all (a Twilio-compatible platform that skips
   * it would otherwise lose every packet of its audio).
   */
  refuseUntilStart(provider: string, streamIdOption: string): void {
    this.#refusal = `${provider}: media before the stream's start message is dropped (its ` +
      "format and stream are not known yet; reported once, each counted in decodeErrors). A far " +
      `end that sends no start: give the serializer its \`${streamIdOption}\` option (and its ` +
      "format's options, where not the default)";
  }

  /** Applies a `start`'s format with `configure`; a throw refuses the media after it, then goes on. */
  apply(configure: () => void): void {
    this.#refusal = undefined;
    this.#reported = false;
    try {
      configure();
    } catch (error) {
      const why = error instanceof TransportError ? error.message : thrownText(error);
      this.#refusal = `${why}: its media is refused (reported once, each counted in decodeErrors)`;
      throw error;
    }
  }

  /**
   * Whether a media message must be dropped while the stream's media is refused. The first
   * throws its decode error (the transport counts and reports it); the rest, one every 20 ms for
   * the rest of the call, are counted in `decodeErrors` and not reported again. Without a
   * context, where nothing would count them, each throws.
   */
  refusesMedia(): boolean {
    if (this.#refusal === undefined) return false;
    if (!this.#reported || this.#context === undefined) {
      this.#reported = true;
      throw new TransportError("decode", this.#refusal);
    }
    this.#context.count("decodeErrors");
    return true;
  }
}
