/**
 * {@linkcode WholeFrames}: encoded audio out in whole frames only, for a far end that drops what
 * does not fill a frame (Asterisk's `chan_websocket`) or takes one frame per message (Vonage's
 * 20 ms messages). Internal to the serializers.
 *
 * @module
 */

/**
 * Cuts a stream of encoded audio into messages of whole frames, keeping the partial frame at the
 * end for the next audio. Consecutive whole frames leave as one message (a view of the caller's
 * bytes, no copy), at most `maxMessageBytes` long, or each frame as a message of its own without
 * it; a frame that straddles two pushes is copied once, deliberately, into a buffer of its own.
 */
export class WholeFrames {
  #frameBytes: number;
  #maxMessageBytes: number | undefined;
  /** The partial frame waiting for more audio. */
  #held: Uint8Array;
  #heldBytes = 0;

  /**
   * Cuts `frameBytes`-byte frames into messages of at most `maxMessageBytes` (but at least one
   * frame), or of one frame each when it is not given (a limit in frames, which holds across
   * {@linkcode WholeFrames.resize}).
   */
  constructor(frameBytes: number, maxMessageBytes?: number) {
    this.#frameBytes = frameBytes;
    this.#maxMessageBytes = maxMessageBytes;
    this.#held = new Uint8Array(frameBytes);
  }

  /** Bytes in one frame. */
  get frameBytes(): number {
    return this.#frameBytes;
  }

  /** Bytes held back, waiting for the rest of their frame. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /**
   * Changes the frame size (a new format). Returns the partial frame that was held (a copy, empty
   * when none): it is in the old format, so the caller converts it ({@linkcode WholeFrames.carry})
   * or counts it as dropped, never loses it unseen.
   */
  resize(frameBytes: number): Uint8Array {
    const held = this.#held.slice(0, this.#heldBytes);
    this.#frameBytes = frameBytes;
    this.#held = new Uint8Array(frameBytes);
    this.#heldBytes = 0;
    return held;
  }

  /**
   * Holds `bytes` (in the current format, at most one frame) in front of the next audio: what
   * {@linkcode WholeFrames.resize} returned, converted. A whole frame held leaves with the next
   * `push` or `pad`. A `RangeError` when it would not fit beside what is already held.
   */
  carry(bytes: Uint8Array): void {
    const room = this.#frameBytes - this.#heldBytes;
    if (bytes.length > room) {
      throw new RangeError(`cannot carry ${bytes.length} bytes: ${room} left in the frame`);
    }
    this.#held.set(bytes, this.#heldBytes);
    this.#heldBytes += bytes.length;
  }

  /** Adds encoded audio; returns the messages of whole frames now complete. */
  push(bytes: Uint8Array): Uint8Array[] {
    const size = this.#frameBytes;
    const out: Uint8Array[] = [];
    let offset = 0;
    if (this.#heldBytes > 0) {
      offset = Math.min(size - this.#heldBytes, bytes.length);
      this.#held.set(bytes.subarray(0, offset), this.#heldBytes);
      this.#heldBytes += offset;
      if (this.#heldBytes < size) return out;
      out.push(this.#held.slice());
      this.#heldBytes = 0;
    }
    const wholeEnd = offset + Math.floor((bytes.length - offset) / size) * size;
    const perMessage = this.#maxMessageBytes === undefined
      ? size
      : Math.max(size, Math.floor(this.#maxMessageBytes / size) * size);
    for (let at = offset; at < wholeEnd; at += perMessage) {
      out.push(bytes.subarray(at, Math.min(at + perMessage, wholeEnd)));
    }
    if (wholeEnd < bytes.length) {
      this.#held.set(bytes.subarray(wholeEnd), 0);
      this.#heldBytes = bytes.length - wholeEnd;
    }
    return out;
  }

  /** The held partial frame filled up with `padByte` (silence), or `null` when none is held. */
  pad(padByte: number): Uint8Array | null {
    if (this.#heldBytes === 0) return null;
    const frame = this.#held.slice();
    frame.fill(padByte, this.#heldBytes);
    this.#heldBytes = 0;
    return frame;
  }

  /** Drops the held partial frame (interruption); returns how many bytes it held. */
  clear(): number {
    const dropped = this.#heldBytes;
    this.#heldBytes = 0;
    return dropped;
  }
}
