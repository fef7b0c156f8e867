/**
 * The push-style core of {@linkcode AudioChunkerStream}: re-chunks PCM16 audio frames to a fixed
 * duration, keeping the remainder across pushes.
 *
 * @module
 */

import type { AudioFrame } from "../frames.ts";
import { assertPcmFormat, bytesForDuration } from "../audio/pcm.ts";

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
 * the input are emitted as `subarray` views (no copy); only a chunk that straddles two inputs is
 * assembled in a new buffer. When the format changes, the old format's remainder is emitted first
 * as a short chunk, so no audio is ever played at the wrong rate.
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
  /** Holds the tail of earlier pushes; a fresh one per straddling chunk, since emitted chunks are kept. */
  #pending: Uint8Array | null = null;
  #pendingBytes = 0;

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
    return this.#pendingBytes;
  }

  /** Adds a frame; calls `emit` for every whole chunk now available. */
  push(frame: AudioFrame, emit: (chunk: AudioFrame) => void): void {
    if (frame.sampleRate !== this.#sampleRate || frame.channels !== this.#channels) {
      // A zero or fractional rate or channel count would make the chunk size 0 or fractional and
      // the cutting loop below endless; checked only on a format change, so it costs nothing.
      assertPcmFormat(frame, "frame");
      this.flush(emit);
      this.#sampleRate = frame.sampleRate;
      this.#channels = frame.channels;
      this.#chunkBytes = bytesForDuration(this.#chunkMs, frame);
    }
    const input = frame.audio;
    const size = this.#chunkBytes;
    let offset = 0;
    if (this.#pendingBytes > 0) {
      const pending = this.#pending!;
      const take = Math.min(size - this.#pendingBytes, input.length);
      pending.set(input.subarray(0, take), this.#pendingBytes);
      this.#pendingBytes += take;
      offset = take;
      if (this.#pendingBytes < size) return;
      this.#pending = null;
      this.#pendingBytes = 0;
      emit(this.#chunk(pending));
    }
    while (input.length - offset >= size) {
      emit(this.#chunk(input.subarray(offset, offset + size)));
      offset += size;
    }
    if (offset < input.length) {
      // Deliberate copy: the caller may reuse its buffer once push returns.
      this.#pending = new Uint8Array(size);
      this.#pending.set(input.subarray(offset));
      this.#pendingBytes = input.length - offset;
    }
  }

  /** Emits the held-back remainder, if any, as one short chunk. */
  flush(emit: (chunk: AudioFrame) => void): void {
    if (this.#pendingBytes === 0) return;
    const rest = this.#pending!.subarray(0, this.#pendingBytes);
    this.#pending = null;
    this.#pendingBytes = 0;
    emit(this.#chunk(rest));
  }

  /** Drops the held-back remainder; returns how many bytes were dropped. */
  clear(): number {
    const dropped = this.#pendingBytes;
    this.#pending = null;
    this.#pendingBytes = 0;
    return dropped;
  }

  #chunk(audio: Uint8Array): AudioFrame {
    return { type: "audio", audio, sampleRate: this.#sampleRate, channels: this.#channels };
  }
}
