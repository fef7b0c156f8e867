/**
 * The check the building-block streams and the speech detector make of an audio frame's bytes, as
 * the transport's `send` does: from JavaScript an `ArrayBuffer` or a string can be written as
 * `audio`, and what cuts, times or measures audio by its `length` would take the first for nothing
 * (it has none), silently, and the second for bytes.
 *
 * @module
 */

import type { AudioFrame } from "../frames.ts";
import { kindOf } from "../_kind_of.ts";

/** Throws a `TypeError` naming what `frame.audio` is, when it is not a `Uint8Array`. */
export function assertAudioBytes(frame: AudioFrame): void {
  if (frame.audio instanceof Uint8Array) return;
  throw new TypeError(`audio frame's audio is ${kindOf(frame.audio)}, not a Uint8Array`);
}
