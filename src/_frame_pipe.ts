/**
 * `pipeTo` from a transport's readable into a transport's writable: the streams standard's pipe
 * (WHATWG Streams, "ReadableStreamPipeTo": backpressure, errors and closing propagated both ways,
 * the abort signal), on frames taken from the inbound queue directly instead of through a
 * reader's reads, written with the writable's writer, which sends each frame at once.
 *
 * @module
 */

import { isClosingFrameWritable, WRITTEN } from "./_frame_writer.ts";
import type { Frame } from "./frames.ts";

/** The frames a pipe reads, the readable's lock held until released. */
export interface FrameSource {
  /** The next frame, or done once the readable has closed (or the source was released). */
  next(): Promise<IteratorResult<Frame>>;
  /** Answers a pending `next()` with done, taking no frame: the pipe is shutting down. */
  stop(): void;
  /**
   * Cancels the readable with `reason`; the lock is still held, until {@linkcode release}: the
   * standard's pipe lets go of the source only as it finalizes, after every action has settled.
   */
  cancel(reason: unknown): Promise<void>;
  /** Lets go of the readable; frames not read stay for its next reader. */
  release(): void;
  /** Whether the readable has closed (or was cancelled): `next()` would take no frame. */
  ended(): boolean;
}

/** `StreamPipeOptions` as the standard's pipe reads them: each member converted. */
export interface PipeOptions {
  preventAbort: boolean;
  preventCancel: boolean;
  preventClose: boolean;
  signal: AbortSignal | undefined;
}

/**
 * The members of an options argument, read as WebIDL converts a value to a dictionary (WebIDL
 * §3.2.17 "dictionary"): undefined and null are none; any other value that is not an object (a
 * `true` meant as "prevent close", a number) is a `TypeError`, as the runtime's own `pipeTo` and
 * `values()` answer it, rather than taken silently for no options. `method` names the call.
 */
export function dictionaryMembers(value: unknown, method: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value === "object" || typeof value === "function") {
    return value as Record<string, unknown>;
  }
  throw new TypeError(`${method}: the options argument is ${typeof value}, not an object`);
}

/**
 * `options` converted to the standard's `StreamPipeOptions` (WebIDL): members read once each, in
 * the dictionary's order (lexicographic: what a getter with side effects sees), booleans by
 * ToBoolean (`"no"` is true), `signal` an `AbortSignal` or absent. Throws a `TypeError` (or what
 * a getter throws) where the runtime's `pipeTo` would reject with it, before any lock is taken.
 */
export function pipeOptions(options: unknown): PipeOptions {
  const given = dictionaryMembers(options, "pipeTo");
  const preventAbort = Boolean(given.preventAbort);
  const preventCancel = Boolean(given.preventCancel);
  const preventClose = Boolean(given.preventClose);
  const signal = given.signal;
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new TypeError("pipeTo: options.signal is not an AbortSignal");
  }
  return { preventAbort, preventCancel, preventClose, signal };
}

/**
 * Whether `value` is an `AbortSignal` as WebIDL's conversion tells one: a platform object, not
 * merely an object whose prototype is `AbortSignal.prototype` (`Object.create` makes one, whose
 * `aborted` throws). Told by that getter, which checks the object is a real signal: the pipe
 * reads it only once both streams are locked, and a throw there left them locked for good.
 */
