/**
 * Where a transport's inbound frames wait for the application: handed straight to a `receive`
 * handler, or held in a bounded queue for a reader (`readable`, made by `_inbound_stream.ts`). A
 * socket cannot be paused, so a slow reader is met by dropping the oldest audio (real-time audio
 * that is late is worthless), never messages.
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
  /**
   * Called with how many queued frames a handler will never get: the queue ended while
   * {@linkcode InboundQueue.receive} handed them over (the handler threw at one of them).
   */
  onDiscard?: (frames: number) => void;
}

/**
 * Frames on their way to the application. Until the application says how it reads (a handler
 * through {@linkcode receive}, or a reader through {@linkcode claim}), frames wait here, bounded
 * like a slow reader.
 */
export class InboundQueue {
  readonly #maxFrames: number;
  readonly #onDrop: (first: boolean) => void;
  readonly #onOverflow: () => void;
  readonly #onDiscard: ((frames: number) => void) | undefined;
  #frames: Frame[] = [];
  #head = 0;
  #handler: ((frame: Frame) => void) | undefined;
  /** Who takes the frames: "receive()" or "readable", once one has claimed them. */
  #claimedBy: string | undefined;
  /** A reader waiting for the next frame: it gets it instead of the queue. */
  #reader: ((frame: Frame) => void) | undefined;
  #onEnd: (() => void) | undefined;
  /** No more frames will come. */
  #ended = false;
  /** The reader is gone (cancelled, or read to the end): frames go nowhere. */
  #done = false;
  #overflowing = false;

  /** Makes an empty queue. */
  constructor(options: InboundQueueOptions) {
    this.#maxFrames = options.maxFrames;
    this.#onDrop = options.onDrop;
    this.#onOverflow = options.onOverflow;
    this.#onDiscard = options.onDiscard;
  }

  /** Frames waiting for the reader. */
  get size(): number {
    return this.#frames.length - this.#head;
  }

  /** No more frames will come (those waiting may still be taken). */
  get ended(): boolean {
    return this.#ended || this.#done;
  }

  /** Hands a frame to the handler or the waiting reader, or queues it. */
  push(frame: Frame): void {
    if (this.#done || this.#ended) return;
    if (this.#handler !== undefined) return this.#handler(frame);
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      return reader(frame);
    }
    this.#frames.push(frame);
    if (this.size > this.#maxFrames) this.#dropOldestAudio();
  }

  /**
   * Sends every frame, the queued ones first, to `handler` as it arrives. Throws a `TypeError`
   * when the frames already go to a stream or another handler.
   */
  receive(handler: (frame: Frame) => void): void {
    this.claim("receive()");
    this.#handler = handler;
    while (this.size > 0 && !this.#done) handler(this.#take());
    if (this.size > 0) this.#onDiscard?.(this.size);
    this.#frames = [];
    this.#head = 0;
  }

  /**
   * Claims the frames for a reader that takes them with {@linkcode take} and {@linkcode wait};
   * `onEnd` is called once when no more frames will come. Throws a `TypeError` when the frames
   * already go to a handler or another reader.
   */
  claim(by: string, onEnd?: () => void): void {
    if (this.#claimedBy !== undefined) {
      throw new TypeError(`${by}: inbound frames already go to ${this.#claimedBy}`);
    }
    this.#claimedBy = by === "receive()" ? "a receive() handler" : by;
    this.#onEnd = onEnd;
  }

  /** The oldest waiting frame, taken from the queue (call with {@linkcode size} above 0). */
  take(): Frame {
    return this.#take();
  }

  /**
   * The next frame pushed goes to `reader` instead of the queue (call with none waiting);
   * `undefined` withdraws the reader: frames are queued again.
   */
  wait(reader: ((frame: Frame) => void) | undefined): void {
    this.#reader = reader;
  }

  /**
   * The reader is gone: what waits is dropped, and later frames go nowhere. Returns how many
   * waited, for the drop count (0 once discarded).
   */
  discard(): number {
    const dropped = this.size;
    this.#done = true;
    this.#reader = undefined;
    this.#frames = [];
    this.#head = 0;
    return dropped;
  }

  /** No more frames will come: a handler is done; a reader is told once it has taken the rest. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#reader = undefined;
    if (this.#handler !== undefined) this.#done = true;
    else this.#onEnd?.();
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
}
