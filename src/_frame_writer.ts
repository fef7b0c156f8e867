/**
 * A transport's `writable`: a real `WritableStream` (pipes into it work as the standard says),
 * whose `getWriter()` hands out a writer that sends each frame at once on the push surface. The
 * stream's own write machinery (its queue, a sink call and a promise resolved a turn later for
 * every frame) cost a bare echo on Deno about a tenth more CPU; this writer costs a shared,
 * already resolved promise for a frame the transport takes at once.
 *
 * @module
 */

import { durationMs } from "./audio/pcm.ts";
import { frameProblem, notAFrameProblem } from "./_frame_problem.ts";
import type { AudioFrame, EndFrame, Frame, MessageFrame } from "./frames.ts";
import { settleLater } from "./_settle_later.ts";
import {
  closeAfterAbort,
  erroredAsStandard,
  finishAbort,
  type HandedReady,
  pendingAbort,
  settleAbort,
  stop,
  takeReady,
  type WritableState,
} from "./_writable_state.ts";

/** What the writable does with frames: the transport's push surface and its two endings. */
export interface FrameSink {
  /** Sends one frame; a promise when the caller should wait for room (see `transport.send`). */
  send(frame: Frame): Promise<void> | undefined;
  /** How many interruptions the session has had. */
  interruptions(): number;
  /**
   * Whether a `message` frame not marked `urgent` goes at once past the writes waiting for room,
   * as the transport would take it past its own queue (`FrameSerializer.overtakesQueue`): asked
   * only where no `message` frame waits among those writes. It then goes to {@linkcode send} as
   * written (the transport asks again as it takes it): a copy marked urgent would reach the
   * serializer as a frame the bot never wrote (the JSON serializer writes `urgent` on the wire).
   * Absent: it waits its turn.
   */
  overtakes?(frame: MessageFrame): boolean;
  /**
   * A `message` frame now waits for room behind another write (see {@linkcode holdsMessage}):
   * told as it begins to wait, so that a wait the transport would give up for a message queued
   * behind the audio it holds back (the far end's hold of its playout) is given up for this one
   * too, as for one sent. Absent: nobody is told.
   */
  messageHeld?(): void;
  /** Audio written before an interruption and still waiting in a writer when it came: dropped. */
  dropInterrupted(frame: AudioFrame): void;
  /**
   * A frame written behind a write waiting for room, never sent: the writable was aborted (or
   * failed) meanwhile. Dropped, as the transport's own queue is.
   */
  dropUnsent(frame: Frame): void;
  /** The writable was closed: send what is queued, then leave. */
  close(): Promise<void>;
  /**
   * The writable was aborted, for `reason`: the aborter's own, which the writer's `closed` and the
   * refused writes reject with (the transport keeps it nowhere: it closes with 1011, its own).
   */
  abort(reason: unknown): Promise<void>;
}

/** What a write the transport took at once returns: settled, and shared. */
export const WRITTEN: Promise<void> = Promise.resolve();

/** Whether `stream` is a transport's writable, made by {@linkcode frameWritable}. */
export function isFrameWritable(stream: unknown): boolean {
  return stream instanceof FrameWritable;
}

/**
 * An interruption came: the milliseconds of audio waiting for room in the writers of `stream` (a
 * transport's writable, or none yet), which were written before it and are dropped when their
 * turn comes (`FrameSink.dropInterrupted`). Each is counted by one interruption only.
 */
export function takeHeldAudioMs(stream: WritableStream<Frame> | undefined): number {
  return stream instanceof FrameWritable ? FrameWritable.takeHeldMs(stream) : 0;
}

/**
 * The socket dropped: the first `end` waiting for room in the writers of `stream` (a transport's
 * writable, or none yet), taken, or `undefined`. Taken, it is not sent as its turn comes, nor
 * counted dropped: the transport hands it to the serializer (see `OutboundPath.drop`).
 */
