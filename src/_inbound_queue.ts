/**
 * Where a transport's inbound frames wait for the application: handed straight to a `receive`
 * handler, or held in a bounded queue behind `readable`. A socket cannot be paused, so a slow
 * reader is met by dropping the oldest audio (real-time audio that is late is worthless), never
 * messages.
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
  /** Called when four times `maxFrames` messages (no audio) wait: the reader is stuck. */
  onOverflow: () => void;
}

/** What a finished iteration answers. */
const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * Frames on their way to the application. Until the application says how it reads (a handler
 * through {@linkcode receive}, or {@linkcode stream}), frames wait here, bounded like a slow reader.
 */
export class InboundQueue {
  readonly #maxFrames: number;
  readonly #onDrop: (first: boolean) => void;
  readonly #onOverflow: () => void;
  #frames: Frame[] = [];
  #head = 0;
  #handler: ((frame: Frame) => void) | undefined;
  #readable: ReadableStream<Frame> | undefined;
  #controller: ReadableStreamDefaultController<Frame> | undefined;
  /** A read is pending with nothing queued: the next frame is enqueued straight away. */
  #waiting = false;
  /** The stream has been read through its controller (a reader, a pipe): iteration goes there too. */
  #pulled = false;
  /** `next()` calls of the stream's iterator waiting for a frame, oldest first. */
  #nexts: ((result: IteratorResult<Frame>) => void)[] = [];
  /** Ends the running iteration (lets go of its lock) when the stream closes; set while one runs. */
  #endIteration: (() => void) | undefined;
  /** No more frames will come. */
  #ended = false;
  /** The stream closed or was cancelled: frames go nowhere. */
  #done = false;
  #overflowing = false;

  /** Makes an empty queue. */
  constructor(options: InboundQueueOptions) {
    this.#maxFrames = options.maxFrames;
    this.#onDrop = options.onDrop;
    this.#onOverflow = options.onOverflow;
  }

  /** Frames waiting for the reader. */
  get size(): number {
    return this.#frames.length - this.#head;
  }

