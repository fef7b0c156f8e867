/**
 * The routine `AudioChunker` and `Packetizer` share: cut a stream of bytes into pieces of one
 * size, keeping the remainder across pushes.
 *
 * @module
 */

/**
 * Cuts bytes into pieces of a fixed size. Buffer ownership: pieces that lie whole inside one
 * push are `subarray` views of the caller's bytes, valid while the caller leaves them alone
 * (whoever keeps a piece past the push copies it: the transport does for queued audio); a piece
 * that straddles two pushes, and the remainder held between pushes, are in buffers of the
 * cutter's own, so the caller may reuse its buffer once `push` returns.
 */
export class FixedSizeCutter {
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
      const pending = this.#pending!;
      const take = Math.min(size - this.#pendingBytes, bytes.length);
      pending.set(bytes.subarray(0, take), this.#pendingBytes);
      this.#pendingBytes += take;
      offset = take;
      if (this.#pendingBytes < size) return;
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
      this.#pending = new Uint8Array(size);
      this.#pending.set(bytes.subarray(offset));
      this.#pendingBytes = bytes.length - offset;
    }
  }

  /**
   * Takes the held remainder: the whole piece-sized buffer it sits at the start of, and how many
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
