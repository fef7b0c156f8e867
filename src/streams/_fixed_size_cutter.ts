/**
 * The routine `AudioChunker` and `Packetizer` share: cut a stream of bytes into pieces of one
 * size, keeping the remainder across pushes.
 *
 * @module
 */

/**
 * The largest piece whose remainder buffer is allocated whole at its first byte: one allocation,
 * and no copy as it fills, for the sizes streams cut (40 ms of 48 kHz stereo is 7,680 bytes, a
 * 640-byte packet is common). A larger piece's buffer grows as bytes come instead.
 */
const WHOLE_AT_ONCE_BYTES = 64 * 1024;

/**
 * Cuts bytes into pieces of a fixed size. Buffer ownership: pieces that lie whole inside one
 * push are `subarray` views of the caller's bytes, valid while the caller leaves them alone
 * (whoever keeps a piece past the push copies it: the transport does for queued audio); a piece
 * that straddles two pushes, and the remainder held between pushes, are in buffers of the
 * cutter's own, so the caller may reuse its buffer once `push` returns.
 *
 * The remainder's buffer follows the bytes held, not the size asked for: up to
 * {@linkcode WHOLE_AT_ONCE_BYTES} a piece's buffer is allocated whole; past it the buffer starts at
 * what is held and doubles as bytes come, never past one piece. A size of an hour of 48 kHz
 * stereo (691 MB) costs nothing until its audio comes, and then what came (at most twice that).
 */
export class FixedSizeCutter {
  /** The remainder's buffer: the held bytes at its start, at most one piece long. */
  #pending: Uint8Array | null = null;
  #pendingBytes = 0;

  /** Bytes held back, waiting for the rest of their piece. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Adds bytes; calls `emit` for every whole piece of `size` bytes now available. */
  push(bytes: Uint8Array, size: number, emit: (piece: Uint8Array) => void): void {
    let offset = 0;
    if (this.#pendingBytes > 0) {
      const take = Math.min(size - this.#pendingBytes, bytes.length);
      const pending = this.#roomFor(this.#pendingBytes + take, size);
      pending.set(bytes.subarray(0, take), this.#pendingBytes);
      this.#pendingBytes += take;
      offset = take;
      if (this.#pendingBytes < size) return;
      // Whole: room for `size` bytes is a buffer of exactly `size` (it never grows past one).
      this.#pending = null;
      this.#pendingBytes = 0;
      emit(pending);
    }
    if (offset === 0 && bytes.length === size) {
      // Exactly one piece (a real-time bot's frame the size of a chunk): the bytes as given, no view.
      emit(bytes);
      return;
    }
    while (bytes.length - offset >= size) {
      emit(bytes.subarray(offset, offset + size));
      offset += size;
    }
    if (offset < bytes.length) {
      // Deliberate copy: the remainder outlives this call, and the caller's buffer may not.
      this.#roomFor(bytes.length - offset, size).set(bytes.subarray(offset));
      this.#pendingBytes = bytes.length - offset;
    }
  }

  /**
   * The remainder's buffer, with room for `needed` bytes (at most `size`), the bytes held kept at
   * its start: the one held when it has that room, else a larger one (see the class).
   */
  #roomFor(needed: number, size: number): Uint8Array {
    const held = this.#pending;
    if (held !== null && held.length >= needed) return held;
    const capacity = size <= WHOLE_AT_ONCE_BYTES
      ? size
      : Math.min(size, Math.max(needed, WHOLE_AT_ONCE_BYTES, 2 * (held?.length ?? 0)));
    const grown = new Uint8Array(capacity);
    if (held !== null) grown.set(held.subarray(0, this.#pendingBytes));
    this.#pending = grown;
    return grown;
  }

  /**
   * Takes the held remainder: the buffer it sits at the start of (at least `bytes` long, at most
   * one piece: a large piece's remainder is in a buffer the size of what was held), and how many
   * bytes of it are held; `null` when nothing is.
   */
  take(): { buffer: Uint8Array; bytes: number } | null {
    if (this.#pendingBytes === 0) return null;
    const taken = { buffer: this.#pending!, bytes: this.#pendingBytes };
    this.#pending = null;
    this.#pendingBytes = 0;
    return taken;
  }
}
