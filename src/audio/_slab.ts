/**
 * Output arrays for the codecs and the resampler, cut from slabs the whole process shares
 * (`_owned_slab.ts`: the process is their one owner) instead of each allocated on its own.
 *
 * The neighbours of an array from here are other sessions' audio: it is for a step the library
 * reads at once (a resampler's output on its way to the encoder or a session's frame), or a
 * public codec's result that its caller was told about. Never for what a session hands on to a
 * reader or a socket: an inbound frame or an outbound message is cut from its session's own slab
 * (`TelephonyAudio`, `ProtobufSerializer`), so its `buffer` holds no other call's audio and
 * transferring it harms no other call.
 *
 * @module
 */

import { OwnedSlab } from "./_owned_slab.ts";

const processSlab = new OwnedSlab();

/** A new, zeroed `Int16Array` of `length` samples. */
export function newInt16Array(length: number): Int16Array {
  return processSlab.int16Array(length);
}

/** A new, zeroed `Uint8Array` of `length` bytes. */
export function newUint8Array(length: number): Uint8Array {
  return processSlab.uint8Array(length);
}