  /** Hands a frame to the handler or the waiting reader, or queues it. */
  push(frame: Frame): void {
    if (this.#done || this.#ended) return;
    if (this.#handler !== undefined) return this.#handler(frame);
    if (this.#nexts.length > 0) return this.#nexts.shift()!({ value: frame, done: false });
    if (this.#waiting) {
      this.#waiting = false;
      this.#controller!.enqueue(frame);
      return;
    }
    this.#frames.push(frame);
    if (this.size > this.#maxFrames) this.#dropOldestAudio();
  }

  /**
   * Sends every frame, the queued ones first, to `handler` as it arrives. Throws a `TypeError`
   * when the frames already go to a stream or another handler.
   */
  receive(handler: (frame: Frame) => void): void {
    this.#claim("receive()");
    this.#handler = handler;
    while (this.size > 0 && !this.#done) handler(this.#take());
    this.#frames = [];
    this.#head = 0;
  }

  /**
   * The frames as a `ReadableStream`, the queued ones first; made on first use, the same stream
   * after. `onCancel` is called once if the reader cancels it.
   *
   * Iterating it (`for await`, `values()`) takes frames from this queue directly, with one
   * promise a frame and none of the stream's own read machinery: a stream's reader, read request
   * and pull for every frame cost a bare echo a fifth more CPU on Deno. The iterator keeps the
   * standard's contract: it locks the stream (through a reader it never reads with), ends when the
   * stream closes, and `return()` (a `break`) cancels the stream unless `preventCancel`, then lets
   * go of the lock. A stream already read through a reader or a pipe is iterated the standard way.
   */
  stream(onCancel: () => void): ReadableStream<Frame> {
    if (this.#readable !== undefined) return this.#readable;
    this.#claim("readable");
    // highWaterMark 0: frames stay in our queue, where overflow can drop the oldest audio,
    // instead of the stream's own queue, where nothing can be dropped. It also means the stream
    // pulls only for a pending read, so while our iterator holds the lock it never pulls.
    const readable = new ReadableStream<Frame>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#pull(),
      cancel: () => {
        this.#done = true;
        this.#frames = [];
        this.#head = 0;
        this.#waiting = false;
        this.#endNexts();
        onCancel();
      },
    }, { highWaterMark: 0 });
    const standard = readable[Symbol.asyncIterator];
    const iterate = (options?: { preventCancel?: boolean }): AsyncIterableIterator<Frame> =>
      this.#pulled
        ? standard.call(readable, options)
        : this.#iterate(readable.getReader(), options?.preventCancel === true);
    // Own properties of this one stream: `readable` stays a real ReadableStream for pipes.
    Object.defineProperty(readable, Symbol.asyncIterator, { value: iterate, configurable: true });
    Object.defineProperty(readable, "values", { value: iterate, configurable: true });
    this.#readable = readable;
    return readable;
  }

  /** No more frames will come: the stream closes once the reader has taken the queued ones. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#handler !== undefined) this.#done = true;
    else if (this.size === 0 && this.#controller !== undefined) this.#close();
  }

  #claim(by: string): void {
    if (this.#handler !== undefined) {
      throw new TypeError(`${by}: inbound frames already go to a receive() handler`);
    }
    if (this.#readable !== undefined) {
      throw new TypeError(`${by}: inbound frames already go to readable`);
    }
  }

  #take(): Frame {
    const frame = this.#frames[this.#head]!;
    this.#frames[this.#head++] = undefined as unknown as Frame; // let it be collected
    if (this.#head > 1024 && this.#head * 2 > this.#frames.length) {
      this.#frames = this.#frames.slice(this.#head);
      this.#head = 0;
    }
    if (this.size === 0) this.#overflowing = false;
    return frame;
  }

  /**
   * The iterator over the frames, holding `reader` (the stream's lock) until it ends; see
   * {@linkcode stream}.
   */
  #iterate(
    reader: ReadableStreamDefaultReader<Frame>,
    preventCancel: boolean,
  ): AsyncIterableIterator<Frame> {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      this.#endIteration = undefined;
      reader.releaseLock();
    };
    this.#endIteration = finish;
    const iterator: AsyncIterableIterator<Frame> = {
      next: (): Promise<IteratorResult<Frame>> => {
        if (finished) return Promise.resolve(DONE);
        if (this.size > 0) {
          const value = this.#take();
          if (this.size === 0 && this.#ended) this.#close();
          return Promise.resolve({ value, done: false });
        }
        if (this.#done || this.#ended) {
          this.#close();
          finish();
          return Promise.resolve(DONE);
        }
        return new Promise((resolve) => this.#nexts.push(resolve));
      },
      return: (value?: unknown): Promise<IteratorResult<Frame>> => {
        const result: IteratorReturnResult<unknown> = { value, done: true };
        if (finished) return Promise.resolve(result) as Promise<IteratorResult<Frame>>;
        this.#endNexts();
        const cancelled = preventCancel ? undefined : reader.cancel(value);
        finish();
        return (cancelled ?? Promise.resolve()).then(() => result) as Promise<
          IteratorResult<Frame>
        >;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Answers every waiting `next()`: no more frames. */
  #endNexts(): void {
    const nexts = this.#nexts;
    if (nexts.length === 0) return;
    this.#nexts = [];
    for (const next of nexts) next(DONE);
  }

  #pull(): void {
    this.#pulled = true;
    if (this.size > 0) {
      this.#controller!.enqueue(this.#take());
      if (this.size === 0 && this.#ended) this.#close();
      return;
    }
    if (this.#ended) {
      this.#close();
      return;
    }
    // Nothing to give yet: the read stays pending and is remembered here (the next push enqueues
    // straight into it) rather than in a promise made for every frame.
    this.#waiting = true;
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

  #close(): void {
    if (this.#done) return;
    this.#done = true;
    this.#waiting = false;
    this.#controller!.close();
    this.#endNexts();
    this.#endIteration?.();
  }
}