export function takeHeldEnd(stream: WritableStream<Frame> | undefined): EndFrame | undefined {
  return stream instanceof FrameWritable ? FrameWritable.takeHeldEnd(stream) : undefined;
}

/**
 * Whether an `end` written to `stream` (a transport's writable, or none yet) waits in its writers
 * for room, not yet taken ({@linkcode takeHeldEnd}): the bot has asked to end the call, and the
 * `end` reaches the transport once the frames before it have room.
 */
export function holdsEnd(stream: WritableStream<Frame> | undefined): boolean {
  return stream instanceof FrameWritable && FrameWritable.holdsEnd(stream);
}

/**
 * Whether a `message` frame written to `stream` (a transport's writable, or none yet) waits in
 * its writers for room: it reaches the transport once the frames before it have room, and keeps
 * its place after them (`FrameSink.messageHeld` tells when one begins to wait).
 */
export function holdsMessage(stream: WritableStream<Frame> | undefined): boolean {
  return stream instanceof FrameWritable && FrameWritable.holdsMessage(stream);
}

/**
 * Whether `stream` is a transport's writable whose close has been asked for: it takes no more
 * frames (the standard's "close queued or in flight", which a pipe checks before it reads). Not
 * once it has errored in the standard's eyes: a pipe into it fails with its error, as the
 * standard's pipe looks at the destination's error before its close ("ReadableStreamPipeTo").
 */
export function isClosingFrameWritable(stream: WritableStream<Frame>): boolean {
  return stream instanceof FrameWritable && FrameWritable.closing(stream);
}

/**
 * What the writers of one writable share (`WritableState`), and the `message` frames among the
 * frames waiting for room.
 */
interface FrameWritableState extends WritableState {
  /**
   * `message` frames waiting for room behind another write: a message written after them may not
   * overtake them (see {@linkcode overtakesWaiting}).
   */
  heldMessages: number;
}

/** Makes the writable of a transport whose frames go to `sink`. */
export function frameWritable(sink: FrameSink): WritableStream<Frame> {
  return new FrameWritable(sink);
}

/**
 * The writable itself: a `WritableStream` (a subclass, so that the runtime's own stream code sees
 * one shape for all of them) whose writers are {@linkcode FrameWriter}s.
 */
class FrameWritable extends WritableStream<Frame> {
  readonly #sink: FrameSink;
  readonly #state: FrameWritableState;

