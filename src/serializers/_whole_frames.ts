/**
 * {@linkcode WholeFrames}: encoded audio out in whole frames only, for a far end that drops what
 * does not fill a frame (Asterisk's `chan_websocket`) or takes one frame per message (Vonage's
 * 20 ms messages). Internal to the serializers.
 *
 * @module
 */

/**
 * What fills the rest of a last frame: a byte that is silence in the encoding, or a function that
 * fills the bytes it is given with silence where no byte is (G.722, whose bytes play as the ones
 * before them let them: `TelephonyAudio.fillSilence` codes zeros on from its encoder's state).
 */
export type Silence = number | ((bytes: Uint8Array) => unknown);

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
  /** The silence the last {@linkcode WholeFrames.pad} (or `end`) filled its frame with. */
  #paddedBytes = 0;
  /** What the last {@linkcode WholeFrames.end} sent beyond the held audio: the tail and the padding. */
  #endExtraBytes = 0;
  /** How far the stream runs beyond its audio (see {@linkcode WholeFrames.spareBytes}). */
  #spareBytes = 0;

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
   * Bytes the partial frame held has room for before it is whole: 0 when none is held, what is
   * held ends on a frame's boundary (carried over a change of frame size), or the partial frame
   * holds nothing of the audio (no more than {@linkcode WholeFrames.spareBytes}): a stretch's
   * {@linkcode WholeFrames.end} drops it, so nothing is to join it.
   */
  get roomBytes(): number {
    const partial = this.#heldBytes % this.#frameBytes;
    return partial === 0 || partial <= this.#spareBytes ? 0 : this.#frameBytes - partial;
  }

  /**
   * Bytes by which the stream pushed and carried since the last padded frame (or clear, or change
   * of frame size) runs beyond its audio: a resampler's held-back end that a change of rate
   * carried over as speech (Vonage's), though its stream began with that much silence (primed,
   * see `TelephonyAudio`), so that what was sent is already as long as what was written. The
   * stream's last bytes are that much beyond its audio, wherever its frames now cut it; none
   * where nothing was so carried.
   */
  get spareBytes(): number {
    return this.#spareBytes;
  }

  /**
   * Drops the partial frame held where it lies wholly beyond the audio
   * ({@linkcode WholeFrames.spareBytes}: the audio ended in a whole frame before it); returns
   * whether it did. The whole frames held before it stay.
   */
  #dropSparePartial(): boolean {
    const partial = this.#heldBytes % this.#frameBytes;
    if (partial === 0 || partial > this.#spareBytes) return false;
    this.#heldBytes -= partial;
    return true;
  }

  /**
   * Bytes of silence the last {@linkcode WholeFrames.pad} (or {@linkcode WholeFrames.end}) added
   * to fill its last frame: they play after the audio, at the far end.
   */
  get paddedBytes(): number {
    return this.#paddedBytes;
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
    // Its spare bytes are the end of those handed back: the caller carries them again, converted.
    this.#spareBytes = 0;
    return held;
  }

  /**
   * Holds `bytes` (in the current format) in front of the next audio: what
   * {@linkcode WholeFrames.resize} returned, converted, with whatever else the old format still
   * owed (a resampler's held-back samples), so it may come to more than a frame. Its whole frames
   * leave with the next `push` or `pad`, the rest joins the next audio.
   */
  carry(bytes: Uint8Array): void {
    const need = this.#heldBytes + bytes.length;
    if (need > this.#held.length) {
      // Deliberate copy, once per format change: the buffer grows to whole frames.
      const grown = new Uint8Array(Math.ceil(need / this.#frameBytes) * this.#frameBytes);
      grown.set(this.#held.subarray(0, this.#heldBytes));
      this.#held = grown;
    }
    this.#held.set(bytes, this.#heldBytes);
    this.#heldBytes = need;
  }

  /**
   * The stream held and sent so far runs `bytes` further beyond its audio (see
   * {@linkcode WholeFrames.spareBytes}): what a change of format carried over as speech though
   * the stream already had its length.
   */
  runsBeyond(bytes: number): void {
    this.#spareBytes += bytes;
  }

  /** Adds encoded audio; returns the messages of whole frames now complete. */
  push(bytes: Uint8Array): Uint8Array[] {
    const size = this.#frameBytes;
    const perMessage = this.#maxMessageBytes === undefined
      ? size
      : Math.max(size, Math.floor(this.#maxMessageBytes / size) * size);
    const out: Uint8Array[] = [];
    let offset = 0;
    if (this.#heldBytes > 0) {
      // Fill the held audio up to its next frame boundary (none needed when what was carried
      // ends on one), then send its whole frames.
      const boundary = Math.ceil(this.#heldBytes / size) * size;
      offset = Math.min(boundary - this.#heldBytes, bytes.length);
      this.#held.set(bytes.subarray(0, offset), this.#heldBytes);
      this.#heldBytes += offset;
      const whole = Math.floor(this.#heldBytes / size) * size;
      for (let at = 0; at < whole; at += perMessage) {
        out.push(this.#held.slice(at, Math.min(at + perMessage, whole)));
      }
      if (whole < this.#heldBytes) {
        // `bytes` ran out before the boundary: the partial frame left waits at the front.
        this.#held.copyWithin(0, whole, this.#heldBytes);
        this.#heldBytes -= whole;
        return out;
      }
      this.#heldBytes = 0;
    }
    const wholeEnd = offset + Math.floor((bytes.length - offset) / size) * size;
    for (let at = offset; at < wholeEnd; at += perMessage) {
      out.push(bytes.subarray(at, Math.min(at + perMessage, wholeEnd)));
    }
    if (wholeEnd < bytes.length) {
      this.#held.set(bytes.subarray(wholeEnd), 0);
      this.#heldBytes = bytes.length - wholeEnd;
    }
    return out;
  }

  /**
   * The held audio as messages of whole frames, the last filled up with `silence`; none when
   * nothing is held. More than one frame only after a {@linkcode WholeFrames.carry}. A partial
   * frame that holds nothing of the audio (no more than {@linkcode WholeFrames.spareBytes}) is
   * dropped instead, as {@linkcode WholeFrames.end} drops it: padded, it would go as a frame of
   * its own, nearly all silence (a bot's mark after a reply that a rate change carried over).
   */
  pad(silence: Silence): Uint8Array[] {
    this.#paddedBytes = 0;
    this.#dropSparePartial();
    // Padded, the frame ends the stream: what ran beyond its audio is in it, the next begins anew.
    this.#spareBytes = 0;
    if (this.#heldBytes === 0) return [];
    const end = Math.ceil(this.#heldBytes / this.#frameBytes) * this.#frameBytes;
    const frames = this.#held.slice(0, end);
    if (typeof silence === "number") frames.fill(silence, this.#heldBytes);
    else silence(frames.subarray(this.#heldBytes));
    this.#paddedBytes = end - this.#heldBytes;
    this.#heldBytes = 0;
    return this.push(frames);
  }

  /**
   * A stretch of audio ends: `tail` (what a resampler still held of it, or `null`) goes after the
   * held bytes, and the last frame is filled up with `silence`, as {@linkcode WholeFrames.pad}
   * does; `null` when nothing is left to send. But a partial frame that holds nothing of the audio
   * ({@linkcode WholeFrames.spareBytes}: a resampler's end carried over a change of rate) is
   * dropped, and `tail` with it, as a resampler's end with no room in the last frame is (see
   * `TelephonyAudio.endOutbound`): the stream was already as long as its audio, and they would
   * go as a frame of their own, nearly all padding. The whole frames held before it still go.
   */
  end(tail: Uint8Array | null, silence: Silence): Uint8Array[] | null {
    if (this.#dropSparePartial()) tail = null;
    // Before the tail: what it and the audio come to is padded, never dropped as beyond it.
    this.#spareBytes = 0;
    const frames = tail === null ? [] : this.push(tail);
    frames.push(...this.pad(silence));
    this.#endExtraBytes = (tail?.length ?? 0) + this.#paddedBytes;
    return frames.length === 0 ? null : frames;
  }

  /**
   * Bytes the last {@linkcode WholeFrames.end} sent beyond the audio held before it: the tail it
   * was given and the silence its last frame was filled up with. They play after that audio.
   */
  get endExtraBytes(): number {
    return this.#endExtraBytes;
  }

  /** Drops the held partial frame (interruption); returns how many bytes it held. */
  clear(): number {
    const dropped = this.#heldBytes;
    this.#heldBytes = 0;
    this.#spareBytes = 0;
    return dropped;
  }
}
