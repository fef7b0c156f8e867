/**
 * One WAV stream of a recording: a header that is safe to stream, then PCM as it is committed,
 * with the true header available at any time for sinks that can seek back.
 *
 * @module
 */

import { BYTES_PER_SAMPLE, type PcmFormat } from "../audio/pcm.ts";
import { WAV_HEADER_BYTES, writeWavHeader } from "../audio/wav.ts";

/** The most PCM bytes a WAV header can count (its RIFF size is a 32-bit count of what follows). */
const MAX_DATA_BYTES = 0xffffffff - 36;
/** Silence is made as the reader asks for it, at most this many bytes at a time. */
const SILENCE_BLOCK_BYTES = 64 * 1024;

/**
 * The header a stream starts with, its sizes unknown: both set to 0xFFFFFFFF, which FFmpeg
 * (so Chromium), sox and most players read as "until the end of the data".
 */
function streamingHeader(format: PcmFormat): Uint8Array {
  const header = new Uint8Array(WAV_HEADER_BYTES);
  writeWavHeader(header, 0, format);
  const view = new DataView(header.buffer);
  view.setUint32(4, 0xffffffff, true);
  view.setUint32(40, 0xffffffff, true);
  return header;
}

/**
 * A readable of WAV bytes, fed block by block and read at the reader's pace. Blocks wait in a
 * queue of their own (the stream's holds the header only, until it is read); silence waits there
 * as a byte count, made only when read, so an hour of it costs nothing. A block that would take
 * the audio waiting past `maxBufferedBytes` (the reader is that far behind) is dropped and counted
 * (its writer asks {@linkcode fits}), and silence of its length takes its place: what follows
 * stays where it belongs on the call's timeline (and with layout "separate", in step with the
 * other stream). A write-out's blocks are kept whenever nothing waited before it, so a reader
 * that keeps up loses nothing whatever the blocks' size and number.
 */
export class WavOutput {
  readonly readable: ReadableStream<Uint8Array>;
  readonly #format: PcmFormat;
  /** The most PCM a header can count, in whole sample frames: the stream holds no more. */
  readonly #maxDataBytes: number;
  readonly #maxBufferedBytes: number;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  /** Blocks not yet read: bytes, or a count of silent bytes. */
  #queue: (Uint8Array | number)[] = [];
  #queuedBytes = 0;
  /** What waited for the reader when the current write-out began (see {@linkcode startWriteOut}). */
  #waitingBefore = 0;
  /** The current write-out is kept whole (see {@linkcode startWriteOut}). */
  #whole = false;
  /** A read is waiting and nothing was queued for it. */
  #wanted = false;
  #dataBytes = 0;
  #droppedBytes = 0;
  #closing = false;
  #done = false;

