/**
 * The push-style core of {@linkcode AudioChunkerStream}: re-chunks PCM16 audio frames to a fixed
 * duration, keeping the remainder across pushes.
 *
 * @module
 */

import type { AudioFrame } from "../frames.ts";
import { assertPcmFormat, BYTES_PER_SAMPLE, bytesForDuration, durationMs } from "../audio/pcm.ts";
import { FixedSizeCutter } from "./_fixed_size_cutter.ts";
import { assertAudioBytes } from "./_audio_bytes.ts";

/**
 * An `emit` where nothing can come out: a caller that knows nothing is held, or bytes held again
 * that are less than a chunk.
 */
const EMITS_NOTHING = (): void => {};

/** Options for {@linkcode AudioChunker}. */
export interface AudioChunkerOptions {
  /**
   * The duration of each emitted chunk, in milliseconds.
   *
   * @default {40}
   */
  chunkMs?: number;
}

/**
 * Cuts audio frames into chunks of `chunkMs` each, whatever sizes they arrive in. Aligned runs of
 * the input are emitted as `subarray` views (no copy: whoever keeps one past the push copies it);
 * a chunk that straddles two inputs, and the remainder held between pushes, live in buffers of
 * the chunker's own, so the caller may reuse its buffer once `push` returns. That buffer grows
 * with the audio held: a long `chunkMs` (any positive duration is taken, as the transport's
 * `audioOut.chunkMs` is) costs memory only as its audio comes. When the format changes, the old
 * format's remainder is emitted first as a short chunk, so no audio is ever played at the wrong
 * rate; likewise when the `responseId` changes, and chunks carry their frame's `responseId`.
 *
 * The input is a stream of bytes, which may be cut anywhere (a file or a network read is cut at
 * arbitrary byte boundaries): a frame of odd length goes on into the next one, as the bytes came.
 * Every chunk emitted is whole sample frames (`2 × channels` bytes), since whoever reads one
 * reads it on its own: a short chunk (a flush) leaves the bytes of a sample frame cut short
 * held, for the next push to complete; if the response or the format changes first, the rest of
 * that sample frame can never come, and its bytes are dropped (counted in
 * {@linkcode AudioChunker.droppedBytes}). A chunk with half a sample would shift every sample after it onto
 * the wrong byte pair: noise from there on.
 *
 * @example Twenty 30 ms frames become fifteen 40 ms chunks
 * ```ts
 * import { AudioChunker } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const chunker = new AudioChunker({ chunkMs: 40 });
 * const sizes: number[] = [];
 * for (let i = 0; i < 20; i++) {
 *   const audio = new Uint8Array(960); // 30 ms at 16 kHz mono
 *   chunker.push({ type: "audio", audio, sampleRate: 16000, channels: 1 }, (c) => sizes.push(c.audio.length));
 * }
 * assert.deepEqual(sizes, new Array(15).fill(1280));
 * ```
 */
export class AudioChunker {
  readonly #chunkMs: number;
  #sampleRate = 0;
  #channels = 0;
  #chunkBytes = 0;
  #responseId: string | undefined;
  #droppedBytes = 0;
  readonly #cutter = new FixedSizeCutter();
  /** The current push's `emit`, so the cutter's callback is made once, not per push. */
  #emit: (chunk: AudioFrame) => void = () => {};

  /** Makes a chunker; `chunkMs` must be positive. */
  constructor(options: AudioChunkerOptions = {}) {
    const chunkMs = options.chunkMs ?? 40;
    if (!(chunkMs > 0) || !Number.isFinite(chunkMs)) {
      throw new RangeError(`chunkMs must be a positive number, got ${chunkMs}`);
    }
    this.#chunkMs = chunkMs;
  }

  /** Bytes held back, waiting for the rest of their chunk. */
  get pendingBytes(): number {
    return this.#cutter.pendingBytes;
  }

  /**
   * Bytes dropped by the chunker itself: those of a sample frame cut short when the response or
   * the format changed before its rest came. Not what {@linkcode AudioChunker.clear} drops: it
   * returns that count, for the caller to keep.
   */
  get droppedBytes(): number {
    return this.#droppedBytes;
  }