  constructor(sink: FrameSink) {
    let controller!: WritableStreamDefaultController;
    let aborted: Promise<void> | undefined;
    const state: FrameWritableState = {
      error: (error) => controller.error(error),
      closing: false,
      stopped: undefined,
      waiting: undefined,
      backlog: 0,
      heldMs: 0,
      taken: 0,
      heldEnd: undefined,
      heldMessages: 0,
      abort: (reason) => aborted ??= sink.abort(reason),
      abortAnswer: undefined,
      lateClose: undefined,
      ready: undefined,
      aborting: undefined,
    };
    super({
      start: (c) => {
        controller = c;
        // The standard calls the sink's `abort` only once a write in flight has settled, and a
        // write waits for room until most of its audio has played: a standard writer's `abort()`
        // would let a whole TTS buffer play first. Its signal comes at once. (A pipe told to stop
        // waits for its writes before it aborts at all, as the standard says.)
        c.signal?.addEventListener("abort", () => {
          stop(state, c.signal.reason, false);
          void state.abort(c.signal.reason);
        });
      },
      // A write of the stream's own (a pipe of the runtime's, which takes no writer of ours) and
      // the close come after the frames a writer of ours, since let go, left waiting for room:
      // the standard writes a stream's chunks, and closes it, in the order they came
      // (WHATWG Streams, "WritableStreamDefaultControllerAdvanceQueueIfNeeded"), and ours were
      // written before. Else a pipe's frames would overtake them, and the close would leave the
      // session before they were sent. Held there, it is a writer's held frame (`sendInTurn`):
      // audio an interruption overtook meanwhile is dropped with the rest, an `end` can be taken
      // as the socket drops, and a frame whose wait failed is counted dropped, never lost untold.
      // An interruption, a cancel or an urgent message goes at once, as from a writer of ours (see
      // `overtakesWaiting`). On the usual path (nothing waiting) one field read a write. The
      // standard calls this again only once the frame held here has been sent, and a writer of
      // ours cannot write meanwhile (the pipe holds the lock). A frame the transport refuses goes
      // now, to be refused (an `encode` error), as from a writer of ours: the question reads its
      // fields (`null.type` would fail the stream). The pipe's chunk is not copied: the stream
      // owns it once enqueued, as the standard's does.
      write: (frame) => {
        const waiting = state.waiting;
        if (waiting === undefined || refused(frame) || overtakesWaiting(frame, sink, state)) {
          return sink.send(frame);
        }
        return sendInTurn(frame, waiting, { sink, state, send: (held) => sink.send(held) });
      },
      close: () => {
        state.closing = true;
        const waiting = state.waiting;
        if (waiting === undefined) return sink.close();
        // Either way the write waiting for room ends: failed, it stopped the stream (`#fail`).
        const afterWaiting = () => {
          const stopped = state.stopped;
          // In flight from here: an abort now settles as this close does (`settleAbort`).
          if (stopped === undefined) return sink.close();
          // Aborted or failed while the close waited behind a write for room: as the standard's
          // close queued behind a write in flight, it fails with the stream's reason and never
          // reaches the transport ("WritableStreamFinishErroring" rejects the close request);
          // aborted, only once the abort has settled as the transport's abort does.
          if (state.abortAnswer === undefined) throw stopped.reason;
          const fail = () => Promise.reject(stopped.reason);
          return finishAbort(state, state.abort(stopped.reason)).then(fail, fail);
        };
        return waiting.then(afterWaiting, afterWaiting);
      },
      // The transport's side is aborted at once (the signal, above); the stream's abort settles,
      // and a writer's `closed` rejects, once the write waiting for room is done, as the
      // standard's do after the write in flight ("WritableStreamFinishErroring").
      abort: (reason) => {
        const aborted = state.abort(reason);
        const waiting = state.waiting;
        const steps = waiting === undefined ? aborted : waiting.then(() => aborted, () => aborted);
        return finishAbort(state, steps);
      },
    });
    this.#sink = sink;
    this.#state = state;
  }

  /** See {@linkcode takeHeldAudioMs}. */
  static takeHeldMs(stream: FrameWritable): number {
    const state = stream.#state;
    const held = state.heldMs;
    state.heldMs = 0;
    state.taken++;
    return held;
  }

  /** See {@linkcode holdsEnd}. */
  static holdsEnd(stream: FrameWritable): boolean {
    const held = stream.#state.heldEnd;
    return held !== undefined && !held.taken;
  }

  /** See {@linkcode holdsMessage}. */
  static holdsMessage(stream: FrameWritable): boolean {
    return stream.#state.heldMessages > 0;
  }

  /** See {@linkcode isClosingFrameWritable}. */
  static closing(stream: FrameWritable): boolean {
    const state = stream.#state;
    return state.closing && !erroredAsStandard(state);
  }

  /** See {@linkcode takeHeldEnd}. */
  static takeHeldEnd(stream: FrameWritable): EndFrame | undefined {
    const held = stream.#state.heldEnd;
    if (held === undefined || held.taken) return undefined;
    held.taken = true;
    return held.frame;
  }