  /** A stream of `format`. `onCancel` runs when the reader cancels it. */
  constructor(format: PcmFormat, maxBufferedBytes: number, onCancel: () => void) {
    this.#format = format;
    const frameBytes = format.channels * BYTES_PER_SAMPLE;
    this.#maxDataBytes = MAX_DATA_BYTES - MAX_DATA_BYTES % frameBytes;
    this.#maxBufferedBytes = maxBufferedBytes;
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
          // Straight to the stream: no audio, so no part of what the reader is behind by.
          controller.enqueue(streamingHeader(format));
        },
        pull: () => this.#deliver(),
        cancel: () => {
          this.#done = true;
          this.#discardQueue();
          onCancel();
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** Whether the stream is over for the recorder (closing, closed, errored or cancelled). */
  get done(): boolean {
    return this.#done || this.#closing;
  }

  /**
   * PCM bytes written to the stream so far (read or waiting to be read; once the stream errored or
   * was cancelled, read).
   */
  get dataBytes(): number {
    return this.#dataBytes;
  }

  /** PCM bytes dropped because the reader was too far behind (written as silence). */
  get droppedBytes(): number {
    return this.#droppedBytes;
  }

  /**
   * Sample frames the stream can still take before its header could count no more (4 GiB of
   * PCM); Infinity once it is over for the recorder (nothing more is written to it anyway).
   */
  get roomFrames(): number {
    if (this.done) return Infinity;
    return (this.#maxDataBytes - this.#dataBytes) / (this.#format.channels * BYTES_PER_SAMPLE);
  }

  /** Bytes of audio waiting for the reader (silence not counted: it is made when read). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Bytes per second of the PCM. */
  get byteRate(): number {
    return this.#format.sampleRate * this.#format.channels * BYTES_PER_SAMPLE;
  }

  /**
   * A write-out begins: its blocks come one after another at once, with no turn for the reader
   * between them, so whether it keeps up is judged by what waited before the first. `whole`: all
   * of it is kept, whatever the reader's backlog (the recording's last write-out: memory the
   * recorder held already, let go right after).
   */
  startWriteOut(whole = false): void {
    this.#waitingBefore = this.#queuedBytes;
    this.#whole = whole;
  }

  /** Whether a block of `bytes` would be kept (false: the reader is too far behind). */
  fits(bytes: number): boolean {
    if (this.done) return false;
    // Nothing waiting before this write-out: the reader is not behind at all, however large the
    // write-out (after a pause in the call's events, all that was held, many blocks).
    return this.#whole || this.#waitingBefore === 0 ||
      this.#queuedBytes + bytes <= this.#maxBufferedBytes;
  }

  /** Appends a block (its bytes are the stream's now). Ask {@linkcode fits} first. */
  push(block: Uint8Array): void {
    if (this.done) return;
    this.#queue.push(block);
    this.#queuedBytes += block.length;
    this.#dataBytes += block.length;
    if (this.#wanted) this.#deliver();
  }

  /** Appends `bytes` of silence, made only when the reader gets to it. */
  pushSilence(bytes: number): void {
    if (this.done || bytes <= 0) return;
    const last = this.#queue.length - 1;
    if (typeof this.#queue[last] === "number") (this.#queue[last] as number) += bytes;
    else this.#queue.push(bytes);
    this.#dataBytes += bytes;
    if (this.#wanted) this.#deliver();
  }

  /** Drops `bytes` of audio because the reader lags: counted, and silence in its place. */
  drop(bytes: number): void {
    if (this.done) return;
    this.#droppedBytes += bytes;
    this.pushSilence(bytes);
  }

  /** The stream ends once the reader has everything queued. */
  close(): void {
    if (this.done) return;
    this.#closing = true;
    if (this.#wanted) this.#deliver();
  }

  /** The stream fails with `error` at once. */
  error(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#discardQueue();
    this.#controller.error(error);
  }

  /**
   * The blocks not yet read will never be: they leave the stream's count too, so that its true
   * header ({@linkcode header}) and `stats.durationMs` say what the reader got. Counted, a sink
   * that kept the audio read before an error and wrote the true header over it claimed all the
   * recorder had queued (seconds, behind a slow reader), past the end of its file.
   */
  #discardQueue(): void {
    for (const block of this.#queue) {
      this.#dataBytes -= typeof block === "number" ? block : block.length;
    }
    this.#queue = [];
    this.#queuedBytes = 0;
  }

  /**
   * The 44-byte header for the data written so far. The recorder writes no more than it can
   * count ({@linkcode roomFrames}); capped all the same, in whole sample frames (a reader takes
   * PCM a frame, `channels` samples, at a time).
   */
  header(): Uint8Array {
    const header = new Uint8Array(WAV_HEADER_BYTES);
    writeWavHeader(header, Math.min(this.#dataBytes, this.#maxDataBytes), this.#format);
    return header;
  }

  /** Hands the reader the next block, or ends the stream, or waits for more. */
  #deliver(): void {
    if (this.#done) return;
    const next = this.#queue[0];
    if (next === undefined) {
      if (this.#closing) {
        this.#done = true;
        this.#controller.close();
        return;
      }
      this.#wanted = true;
      return;
    }
    this.#wanted = false;
    if (typeof next === "number") {
      const bytes = Math.min(next, SILENCE_BLOCK_BYTES);
      if (bytes === next) this.#queue.shift();
      else this.#queue[0] = next - bytes;
      this.#controller.enqueue(new Uint8Array(bytes));
      return;
    }
    this.#queue.shift();
    this.#queuedBytes -= next.length;
    this.#controller.enqueue(next);
  }
}
