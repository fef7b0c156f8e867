/**
 * The bounded queue behind a transport's `readable`: a socket cannot be paused, so a slow reader
 * is met by dropping the oldest audio (real-time audio that is late is worthless), never messages.
 *
 * @module
 */

import type { Frame } from "./frames.ts";

/** Options for {@linkcode InboundQueue}. */
export interface InboundQueueOptions {
  /** Frames held for a slow reader before the oldest audio is dropped. */
  maxFrames: number;
  /** Called for every audio frame dropped; `first` is true for the first of an overflow spell. */
  onDrop: (first: boolean) => void;
  /** Called once when the reader cancels the stream. */
  onCancel: () => void;
  /** Called when four times `maxFrames` messages (no audio) wait: the reader is stuck. */
  onOverflow: () => void;
}

/** A `ReadableStream<Frame>` fed by `push`, holding at most `maxFrames` (messages excepted). */
export class InboundQueue {
  /** The stream the reader reads. */
  readonly readable: ReadableStream<Frame>;
  readonly #maxFrames: number;
  readonly #onDrop: (first: boolean) => void;
  readonly #onOverflow: () => void;
  #frames: Frame[] = [];
  #head = 0;
  #controller!: ReadableStreamDefaultController<Frame>;
  #waiting: (() => void) | null = null;
  #ended = false;
  #done = false;
  #overflowing = false;

  /** Makes the queue and its stream. */
  constructor(options: InboundQueueOptions) {
    this.#maxFrames = options.maxFrames;
    this.#onDrop = options.onDrop;
    this.#onOverflow = options.onOverflow;
    // highWaterMark 0: frames stay in our queue, where overflow can drop the oldest audio,
    // instead of the stream's own queue, where nothing can be dropped.
    this.readable = new ReadableStream<Frame>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#pull(),
      cancel: () => {
        this.#done = true;
        this.#frames = [];
        this.#head = 0;
        this.#release();
        options.onCancel();
      },
    }, { highWaterMark: 0 });
  }

  /** Frames waiting for the reader. */
  get size(): number {
    return this.#frames.length - this.#head;
  }

  /** Whether the reader cancelled or the stream ended. */
  get done(): boolean {
    return this.#done;
  }

  /** Hands a frame to the reader, or queues it. */
  push(frame: Frame): void {
    if (this.#done || this.#ended) return;
    if (this.#waiting !== null) {
      this.#controller.enqueue(frame);
      this.#release();
      return;
    }
    this.#frames.push(frame);
    if (this.size > this.#maxFrames) this.#dropOldestAudio();
  }

  /** No more frames will come: the stream closes once the reader has taken the queued ones. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.size === 0) this.#close();
  }

  #pull(): Promise<void> | void {
    if (this.size > 0) {
      const frame = this.#frames[this.#head]!;
      this.#frames[this.#head++] = undefined as unknown as Frame; // let it be collected
      if (this.#head > 1024 && this.#head * 2 > this.#frames.length) {
        this.#frames = this.#frames.slice(this.#head);
        this.#head = 0;
      }
      if (this.size === 0) this.#overflowing = false;
      this.#controller.enqueue(frame);
      if (this.size === 0 && this.#ended) this.#close();
      return;
    }
    if (this.#ended) {
      this.#close();
      return;
    }
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  #dropOldestAudio(): void {
    for (let i = this.#head; i < this.#frames.length; i++) {
      if (this.#frames[i]!.type === "audio") {
        this.#frames.splice(i, 1);
        this.#onDrop(!this.#overflowing);
        this.#overflowing = true;
        return;
      }
    }
    // Only messages are queued: they are never dropped, so past a hard bound the reader is
    // taken to be stuck and the session is ended rather than let memory grow without limit.
    if (this.size > 4 * this.#maxFrames) this.#onOverflow();
  }

  #release(): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.();
  }

  #close(): void {
    if (this.#done) return;
    this.#done = true;
    this.#controller.close();
    this.#release();
  }
}