  /** Milliseconds of audio held back (what {@linkcode pendingBytes} plays for). */
  get pendingMs(): number {
    const bytes = this.#cutter.pendingBytes;
    return bytes === 0
      ? 0
      : durationMs(bytes, { sampleRate: this.#sampleRate, channels: this.#channels });
  }

  /**
   * Adds a frame; calls `emit` for every whole chunk now available. Throws a `TypeError` naming
   * the frame's `audio` when it is not a `Uint8Array` (an `ArrayBuffer` has no `length`: it was
   * taken for no audio, silently), before anything is emitted or held.
   */
  push(frame: AudioFrame, emit: (chunk: AudioFrame) => void): void {
    assertAudioBytes(frame);
    this.#follow(frame, emit);
    this.#emit = emit;
    this.#cutter.push(frame.audio, this.#chunkBytes, this.#emitChunk);
  }

  #emitChunk = (audio: Uint8Array): void => this.#emit(this.#chunk(audio));

  /**
   * Takes `frame` as a chunk of its own when it is exactly one chunk long and nothing is held
   * back: returns `true`, and the caller sends the frame itself, as `push` would have emitted a
   * copy of it (a bot relaying real-time audio in chunk-sized frames saves that object). Returns
   * `false` when the frame must go to {@linkcode push} instead, having taken the frame's response
   * and format already, as `push` does first (nothing is held, so nothing is emitted by that).
   * Throws a `TypeError` as `push` does (a string of a chunk's length would be taken whole).
   */
  takeWhole(frame: AudioFrame): boolean {
    assertAudioBytes(frame);
    if (this.#cutter.pendingBytes !== 0) return false;
    this.#follow(frame, EMITS_NOTHING);
    return frame.audio.length === this.#chunkBytes;
  }

  /**
   * Takes the frame's response and format, emitting what is held of the previous ones first: a
   * new response never shares a chunk with the one before it, and no audio plays at another's
   * rate.
   */
  #follow(frame: AudioFrame, emit: (chunk: AudioFrame) => void): void {
    if (frame.responseId !== this.#responseId) {
      this.#flushAll(emit);
      this.#responseId = frame.responseId;
    }
    if (frame.sampleRate !== this.#sampleRate || frame.channels !== this.#channels) {
      // A zero or fractional rate or channel count would make the chunk size 0 or fractional and
      // the cutting loop endless; checked only on a format change, so it costs nothing.
      assertPcmFormat(frame, "frame");
      this.#flushAll(emit);
      this.#sampleRate = frame.sampleRate;
      this.#channels = frame.channels;
      this.#chunkBytes = bytesForDuration(this.#chunkMs, frame);
    }
  }

  /**
   * Emits the held-back remainder's whole sample frames, if any, as one short chunk. The bytes of
   * a sample frame cut short by the input stay held: the next push completes it (a
   * {@linkcode clear} drops them).
   */
  flush(emit: (chunk: AudioFrame) => void): void {
    const rest = this.#cutter.take();
    if (rest === null) return;
    const sampleFrameBytes = this.#channels * BYTES_PER_SAMPLE;
    const whole = rest.bytes - rest.bytes % sampleFrameBytes;
    if (whole > 0) emit(this.#chunk(rest.buffer.subarray(0, whole)));
    // Held again, in a buffer of the cutter's own (the emitted chunk keeps this one).
    if (whole < rest.bytes) {
      this.#cutter.push(
        rest.buffer.subarray(whole, rest.bytes),
        this.#chunkBytes,
        EMITS_NOTHING,
      );
    }
  }

  /** Emits what is held, whole; drops (and counts) a sample frame cut short: it can never end. */
  #flushAll(emit: (chunk: AudioFrame) => void): void {
    this.flush(emit);
    this.#droppedBytes += this.clear();
  }

  /** Drops the held-back remainder; returns how many bytes were dropped. */
  clear(): number {
    return this.#cutter.take()?.bytes ?? 0;
  }

  #chunk(audio: Uint8Array): AudioFrame {
    const chunk: AudioFrame = {
      type: "audio",
      audio,
      sampleRate: this.#sampleRate,
      channels: this.#channels,
    };
    if (this.#responseId !== undefined) chunk.responseId = this.#responseId;
    return chunk;
  }
}
