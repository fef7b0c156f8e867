/**
 * A transport's `readable`: a real `ReadableStream` over the inbound queue, whose iteration and
 * pipes into the transport's writable take frames from the queue directly. Through the stream's
 * own machinery every frame costs a reader's read request, a pull and a promise resolved a turn
 * later: a bare echo piped through a pair of web streams costs a fifth more CPU on Deno. So
 * `for await` and `values()` run the standard's iteration here, on the queue (one promise a frame),
 * and `pipeTo` into a transport's writable the standard's pipe (`_frame_pipe.ts`), each holding the
 * stream's lock through a reader that never reads. Pipes anywhere else (a `TransformStream`'s
 * writable, `pipeThrough`) take the runtime's own pipe: ours, made of public calls on a foreign
 * writer, gained nothing there (measured). Once the stream has been read through a reader of its
 * own, iteration and pipes take the standard way, so frames never pass each other.
 *
 * @module
 */

import { dictionaryMembers, type FrameSource, pipeFrames, pipeOptions } from "./_frame_pipe.ts";
import { isFrameWritable } from "./_frame_writer.ts";
import type { InboundQueue } from "./_inbound_queue.ts";
import type { Frame } from "./frames.ts";

/** What a finished read answers. */
const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * The frames of `queue` as a `ReadableStream`, the queued ones first; `onCancel` is called once
 * if the reader cancels it, with how many queued frames the cancel dropped, without the cancel's
 * reason (see the source's `cancel`). Throws a `TypeError` when the frames already go elsewhere.
 */
export function inboundStream(
  queue: InboundQueue,
  onCancel: (framesDropped: number) => void,
): ReadableStream<Frame> {
  return new InboundStream(queue, onCancel).readable;
}

/** The state behind one transport's readable: how it is being read, and who waits for frames. */
class InboundStream {
  readonly readable: ReadableStream<Frame>;
  readonly #queue: InboundQueue;
  #controller!: ReadableStreamDefaultController<Frame>;
  /** The stream has been read through a reader of its own: iteration and pipes go there too. */
  #pulled = false;
  /** `next()` calls waiting for a frame, oldest first. */
  #nexts: ((result: IteratorResult<Frame>) => void)[] = [];
  /** Lets go of the running iteration's lock as a `next()` gets the close; set while one runs. */
  #endIteration: (() => void) | undefined;
  /** Closed or cancelled. */
  #done = false;

  constructor(queue: InboundQueue, onCancel: (framesDropped: number) => void) {
    this.#queue = queue;
    queue.claim("readable", () => {
      if (queue.size === 0) this.#close();
    });
    this.readable = new FrameReadable(this, {
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#pull(),
      // The reason is not kept: it is the reader's own, and its promise (or its pipe's) is where
      // the reader learns of it. A cancel is no error of the session, which goes on (it closes
      // once the writable is closed too), so it is neither an "error" event nor a close reason,
      // unlike WebSocketStream's, whose cancel closes the socket with a `WebSocketError`'s code.
      // What waited in the queue for the reader is dropped with it, and how much is told, to be
      // counted: a `for await` that breaks, or a pipe whose destination failed, leaves some.
      cancel: () => {
        this.#done = true;
        const framesDropped = queue.discard();
        this.#endNexts();
        onCancel(framesDropped);
      },
    });
  }

  /** `readable`'s iterator: ours while the stream has not been read its own way; else undefined. */
  iterate(
    readable: ReadableStream<Frame>,
    preventCancel: boolean,
  ): AsyncIterableIterator<Frame> | undefined {
    return this.#pulled ? undefined : this.#iterate(readable.getReader(), preventCancel);
  }

  /**
   * A pipe from `readable` into a transport's writable: ours, or undefined where the runtime's
   * (which reads `options` itself: read here only for ours, so no getter runs twice).
   */
  pipeTo(
    readable: ReadableStream<Frame>,
    destination: WritableStream<Frame>,
    options: unknown,
  ): Promise<void> | undefined {
    if (this.#pulled || !isFrameWritable(destination)) return undefined;
    // The standard converts the options (WebIDL) before it looks at the locks, and a conversion
    // that fails rejects the pipe's promise with nothing locked or read.
    let converted;
    try {
      converted = pipeOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (readable.locked) return Promise.reject(new TypeError("the readable is locked"));
    if (destination.locked) return Promise.reject(new TypeError("the destination is locked"));
    return pipeFrames(this.#source(readable.getReader()), destination, converted);
  }

  /** A stream reader's read: a frame now, the close, or the next frame pushed. */
  #pull(): void {
    this.#pulled = true;
    const queue = this.#queue;
    if (queue.size > 0) {
      this.#controller.enqueue(queue.take());
      if (queue.size === 0 && queue.ended) this.#close();
    } else if (queue.ended) {
      this.#close();
    } else {
      // The read stays pending and is remembered by the queue (the next push enqueues straight
      // into it) rather than in a promise made for every frame.
      queue.wait(this.#enqueue);
    }
  }

  /** The next frame pushed, for the stream's pending read. */
  #enqueue = (frame: Frame): void => this.#controller.enqueue(frame);

  /**
   * The next frame pushed, for the oldest waiting `next()`: the queue holds this only while one
   * waits (`#endNexts` withdraws it).
   */
  #deliver = (frame: Frame): void => {
    this.#nexts.shift()!({ value: frame, done: false });
    if (this.#nexts.length > 0) this.#queue.wait(this.#deliver);
  };

  /** Frames straight from the queue, holding `reader` (the stream's lock) until released. */
  #source(reader: ReadableStreamDefaultReader<Frame>): FrameSource {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#endNexts();
      reader.releaseLock();
    };
    return {
      next: (): Promise<IteratorResult<Frame>> => {
        const queue = this.#queue;
        if (released) return Promise.resolve(DONE);
        if (queue.size > 0) {
          const value = queue.take();
          if (queue.size === 0 && queue.ended) this.#close();
          return Promise.resolve({ value, done: false });
        }
        if (this.#done || queue.ended) {
          this.#close();
          this.#endIteration?.();
          return Promise.resolve(DONE);
        }
        return new Promise((resolve) => {
          if (this.#nexts.push(resolve) === 1) queue.wait(this.#deliver);
        });
      },
      stop: () => this.#endNexts(),
      // The lock is kept: a pipe lets go of it as it finalizes (`FrameSource.cancel`).
      cancel: (reason: unknown): Promise<void> =>
        released ? Promise.resolve() : reader.cancel(reason), // answers waiting next()s
      release,
      ended: () => this.#done || this.#queue.ended && this.#queue.size === 0,
    };
  }

  /**
   * The stream's async iterator, as the standard's: it ends (and lets go of the lock) when the
   * stream closes; `return()` cancels the stream unless `preventCancel`, then lets go.
   */
  #iterate(
    reader: ReadableStreamDefaultReader<Frame>,
    preventCancel: boolean,
  ): AsyncIterableIterator<Frame> {
    const source = this.#source(reader);
    const endIteration = () => {
      this.#endIteration = undefined;
      source.release();
    };
    this.#endIteration = endIteration;
    /** Settles once `return()` has run; set once it was called: later `next()`s are done. */
    let returned: Promise<unknown> | undefined;
    /** After `return()` has run, however it settled (WebIDL chains on both outcomes). */
    const afterReturn = <T>(result: T): Promise<T> => returned!.then(() => result, () => result);
    const finish = (value: unknown): Promise<IteratorResult<Frame>> => {
      // Only this iteration's: a return that waited on a next() the close answered runs after
      // the close let go of the lock, when an iteration begun since may be the one running.
      if (this.#endIteration === endIteration) this.#endIteration = undefined;
      // As the standard's `return()`: the cancel asked, the lock let go at once, not once the
      // cancel has settled ("ReadableStreamReaderGenericCancel", then "...DefaultReaderRelease").
      const ended = preventCancel ? undefined : source.cancel(value);
      source.release();
      const result = { value, done: true } as IteratorResult<Frame>;
      return ended === undefined ? Promise.resolve(result) : ended.then(() => result);
    };
    const iterator: AsyncIterableIterator<Frame> = {
      // The source's own until `return()` (no call more a frame, on every `for await`'s path),
      // then done after it (`afterReturn`): a `for await` read `next` once, at its start, and has
      // ended by the time its `return()` runs.
      next: source.next,
      return: (value?: unknown): Promise<IteratorResult<Frame>> => {
        if (returned !== undefined) {
          return afterReturn({ value, done: true } as IteratorResult<Frame>);
        }
        iterator.next = () => afterReturn(DONE);
        // As the standard's (WebIDL "asynchronous iterator prototype object": `return()` runs
        // after the ongoing `next()`), a `next()` still waiting gets the next frame (or the
        // close) first: cancelled or let go now, its frame would be lost or it would end early.
        const last = this.#nexts.length - 1;
        if (last < 0) return returned = finish(value);
        const ongoing = this.#nexts[last]!;
        let answer!: (result: Promise<IteratorResult<Frame>>) => void;
        returned = new Promise<IteratorResult<Frame>>((resolve) => answer = resolve);
        this.#nexts[last] = (result) => {
          ongoing(result);
          // A turn later, as the standard reacts to the ongoing promise: not inside the push
          // that answered it (a cancel there would run in the middle of the inbound path).
          answer(Promise.resolve().then(() => finish(value)));
        };
        return returned as Promise<IteratorResult<Frame>>;
      },
      [Symbol.asyncIterator]: () => iterator,
      [Symbol.asyncDispose]: async () => void await iterator.return!(),
    } as AsyncIterableIterator<Frame> & AsyncDisposable;
    return iterator;
  }

  /** Answers every waiting `next()`: no more frames (for this reader). */
  #endNexts(): void {
    const nexts = this.#nexts;
    if (nexts.length === 0) return;
    this.#nexts = [];
    // Nobody waits now (the stream's own reads never wait beside ours: one lock): the next frame
    // must be queued, not handed to no one.
    this.#queue.wait(undefined);
    for (const next of nexts) next(DONE);
  }

  #close(): void {
    if (this.#done) return;
    this.#done = true;
    this.#controller.close();
    // As the standard's iterator, which lets go of the lock as a read gets the close (its "close
    // steps"): with no `next()` waiting, the stream stays locked until the next one.
    const waited = this.#nexts.length > 0;
    this.#endNexts();
    if (waited) this.#endIteration?.();
  }
}

/**
 * The readable itself: a `ReadableStream` (a subclass, so that the runtime's own stream code sees
 * one shape for all of them) whose iteration and pipes into a transport's writable are
 * {@linkcode InboundStream}'s.
 */
class FrameReadable extends ReadableStream<Frame> {
  readonly #inbound: InboundStream;

  constructor(inbound: InboundStream, source: UnderlyingDefaultSource<Frame>) {
    // highWaterMark 0: frames stay in the queue, where overflow can drop the oldest audio,
    // instead of the stream's own queue, where nothing can be dropped. It also means the stream
    // pulls only for a read of its own reader, never while ours holds the lock.
    super(source, { highWaterMark: 0 });
    this.#inbound = inbound;
  }

  static {
    // Defined on the prototype rather than declared: the libs disagree on the iterator's declared
    // type (Deno's `AsyncIterableIterator`, the DOM's `ReadableStreamAsyncIterator`), and ours is
    // both, with `Symbol.asyncDispose` as the standard's has.
    const values = function (this: FrameReadable, options?: ReadableStreamIteratorOptions) {
      // Read as the standard's `values()` reads them (WebIDL: a non-object throws a TypeError,
      // `preventCancel` by ToBoolean), once, and handed on converted when the runtime iterates.
      const preventCancel = Boolean(dictionaryMembers(options, "values").preventCancel);
      return this.#inbound.iterate(this, preventCancel) ??
        ReadableStream.prototype[Symbol.asyncIterator].call(this, { preventCancel });
    };
    for (const key of ["values", Symbol.asyncIterator]) {
      Object.defineProperty(this.prototype, key, {
        value: values,
        configurable: true,
        writable: true,
      });
    }
  }

  override pipeTo(destination: WritableStream<Frame>, options?: StreamPipeOptions): Promise<void> {
    return this.#inbound.pipeTo(this, destination, options) ?? super.pipeTo(destination, options);
  }
}
