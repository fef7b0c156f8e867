/**
 * Arrays cut from 16 KB slabs of one owner's own: the process's codecs (`_slab.ts`), or one
 * session's inbound frames, or its outbound messages.
 *
 * Why: V8 gives a typed array of more than 64 bytes its own off-heap backing store; measured on
 * this machine, `new Int16Array(160)` (20 ms at 8 kHz) costs 0.3–1.6 µs, as much as resampling
 * the chunk and more than the transport spends on a frame, while a view on an existing buffer
 * costs 20 ns. Every array handed out is a fresh, zeroed range that is never handed out again, so
 * the caller owns it; it only shares its `ArrayBuffer` with the owner's other arrays, and a slab
 * lives as long as any of its arrays does.
 *
 * So whoever holds one array's `buffer` holds the owner's neighbouring arrays too, and whoever
 * transfers it (`postMessage(array, [array.buffer])`) empties them. A slab found transferred is
 * never cut from again: the owner's next array starts a new one, so a transfer never breaks what
 * comes after it.
 *
 * @module
 */

const SLAB_BYTES = 16384;
/** Larger requests get their own buffer: a slab would hold few of them. */
const LARGEST = SLAB_BYTES / 4;
/** Where an owner starts: reads 0 bytes long, as a transferred slab does, so never cut from. */
const NONE = new ArrayBuffer(0);

/** The slabs one owner's arrays are cut from; see the module description. */
export class OwnedSlab {
  // Allocated at the first array: a session that never decodes (or never encodes) costs none.
  #slab: ArrayBuffer = NONE;
  #used = 0;

  /** Byte offset of a fresh range of `bytes` bytes, 2-aligned, in the current slab. */
  #take(bytes: number): number {
    let at = (this.#used + 1) & ~1;
    const size = this.#slab.byteLength;
    // 0 bytes long: none yet, or transferred (despite the documentation) and detached.
    if (size === 0 || at + bytes > size) {
      this.#slab = new ArrayBuffer(SLAB_BYTES);
      at = 0;
    }
    this.#used = at + bytes;
    return at;
  }

  /**
   * Lets go of the current slab (its owner is done with it: a session over): the arrays cut from
   * it stay their holders', and the slab lives as long as they do; the next array starts a new one.
   */
  release(): void {
    this.#slab = NONE;
    this.#used = 0;
  }

  /** A new, zeroed `Int16Array` of `length` samples. */
  int16Array(length: number): Int16Array {
    if (2 * length > LARGEST) return new Int16Array(length);
    const at = this.#take(2 * length);
    return new Int16Array(this.#slab, at, length);
  }

  /** A new, zeroed `Uint8Array` of `length` bytes. */
  uint8Array(length: number): Uint8Array {
    if (length > LARGEST) return new Uint8Array(length);
    const at = this.#take(length);
    return new Uint8Array(this.#slab, at, length);
  }

  /**
   * `bytes` when their buffer holds nobody else's bytes (cut from this owner's current slab, or
   * all of a buffer of their own, such as a message's), else a copy cut from this owner's slab.
   */
  own(bytes: Uint8Array): Uint8Array {
    const buffer = bytes.buffer;
    if (
      buffer === this.#slab ||
      (bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength)
    ) {
      return bytes;
    }
    const copy = this.uint8Array(bytes.length);
    copy.set(bytes);
    return copy;
  }
}
