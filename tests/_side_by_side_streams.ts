// The transport's streams beside the standard's, for tests that run each case on both: the
// transport's readable (`inboundStream`) and writable (`frameWritable`), and a plain
// `ReadableStream` and `WritableStream` over the same sink, so the test and the transport's streams
// check each other (WHATWG Streams). Used by _frame_pipe_test.ts and the streams_*_test.ts files.

import { frameWritable } from "../src/_frame_writer.ts";
import { InboundQueue } from "../src/_inbound_queue.ts";
import { inboundStream } from "../src/_inbound_stream.ts";
import type { Frame } from "../src/frames.ts";

/** Which streams a case runs on: the transport's, or the standard's. */
export type StreamKind = "inboundStream" | "standard";

/** A message frame numbered `n`. */
export const message = (n: number): Frame => ({ type: "message", message: n });

/** Lets every pending promise reaction and the standard stream's start run. */
export const settle = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 0));

/** How a promise settled, recorded in `log` as it does. */
export function record(log: string[], name: string, promise: Promise<unknown>): void {
  promise.then(
    (value) => log.push(`${name} ${JSON.stringify(value)}`),
    (reason) => log.push(`${name} rejected ${String(reason)}`),
  );
}

/**
 * The part of a sink these tests never use: no interruption happens here, and a pipe writes no
 * frame behind one waiting for room (it waits for `ready`), so none is left unsent.
 */
export const NO_INTERRUPTIONS = {
  interruptions: () => 0,
  dropInterrupted: () => {},
  dropUnsent: () => {},
};

/** A readable of frames pushed by the test, and how often it was cancelled. */
export interface Source {
  readable: ReadableStream<Frame>;
  push(frame: Frame): void;
  end(): void;
  /** Frames pushed and not yet read from the source. */
  waiting(): number;
  cancelled: number;
}

/** The transport's readable over an inbound queue. */
export function transportSource(): Source {
  const queue = new InboundQueue({ maxFrames: 100, onDrop: () => {}, onOverflow: () => {} });
  const source: Source = {
    readable: inboundStream(queue, () => source.cancelled++),
    push: (frame) => queue.push(frame),
    end: () => queue.end(),
    waiting: () => queue.size,
    cancelled: 0,
  };
  return source;
}

/** A plain `ReadableStream` that, as the transport's, holds nothing in its own queue. */
export function standardSource(): Source {
  let controller!: ReadableStreamDefaultController<Frame>;
  const source: Source = {
    readable: new ReadableStream<Frame>({
      start: (c) => {
        controller = c;
      },
      cancel: () => {
        source.cancelled++;
      },
    }, { highWaterMark: 0 }),
    push: (frame) => controller.enqueue(frame),
    end: () => controller.close(),
    waiting: () => -controller.desiredSize!, // a high-water mark of 0, less what is queued
    cancelled: 0,
  };
  return source;
}

/** The source of `kind`. */
export function makeSource(kind: StreamKind): Source {
  return kind === "inboundStream" ? transportSource() : standardSource();
}

/**
 * A destination that records: the transport's writable (`frameWritable`) for the transport's
 * readable, a plain `WritableStream` for the standard's; `hold()` makes its next write wait
 * (until `release()`, or `failHeld()`), `failOn` makes a frame fail, `holdClose()` makes its close
 * wait (until `failClose()`), `holdAbort()` makes its abort wait (until `endAbort()`), as the
 * transport's does through its close handshake.
 */
export class Destination {
  readonly written: Frame[] = [];
  readonly events: string[] = [];
  readonly writable: WritableStream<Frame>;
  failOn: Frame | undefined;
  #release: (() => void) | undefined;
  #failHeld: ((reason: unknown) => void) | undefined;
  #holdNext = false;
  #holdClose = false;
  #failClose: ((reason: unknown) => void) | undefined;
  #holdAbort = false;
  #endAbort: ((failure?: { reason: unknown }) => void) | undefined;

  constructor(kind: StreamKind) {
    const send = (frame: Frame): Promise<void> | undefined => {
      if (frame === this.failOn) throw new Error("the destination failed");
      this.written.push(frame);
      if (!this.#holdNext) return undefined;
      this.#holdNext = false;
      return new Promise<void>((resolve, reject) => {
        this.#release = resolve;
        this.#failHeld = reject;
      });
    };
    const close = () => {
      this.events.push("close");
      if (!this.#holdClose) return Promise.resolve();
      return new Promise<void>((_, reject) => (this.#failClose = reject));
    };
    const abort = (reason: unknown) => {
      this.events.push(`abort ${reason}`);
      if (!this.#holdAbort) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        this.#endAbort = (failure) => failure === undefined ? resolve() : reject(failure.reason);
      });
    };
    this.writable = kind === "inboundStream"
      ? frameWritable({ send, close, abort, ...NO_INTERRUPTIONS })
      : new WritableStream<Frame>({ write: send, close, abort });
  }

  hold(): void {
    this.#holdNext = true;
  }

  release(): void {
    this.#release?.();
  }

  /** The write waiting (`hold()`) fails with `reason`, as a sink's write that rejects. */
  failHeld(reason: unknown): void {
    this.#failHeld?.(reason);
  }

  holdClose(): void {
    this.#holdClose = true;
  }

  /** The held close fails with `reason`. */
  failClose(reason: unknown): void {
    this.#failClose?.(reason);
  }

  holdAbort(): void {
    this.#holdAbort = true;
  }

  /** The held abort settles: done, or failed with `failure.reason`. */
  endAbort(failure?: { reason: unknown }): void {
    this.#endAbort?.(failure);
  }
}

/**
 * A destination of `kind` whose writer's one write (`write` in `log` once it settles) is in
 * flight, waiting for room.
 */
export async function writeWaitingForRoom(
  kind: StreamKind,
): Promise<
  { destination: Destination; writer: WritableStreamDefaultWriter<Frame>; log: string[] }
> {
  const destination = new Destination(kind);
  const writer = destination.writable.getWriter();
  const log: string[] = [];
  destination.hold();
  record(log, "write", writer.write(message(1)));
  await settle();
  return { destination, writer, log };
}
