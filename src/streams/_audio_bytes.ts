/**
 * The check the building-block streams, their push-style cores and the speech detector make of an
 * audio frame's bytes, as the transport's `send` does: from JavaScript an `ArrayBuffer` or a string
 * can be written as `audio`, and what cuts, times or measures audio by its `length` would take the
 * first for nothing (it has none), silently, and the second for bytes.
 *
 * @module
 */

import type { AudioFrame } from "../frames.ts";
import { kindOf } from "../_kind_of.ts";

/** Throws a `TypeError` naming what `frame.audio` is, when it is not a `Uint8Array`. */
export function assertAudioBytes(frame: AudioFrame): void {
  assertBytes(frame.audio, "audio frame's audio");
}

/**
 * Throws a `TypeError` naming what `bytes` (called `what` in the message) is, when it is not a
 * `Uint8Array`: the check of the push-style cores, whose bytes plain JavaScript may pass as well.
 */
export function assertBytes(bytes: unknown, what: string): void {
  if (bytes instanceof Uint8Array) return;
  throw new TypeError(`${what} is ${kindOf(bytes)}, not a Uint8Array`);
}
