/**
 * {@linkcode RefusedFormat}: a stream whose `start` names a format we cannot decode.
 *
 * @module
 */

import type { SerializerContext } from "../../serializer.ts";
import { TransportError } from "../../errors.ts";
import { thrownText } from "../../_thrown_text.ts";

/**
 * Remembers whether the last `start` named a format we refused. Its media, decoded in the format
 * before it, would be noise: each media message is refused instead until a `start` we decode. The
 * `start` itself is refused too, its ids read first, so the stream can still be addressed and the
 * call hung up.
 */
export class RefusedFormat {
  /** Why the stream's media is refused (the start's error), or `undefined`. */
  #why: string | undefined;
  /** Whether the refused start's media was reported: the rest are only counted. */
  #reported = false;
  #context: SerializerContext | undefined;

  /** Takes the transport's context, where refused media after the first is counted. */
  bind(context: SerializerContext): void {
    this.#context = context;
  }

  /** Applies a `start`'s format with `configure`; a throw refuses the media after it, then goes on. */
  apply(configure: () => void): void {
    this.#why = undefined;
    this.#reported = false;
    try {
      configure();
    } catch (error) {
      this.#why = error instanceof TransportError ? error.message : thrownText(error);
      throw error;
    }
  }

  /**
   * Whether a media message must be dropped while the stream's format is refused. The first after
   * a refused `start` throws its decode error (the transport counts and reports it); the rest,
   * one every 20 ms for the rest of the call, are counted in `decodeErrors` and not reported
   * again. Without a context, where nothing would count them, each throws.
   */
  refusesMedia(): boolean {
    if (this.#why === undefined) return false;
    if (!this.#reported || this.#context === undefined) {
      this.#reported = true;
      throw new TransportError(
        "decode",
        `${this.#why}: its media is refused (reported once, each counted in decodeErrors)`,
      );
    }
    this.#context.count("decodeErrors");
    return true;
  }
}
