/**
 * {@linkcode RefusedFormat}: a stream whose `start` names a format we cannot decode.
 *
 * @module
 */

import { TransportError } from "../../errors.ts";
import { thrownText } from "../../_thrown_text.ts";

/**
 * Remembers whether the last `start` named a format we refused. Its media, decoded in the format
 * before it, would be noise: each media message is refused instead (a decode error, counted)
 * until a `start` we decode. The `start` itself is refused too, its ids read first, so the stream
 * can still be addressed and the call hung up.
 */
export class RefusedFormat {
  /** Why the stream's media is refused (the start's error), or `undefined`. */
  #why: string | undefined;

  /** Applies a `start`'s format with `configure`; a throw refuses the media after it, then goes on. */
  apply(configure: () => void): void {
    this.#why = undefined;
    try {
      configure();
    } catch (error) {
      this.#why = error instanceof TransportError ? error.message : thrownText(error);
      throw error;
    }
  }

  /** Throws the decode error for a media message while the stream's format is refused. */
  checkMedia(): void {
    if (this.#why !== undefined) {
      throw new TransportError("decode", `${this.#why}: its media is refused`);
    }
  }
}