  override getWriter(): WritableStreamDefaultWriter<Frame> {
    return new FrameWriter(super.getWriter(), this.#sink, this.#state);
  }

  override close(): Promise<void> {
    if (!this.locked) {
      const late = closeAfterAbort(this.#state);
      if (late !== undefined) return late;
      // Not once the stream has failed or been aborted: the runtime's refuses the close then, and
      // a pipe into it fails with the stream's error, not as one into a closing stream.
      if (this.#state.stopped === undefined) this.#state.closing = true;
    }
    return super.close();
  }

  override abort(reason?: unknown): Promise<void> {
    const state = this.#state;
    if (this.locked) return super.abort(reason); // a TypeError, as the standard's
    return state.aborting ?? pendingAbort(state, settleAbort(state, () => super.abort(reason)));
  }
}

/**
 * A writer for a transport's writable with the standard writer's contract: it holds the stream's
 * lock (through a standard writer, which answers for it once it is closed, aborted or released),
 * frames reach the transport in the order written, a write resolves once the transport has room,
 * a frame written while one waits for room is sent after it, `ready` and `desiredSize` tell of
 * that wait, a write after `close()` rejects, and a frame the transport throws on errors the
 * stream, as a throwing sink does. Except that interruptions and urgent messages overtake what
 * waits for room, as they overtake the transport's own queue, and so does a message the
 * serializer lets overtake (`FrameSerializer.overtakesQueue`) where no message waits before it.
 */
class FrameWriter implements WritableStreamDefaultWriter<Frame> {
  readonly #standard: WritableStreamDefaultWriter<Frame>;
  readonly #sink: FrameSink;
  readonly #state: FrameWritableState;
  /** `close()`, `abort()` or `releaseLock()` was called: the standard writer answers from now on. */
  #handedOver = false;
  /** `releaseLock()` was called. */
  #released = false;
  /**
   * This writer's `closed`, where not the runtime writer's: made while an abort waited for the
   * write waiting for room, when the runtime's had failed at once (see the constructor).
   */
  #closed: Promise<void> | undefined;
  /**
   * The `ready` this writer handed out last while writes waited for room: once settled, still its
   * `ready` unless a stop or release came after (see {@linkcode HandedReady}); unset by a release
   * that found it settled already.
   */
  #ready: HandedReady | undefined;

  constructor(
    standard: WritableStreamDefaultWriter<Frame>,
    sink: FrameSink,
    state: FrameWritableState,
  ) {
    this.#standard = standard;
    this.#sink = sink;
    this.#state = state;
    // A stream closing or closed, failed, or with frames of an earlier standard writer queued in
    // it: the standard writer answers, and keeps the order. (Frames an earlier writer of ours left
    // waiting for room are in `state.waiting`: this one's go after them.)
    this.#handedOver = state.closing || standard.desiredSize !== 1;
    // Aborted, the abort waiting for the write waiting for room: the standard's stream is erroring,
    // and a writer's `closed` rejects once the abort settles ("WritableStreamFinishErroring"); the
    // runtime's, errored, rejected it at once. That write done, the standard's has errored, and
    // a new writer's `closed` is rejected from the start ("SetUpWritableStreamDefaultWriter"),
    // where the runtime's, its close in flight, would wait for the transport's abort. So too once
    // a write failed behind which a close was queued (`erroredAsStandard`), where the runtime's
    // close in flight has yet to fail.
    const answer = state.abortAnswer;
    if (answer !== undefined || erroredAsStandard(state)) {
      const reason = state.stopped?.reason;
      const fail = () => Promise.reject(reason);
      const closed = this.#closed = erroredAsStandard(state)
        ? fail()
        : answer!.promise.then(fail, fail);
      closed.catch(() => {}); // as the standard's, marked handled
    }
  }

  get closed(): Promise<void> {
    return this.#closed ?? this.#standard.closed;
  }

  get ready(): Promise<void> {
    const state = this.#state;
    if (this.#handedOver || state.waiting === undefined) {
      // The one handed out while writes waited, settled where it was (the runtime writer never saw
      // that wait, and its own `ready` is another promise), unless replaced since: a release
      // decided it (`releaseLock`); a stop that came after it settled replaces it.
      const kept = this.#ready;
      if (
        kept?.stopped !== undefined &&
        (this.#released || kept.stopped === (state.stopped !== undefined))
      ) {
        return kept.promise;
      }
      return this.#standard.ready;
    }
    let ready = state.ready;
    if (ready === undefined) {
      ready = state.ready = this.#ready = settleLater<void>();
      ready.promise.catch(() => {}); // as the standard's, marked handled: the writes tell of it
    }
    return ready.promise;
  }

  get desiredSize(): number | null {
    const state = this.#state;
    // The standard's high-water mark, less what it would hold; none once the stream has stopped
    // (a frame another writer left waiting for room failed).
    if (!this.#handedOver) return state.stopped === undefined ? 1 - state.backlog : null;
    const size = this.#standard.desiredSize;
    // Closed behind writes waiting for room: the runtime's close is in flight, as our writes passed
    // it by, or queued in a stream not started yet, where the standard's is queued behind them, and
    // they still count (the close, none).
    return size !== null && state.closing && state.waiting !== undefined
      ? size - state.backlog
      : size;
  }

  write(frame: Frame): Promise<void> {
    const state = this.#state;
    if (this.#handedOver) {
      // Errored in the standard's eyes, which answers with the reason before it looks at a close
      // (`erroredAsStandard`: a write failed, or an abort waits only for the transport's), where
      // the runtime's close may still be in flight, refusing the write as a closing stream's.
      if (!this.#released && erroredAsStandard(state)) {
        return Promise.reject(state.stopped?.reason);
      }
      // Closing, and not failed or aborted (or only aborting: `abortAnswer`): refused here, as the
      // standard refuses a write once a close is asked for ("WritableStreamDefaultWriterWrite").
      // The runtime's close may be in flight where the standard's waits behind a write waiting for
      // room, and Deno's writer, asked to write then, fails the stream (its chunk-size step calls
      // the size algorithm its close cleared, where "WritableStreamDefaultControllerGetChunkSize"
      // returns 1); aborting, the runtime's stream has failed already.
      if (
        state.closing && !this.#released &&
        (state.stopped === undefined || state.abortAnswer !== undefined)
      ) {
        return Promise.reject(new TypeError("the writable is closing"));
      }
      // Else (let go too: then a TypeError, whatever became of the stream) the standard writer
      // answers.
      return this.#standard.write(frame);
    }
    const stopped = state.stopped;
    if (stopped !== undefined) return Promise.reject(stopped.reason);
    if (state.closing) return Promise.reject(new TypeError("the writable is closing"));
    const waiting = state.waiting;
    if (waiting === undefined) {
      const room = this.#send(frame);
      return room === undefined ? WRITTEN : this.#wait(room);
    }
    // A frame the transport refuses (no frame, a malformed one) goes now, to be refused as `send`
    // refuses it (an `encode` error): it is never sent, so it has no place to keep, and held it
    // would be read as the audio it is not.
    if (refused(frame)) return this.#send(frame) ?? WRITTEN;
    // An interruption, a cancel or an urgent message goes at once, as `send` takes it; so does a
    // message the transport lets overtake.
    if (overtakesWaiting(frame, this.#sink, state)) return this.#send(frame) ?? WRITTEN;
    // Behind a frame that waits for room, as the standard stream queues it (`sendInTurn`).
    // Its audio is read now, as `send` reads it: the bot may reuse its buffer once write returns.
    // A copy of its own: a Node `Buffer`'s `slice()` is a view of the same memory.
    const held = frame.type === "audio" ? { ...frame, audio: new Uint8Array(frame.audio) } : frame;
    const send = (turn: Frame) => this.#send(turn);
    return this.#wait(sendInTurn(held, waiting, { sink: this.#sink, state, send }));
  }

  close(): Promise<void> {
    if (this.#handedOver) {
      if (this.#released) return this.#standard.close(); // a TypeError, as the standard's
      return closeAfterAbort(this.#state) ?? this.#standard.close();
    }
    this.#handedOver = true;
    // Failed (a frame a writer let go of left waiting): the runtime's refuses the close, as above.
    if (this.#state.stopped === undefined) this.#state.closing = true;
    takeReady(this.#state)?.resolve(); // as the standard's close: no write will wait for room
    // Asked of the stream now, as the standard's close is (the sink's close waits for the frames
    // waiting for room): the close stands if this writer is let go before they are sent, and
    // the stream is closing for whoever comes next (a pipe into it is refused at once).
    return this.#standard.close();
  }

  abort(reason?: unknown): Promise<void> {
    const state = this.#state;
    if (this.#released) return this.#standard.abort(reason); // a TypeError, as the standard's
    const first = !this.#handedOver;
    this.#handedOver = true;
    // Asked of the stream now, as the standard's abort is: it stands if this writer is let go
    // before the frame waiting for room is done, and the stream is aborted for whoever comes
    // next. Its signal aborts the session at once, as the standard signals a sink's write in
    // flight: its queued audio is dropped (counted), so the frame waiting for room finishes now.
    // As the standard's, the abort settles once that frame is done (`settleAbort`), then
    // `closed` rejects; those behind it fail.
    return state.aborting ?? pendingAbort(
      state,
      settleAbort(state, () => {
        if (first) stop(state, reason, false);
        return this.#standard.abort(reason);
      }),
    );
  }

  releaseLock(): void {
    // A `ready` pending is this writer's (one handed over has had its own settled): the standard
    // rejects it, and it stays this writer's `ready`; one settled already is replaced by the
    // runtime writer's, rejected. The next writer's `ready` is another promise.
    const pending = this.#handedOver ? undefined : takeReady(this.#state);
    pending?.reject(new TypeError("the writer was released"));
    if (pending === undefined) this.#ready = undefined;
    this.#handedOver = true;
    this.#released = true;
    this.#closed = undefined; // the runtime writer's, rejected with a TypeError as it lets go
    this.#standard.releaseLock();
  }

  /** Sends one frame; a frame the transport throws on fails the stream, as the standard's would. */
  #send(frame: Frame): Promise<void> | undefined {
    try {
      return this.#sink.send(frame);
    } catch (error) {
      this.#fail(error);
      return Promise.reject(error);
    }
  }

  /** `room` is a wait for room: frames written meanwhile go after it. */
  #wait(room: Promise<void> | undefined): Promise<void> {
    const state = this.#state;
    state.backlog++;
    /** The wait failed: the stream stops with it (`#fail`, just after `done`). */
    let failed = false;
    const done = () => {
      state.backlog--;
      if (state.waiting !== settled) return;
      state.waiting = undefined;
      state.aborting = undefined; // see `pendingAbort`
      // None waits for room now: a pending `ready` settles just after this write does, as the
      // standard's backpressure goes off right after it finishes the write (failed, it fails
      // with it, as the stream does: settled as the stream stopped, it stays the writer's).
      const ready = takeReady(state);
      if (ready === undefined) return;
      if (failed) ready.stopped = true;
      ready.resolve(settled);
    };
    const settled: Promise<void> = Promise.resolve(room).then(done, (error) => {
      failed = true;
      done();
      this.#fail(error);
      throw error;
    });
    state.waiting = settled;
    return settled;
  }

  #fail(error: unknown): void {
    this.#handedOver = true;
    if (this.#state.stopped !== undefined) return;
    stop(this.#state, error, true);
    this.#state.error(error);
  }
}

/** Where a frame held behind a write waiting for room goes at its turn. */
interface HeldFrameWay {
  sink: FrameSink;
  state: FrameWritableState;
  /** Sends it: a writer's (a frame the transport throws on fails the stream), or the sink's. */
  send(frame: Frame): Promise<void> | undefined;
}

/**
 * Sends `held`, written behind the write waiting for room (`waiting`), once that write is done,
 * as the standard stream queues it; settles as its send does. Meanwhile its audio counts as held
 * (`takeHeldAudioMs`), an `end` can be taken as the socket drops (`takeHeldEnd`), and a message
 * keeps the messages written after it from overtaking it. At its turn, audio an interruption
 * overtook meanwhile was written before it, and goes with the rest it dropped (its `droppedMs`
 * told of it), whether or not the stream stopped since; else, the stream aborted or failed (that
 * wait failed, or another stopped it), it is refused as the standard refuses the writes queued
 * then, and counted (`dropUnsent`): each frame ends sent, taken, or counted once.
 */
function sendInTurn(
  held: Frame,
  waiting: Promise<void>,
  { sink, state, send }: HeldFrameWay,
): Promise<void> {
  const interruptions = sink.interruptions();
  const release = holdAudio(state, held);
  const end = held.type === "end" && state.heldEnd === undefined
    ? state.heldEnd = { frame: held, taken: false }
    : undefined;
  const message = held.type === "message";
  if (message) {
    state.heldMessages++;
    sink.messageHeld?.(); // counted first: the transport asks `holdsMessage`
  }
  const turn = (failed: { reason: unknown } | undefined) => {
    release();
    // Its turn: no longer ahead of the messages written after it (sent now, it is queued or
    // gone, as the transport then tells).
    if (message) state.heldMessages--;
    if (end !== undefined) {
      state.heldEnd = undefined;
      if (end.taken) return; // handed to the serializer as the socket dropped
    }
    const interrupted = held.type === "audio" && sink.interruptions() !== interruptions;
    if (interrupted) sink.dropInterrupted(held);
    const stopped = failed ?? state.stopped;
    if (stopped === undefined) return interrupted ? undefined : send(held);
    if (!interrupted) sink.dropUnsent(held);
    throw stopped.reason;
  };
  return waiting.then(() => turn(undefined), (reason) => turn({ reason }));
}

/**
 * Counts `frame`'s audio as held until the returned function is called (its turn came), so that
 * an interruption meanwhile can tell what it drops (`interrupt().droppedMs`).
 */
function holdAudio(state: FrameWritableState, frame: Frame): () => void {
  // Only a sound frame is held (`refused`); audio of no bytes has no duration to count.
  const ms = frame.type === "audio" ? durationMs(frame.audio.length, frame) : 0;
  if (!(ms > 0) || !Number.isFinite(ms)) return () => {};
  const taken = state.taken;
  state.heldMs += ms;
  return () => {
    if (state.taken === taken) state.heldMs -= ms;
  };
}

/**
 * Whether `frame` goes at once past the frames waiting for room, as `send` takes it past the
 * transport's own queue: an interruption, a `cancel`, an urgent message, or a message the
 * transport lets overtake (`FrameSink.overtakes`, the serializer's `overtakesQueue`) where no
 * message written before it waits here. Behind a frame that waits for room (a long TTS buffer) it
 * would wait for most of that frame to play, and one that ends a pause of sending (Asterisk's
 * `CONTINUE_MEDIA` under `MEDIA_XOFF`) for as long as the pause's bound. Only a message is asked:
 * nothing for audio.
 *
 * A `cancel` hangs up at once, dropping what was written before it (`CancelFrame`): in turn, it
 * waited for the audio ahead of it to play down to `maxQueuedMs` (a 2 s write hung up 1.8 s late),
 * and, written before the socket opened, where that audio waits for the open, it never reached the
 * transport before the open bound ended the session as the caller's drop (1006, "disconnected"),
 * its code lost. What it passes by reaches the transport after it, too late: dropped, counted
 * (`framesDroppedOnClose`, `audioBytesDroppedOnClose`), as what is written after it is; an `end`
 * among them is no longer the session's ending (`OutboundPath.endWaits`).
 */
function overtakesWaiting(frame: Frame, sink: FrameSink, state: FrameWritableState): boolean {
  if (frame.type === "interruption" || frame.type === "cancel") return true;
  if (frame.type !== "message") return false;
  if (frame.urgent === true) return true;
  return state.heldMessages === 0 && sink.overtakes?.(frame) === true;
}

/** Whether the transport refuses `frame` at once (an `encode` error): no frame, or a malformed one. */
function refused(frame: Frame): boolean {
  return notAFrameProblem(frame) !== undefined || frameProblem(frame) !== undefined;
}