function isAbortSignal(value: unknown): value is AbortSignal {
  if (!(value instanceof AbortSignal)) return false;
  try {
    Reflect.get(AbortSignal.prototype, "aborted", value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Pipes `source` into `destination` (unlocked, checked by the caller) as the standard's `pipeTo`
 * does, with `options` already converted ({@linkcode pipeOptions}); settles once the pipe is over
 * and both locks are let go.
 */
export function pipeFrames(
  source: FrameSource,
  destination: WritableStream<Frame>,
  options: PipeOptions,
): Promise<void> {
  const { preventClose, preventAbort, preventCancel, signal } = options;
  let writer: WritableStreamDefaultWriter<Frame>;
  try {
    writer = destination.getWriter();
  } catch (error) {
    source.release();
    return Promise.reject(error);
  }
  return new Promise<void>((resolve, reject) => {
    let shuttingDown = false;
    /** The destination errored (or was aborted): nothing more can be written. */
    let destinationFailed = false;
    /** The pipe closed the destination itself. */
    let closing = false;
    let lastWrite: Promise<void> = Promise.resolve();

    const finalize = (error?: { error: unknown }) => {
      writer.releaseLock();
      source.release();
      signal?.removeEventListener("abort", onAbort);
      if (error === undefined) resolve();
      else reject(error.error);
    };
    /** Stops reading; once what was read is written, runs `action` (if any), then finalizes. */
    const shutdown = (action?: () => Promise<unknown>, error?: { error: unknown }) => {
      if (shuttingDown) return;
      shuttingDown = true;
      source.stop(); // frames that come from now on stay in the queue
      const run = () => {
        if (action === undefined) return finalize(error);
        action().then(() => finalize(error), (actionError) => finalize({ error: actionError }));
      };
      if (destinationFailed || closing) run();
      else lastWrite.then(run, run);
    };
    const cancelSource = (reason: unknown) => () => source.cancel(reason);

    // Errors and closing propagated backward: the destination failing, or closed before.
    writer.closed.then(() => {
      if (closing) return;
      const error = new TypeError("pipeTo: the destination was closed");
      shutdown(preventCancel ? undefined : cancelSource(error), { error });
    }, (error) => {
      destinationFailed = true;
      shutdown(preventCancel ? undefined : cancelSource(error), { error });
    });

    function onAbort(): void {
      const error = signal!.reason;
      const actions: (() => Promise<unknown>)[] = [];
      if (!preventAbort) {
        // Only a destination still writable is aborted, as the standard's pipe does: one failed
        // or failing (`desiredSize` null: aborted, its abort under way) is left to it, where
        // another abort would wait for that one (a close in flight first: up to `closeTimeoutMs`).
        actions.push(() =>
          destinationFailed || writer.desiredSize === null ? Promise.resolve() : writer.abort(error)
        );
      }
      if (!preventCancel) actions.push(cancelSource(error));
      shutdown(() => Promise.all(actions.map((action) => action())), { error });
    }
    if (signal !== undefined) {
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort);
    }
    // Closing propagated backward: a destination whose close was asked for (and may wait for
    // room for a while) takes no frame, so none is read: each would be refused and lost.
    // Closing propagated forward comes first, as the standard applies it: a source already
    // closed closes the destination "with error propagation", which for a destination already
    // closing or closed is done at once, resolved ("WritableStreamDefaultWriterCloseWithError-
    // Propagation"); with `preventClose`, the pipe is over all the same.
    if (isClosingFrameWritable(destination)) {
      if (source.ended()) return shutdown();
      const error = new TypeError("pipeTo: the destination is closing or closed");
      return shutdown(preventCancel ? undefined : cancelSource(error), { error });
    }

    const pump = async () => {
      while (!shuttingDown) {
        // Backpressure: read only while the destination wants more.
        const wanted = writer.desiredSize;
        if (wanted === null || wanted <= 0) {
          try {
            await writer.ready;
          } catch {
            // The destination failed, or is failing (aborted while a write waits for room):
            // writer.closed says so, once it has. Closing propagated forward comes first where it
            // already applies: the standard's pipe looks at a source closed before it reads, and
            // with `preventClose` is over at once, resolved, unless the destination had already
            // errored (then writer.closed, rejected from the start, has shut the pipe down).
            if (preventClose && source.ended()) shutdown();
            return;
          }
          if (shuttingDown) return;
        }
        const result = await source.next();
        if (shuttingDown) {
          // A frame taken before the shutdown began is written, as the standard writes a chunk
          // it has read, unless nothing can take it any more.
          if (!result.done && !destinationFailed && !closing) write(result.value);
          return;
        }
        if (result.done) {
          // Closing propagated forward.
          if (preventClose) return shutdown();
          return shutdown(() => {
            closing = true;
            return writer.close();
          });
        }
        write(result.value);
      }
    };
    const write = (frame: Frame) => {
      lastWrite = writer.write(frame);
      // A failed write fails the destination, which writer.closed reports.
      if (lastWrite !== WRITTEN) lastWrite.catch(() => {});
    };
    void pump();
  });
}
