/**
 * The caller's recent audio, kept so the parrot can say a phrase back once it has ended.
 *
 * @module
 */

/**
 * A ring of the last `keepMs` of PCM16 mono audio, addressed in milliseconds of audio since the
 * first byte pushed: the timeline a `SpeechDetector` fed the same frames reports its events on.
 * Memory is fixed (`keepMs` of audio) however long the call.
 */
export class PhraseBuffer {
  readonly #ring: Uint8Array;
  readonly #bytesPerMs: number;
  /** Bytes pushed since the start. */
  #written = 0;

  /** Keeps the last `keepMs` of audio at `sampleRate` (mono PCM16). */
  constructor(sampleRate: number, keepMs: number) {
    this.#bytesPerMs = (sampleRate * 2) / 1000;
    this.#ring = new Uint8Array(Math.ceil(keepMs * this.#bytesPerMs / 2) * 2);
  }

  /** Milliseconds of audio pushed since the start. */
  get timeMs(): number {
    return this.#written / this.#bytesPerMs;
  }

  /** Appends audio (copied: the ring outlives the frame). */
  push(audio: Uint8Array): void {
    const ring = this.#ring;
    // Only the newest ring's worth of a frame longer than the ring can be kept.
    const bytes = audio.length > ring.length ? audio.subarray(audio.length - ring.length) : audio;
    this.#written += audio.length - bytes.length;
    let at = this.#written % ring.length;
    let from = 0;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, ring.length - at);
      ring.set(bytes.subarray(from, from + n), at);
      from += n;
      at = 0;
    }
    this.#written += bytes.length;
  }

  /**
   * A copy of the audio from `fromMs` to `toMs`, clamped to what is still kept and cut to a whole
   * number of `blockMs` blocks (so it leaves as whole chunks); empty when nothing is left.
   */
  slice(fromMs: number, toMs: number, blockMs: number): Uint8Array {
    const blockBytes = Math.round(blockMs * this.#bytesPerMs);
    const oldest = Math.max(0, this.#written - this.#ring.length);
    const start = Math.max(oldest, Math.floor(fromMs * this.#bytesPerMs / 2) * 2);
    const end = Math.min(this.#written, Math.floor(toMs * this.#bytesPerMs / 2) * 2);
    const length = Math.max(0, Math.floor((end - start) / blockBytes) * blockBytes);
    const out = new Uint8Array(length);
    const ring = this.#ring;
    for (let done = 0; done < length;) {
      const at = (start + done) % ring.length;
      const n = Math.min(length - done, ring.length - at);
      out.set(ring.subarray(at, at + n), done);
      done += n;
    }
    return out;
  }
}
