/**
 * Bytes whose `ArrayBuffer` is theirs alone: what a session hands on (an inbound frame to its
 * reader, an outbound message to its socket) must not carry the codecs' shared slabs
 * (`_slab.ts`), where other sessions' audio lies next to it. A reader that sends `audio.buffer`
 * somewhere would send that audio too, and one that transfers it (`postMessage(audio,
 * [audio.buffer])`) would empty every other array on the slab.
 *
 * @module
 */

/**
 * `bytes` when they already span their whole `ArrayBuffer` (a message's own bytes, a fresh
 * array), else a copy that does. The copy is deliberate: one allocation per frame (about a
 * microsecond), the price of a buffer nobody else's audio shares.
 */
export function unsharedBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : bytes.slice();
}
