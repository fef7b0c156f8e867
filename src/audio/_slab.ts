/**
 * Output arrays for the codecs and the resampler, cut from shared 16 KB slabs instead of each
 * allocated on its own.
 *
 * Why: V8 gives a typed array of more than 64 bytes its own off-heap backing store; measured on
 * this machine, `new Int16Array(160)` (20 ms at 8 kHz) costs 0.3–1.6 µs, as much as resampling
 * the chunk, while a view on an existing buffer costs 20 ns. Every array handed out is a fresh,
 * zeroed range that is never handed out again, so the caller owns it as before; it only shares
 * its `ArrayBuffer` with neighbours (so it must not be transferred or detached; `slice()` it for
 * that), and a slab lives as long as any of its arrays does.
 *
 * The slabs are the process's, so the neighbours are other sessions' audio: an array from here
 * is for a step the library reads at once (a resampler's output on its way to the encoder), or a
 * public codec's result that its caller was told about. Never for what a session hands on to a
 * reader or a socket: an inbound frame or an outbound message gets a buffer of its own
 * (`_unshared.ts`), so that its `buffer` holds nobody else's audio and transferring it harms
 * no other frame.
 *
 * @module
 */

const SLAB_BYTES = 16384;
/** Larger requests get their own buffer: a slab would hold few of them. */
const LARGEST = SLAB_BYTES / 4;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/** Byte offset of a fresh range of `bytes` bytes, 2-aligned, in `slab`. */
function take(bytes: number): number {
  let at = (used + 1) & ~1;
  // A slab someone transferred despite the rule reads 0 bytes long: start a new one, or every
  // session's codecs would throw until the old one's 16 KB were used up.
  if (at + bytes > SLAB_BYTES || slab.byteLength === 0) {
    slab = new ArrayBuffer(SLAB_BYTES);
    at = 0;
  }
  used = at + bytes;
  return at;
}

/** A new, zeroed `Int16Array` of `length` samples. */
export function newInt16Array(length: number): Int16Array {
  if (2 * length > LARGEST) return new Int16Array(length);
  const at = take(2 * length);
  return new Int16Array(slab, at, length);
}

/** A new, zeroed `Uint8Array` of `length` bytes. */
export function newUint8Array(length: number): Uint8Array {
  if (length > LARGEST) return new Uint8Array(length);
  const at = take(length);
  return new Uint8Array(slab, at, length);
}
