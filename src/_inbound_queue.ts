/**
 * Where a transport's inbound frames wait for the application: handed straight to a `receive`
 * handler, or held in a bounded queue for a reader (`readable`, made by `_inbound_stream.ts`). A
 * socket cannot be paused, so a slow reader is met by dropping the oldest audio (real-time audio
 * that is late is worthless), never messages. Those are bounded instead: a reader that leaves four
 * times `maxFrames` frames of earlier socket messages waiting, or more, is taken to be stuck (see
 * {@linkcode InboundQueue.push}).
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
  /**
   * Called when, no audio waiting, four times `maxFrames` frames of earlier messages wait, or more,
   * as a message's frame arrives: the reader is stuck (see {@linkcode InboundQueue.push}).
   */
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

  /**
   * Hands a frame to the handler or the waiting reader, or queues it. `earlierOfItsMessage` is how
   * many frames of the same socket message (or batch the serializer handed on) came just before
   * it (0, left out: it begins one). A message's frames come all at once, before any reader can
   * take one, and one message may make many (an RTVI `dtmf` of up to 100 keys, a reorder window's
   * held media flushed with a telephony `stop`): so they are let past the stuck-reader bound,
   * which judges the frames of earlier messages, still unread, against four times `maxFrames`.
   * A reader that takes each frame as it comes is never judged stuck by one message; one that
   * stopped is, at the first frame of the next (so what it pins stays within `4 × maxFrames` and
   * one message's frames), and nothing is kept per frame for it.
   */
  push(frame: Frame, earlierOfItsMessage = 0): void {
    if (this.#done || this.#ended) return;
    if (this.#handler !== undefined) return this.#handler(frame);
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      return reader(frame);
    }
    this.#frames.push(frame);
    if (this.size > this.#maxFrames) this.#dropOldestAudio(earlierOfItsMessage);
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

  /** Over `maxFrames`: drops the oldest audio, or says the reader is stuck (see `push`). */
  #dropOldestAudio(earlierOfItsMessage: number): void {
    for (let i = this.#head; i < this.#frames.length; i++) {
      if (this.#frames[i]!.type === "audio") {
        this.#frames.splice(i, 1);
        this.#onDrop(!this.#overflowing);
        this.#overflowing = true;
        return;
      }
    }
    // Only messages are queued: they are never dropped, so past a hard bound the reader is
    // taken to be stuck and the session is ended rather than let memory grow without limit. The
    // frames of the message arriving before this one are not its fault: it could take none yet.
    // (Counted as handed on, not as queued: fewer may wait, some gone to a waiting reader or
    // dropped as audio, and the bound is then looser by as many, never by more than the message.)
    if (this.size - earlierOfItsMessage > 4 * this.#maxFrames) this.#onOverflow();
  }
}
