/**
 * A `TransformStream` that re-chunks outbound audio to a fixed duration.
 *
 * @module
 */

import type { AudioFrame, Frame } from "../frames.ts";
import { AudioChunker } from "./audio_chunker.ts";
import { assertAudioBytes } from "./_audio_bytes.ts";

/** Options for {@linkcode AudioChunkerStream}. */
export interface AudioChunkerStreamOptions {
  /**
   * The duration of each emitted audio chunk, in milliseconds.
   *
   * @default {40}
   */
  chunkMs?: number;
}

/**
 * Re-chunks audio frames to `chunkMs` each, whatever sizes they are written in, keeping the
 * remainder across writes; the short remainder left at the end of the stream is emitted as a last,
 * shorter chunk. The bytes of each write are copied once, and the chunks cut from them are views
 * of that copy: chunks wait in the readable (and in whatever reads it) after the write has
 * returned, when a writer may reuse its buffer, as it may once the transport's `write` has.
 *
 * Other frames pass through in order: the remainder written before one (a `mark`, a message, an
 * `end` frame) is flushed ahead of it as a short chunk, so a mark is never reported played before
 * audio written ahead of it, as the transport does. An `interruption` or `cancel` frame instead
 * drops the remainder (counted in {@linkcode AudioChunkerStream.droppedBytes}), so no stale audio
 * follows a barge-in; so does the stream cancelled (its readable cancelled, its writable aborted)
 * or errored by a frame it refuses. A change of sample rate or channel count flushes the old
 * format's remainder as a short chunk.
 *
 * The audio written is a stream of bytes that may be cut anywhere: a frame of odd length (or, in
 * stereo, not whole sample frames) goes on into the next, and every chunk that comes out is whole
 * sample frames, so its samples are read from the right byte pairs. Where a short chunk goes out
 * (before another frame), the bytes of a sample frame cut short wait for the next audio frame; at
 * the end of the stream, or where the response or the format changes before the rest of it
 * came, they are dropped, counted in {@linkcode AudioChunkerStream.droppedBytes}.
 *
 * @example 30 ms frames become 40 ms chunks, the remainder flushed at the end
 * ```ts
 * import { AudioChunkerStream, type Frame } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const frames: Frame[] = Array.from({ length: 3 }, () => ({
 *   type: "audio",
 *   audio: new Uint8Array(960), // 30 ms at 16 kHz mono
 *   sampleRate: 16000,
 *   channels: 1,
 * }));
 * const out = await Array.fromAsync(
 *   ReadableStream.from(frames).pipeThrough(new AudioChunkerStream({ chunkMs: 40 })),
 * );
 * assert.deepEqual(out.map((f) => f.type === "audio" && f.audio.length), [1280, 1280, 320]);
 * ```
 */
export class AudioChunkerStream extends TransformStream<Frame, Frame> {
  #droppedBytes = 0;
  readonly #chunker: AudioChunker;

  /** Makes a chunking stream; `chunkMs` must be positive. */
  constructor(options: AudioChunkerStreamOptions = {}) {
    const chunker = new AudioChunker(
      options.chunkMs === undefined ? {} : { chunkMs: options.chunkMs },
    );
    // One emit callback for the stream's lifetime rather than a closure per write.
    let controller!: TransformStreamDefaultController<Frame>;
    const emit = (chunk: AudioFrame) => controller.enqueue(chunk);
    /** One frame through: audio cut into chunks, other frames passed on after what is held. */
    const pass = (frame: Frame): void => {
      switch (frame.type) {
        case "audio":
          assertAudioBytes(frame);
          // Deliberate copy, one per write: the chunker's views of the writer's bytes would
          // change under the reader when the writer reuses its buffer (a bot refilling one
          // buffer per frame), and what comes out is read after the write has returned.
          chunker.push(
            frame.audio.length === 0 ? frame : { ...frame, audio: frame.audio.slice() },
            emit,
          );
          return;
        case "interruption":
        case "cancel":
          this.#droppedBytes += chunker.clear();
          break;
        default:
          chunker.flush(emit);
      }
      controller.enqueue(frame);
    };
    super({
      start(c) {
        controller = c;
      },
      transform: (frame) => {
        try {
          pass(frame);
        } catch (error) {
          // A frame refused (audio that is no bytes, a bad format) errors the stream, and no
          // flush or cancel comes after: what is held never goes out, so it is counted here.
          this.#droppedBytes += chunker.clear();
          throw error;
        }
      },
      flush: () => {
        chunker.flush(emit);
        // A sample frame cut short at the end: its rest never came.
        this.#droppedBytes += chunker.clear();
      },
      // The readable cancelled or the writable aborted: what is held will never go out.
      cancel: () => {
        this.#droppedBytes += chunker.clear();
      },
    });
    this.#chunker = chunker;
  }

  /**
   * Audio bytes dropped: those held back when an `interruption` or `cancel` frame arrived or the
   * stream was cancelled (its readable cancelled, its writable aborted) or errored by a frame it
   * refused, and those of a sample frame cut short whose rest never came (the stream ended, or
   * the response or format changed first).
   */
  get droppedBytes(): number {
    return this.#droppedBytes + this.#chunker.droppedBytes;
  }
}
