/**
 * What the writers of a transport's `writable` share (`_frame_writer.ts`): the frames waiting for
 * room, the `ready` handed out meanwhile, and the steps that settle an abort and a close as the
 * WHATWG streams standard orders them while a write waits for room, where the runtime's stream,
 * which never saw that write, would settle them at once.
 *
 * @module
 */

import type { EndFrame } from "./frames.ts";
import { type SettleLater, settleLater } from "./_settle_later.ts";

/** What the writers of one writable share (a writer let go may leave frames waiting). */
export interface WritableState {
  /** Fails the stream, as a sink that throws does. */
  error(error: unknown): void;
  /** Close was asked for: writes are refused, by a writer made later too (the standard cannot tell). */
  closing: boolean;
  /**
   * Why the stream was aborted or failed, however that came (a writer of ours, the stream's own
   * `abort()`, a pipe told to stop): frames still waiting for room are not sent, whichever writer
   * wrote them, as the standard rejects every queued write then ("WritableStreamFinishErroring").
   * `failed`: a write failed (or the transport threw on a frame), which errors the standard's
   * stream at once, where an abort leaves it erroring until the write in flight is done (see
   * {@linkcode erroredAsStandard}).
   */
  stopped: { reason: unknown; failed: boolean } | undefined;
  /** Settles once the last frame that had to wait for room has been sent; unset when none waits. */
  waiting: Promise<void> | undefined;
  /** Writes not yet settled: the one waiting for room and those behind it. */
  backlog: number;
  /**
   * Milliseconds of audio behind the write waiting for room, written since the last interruption
   * took them ({@linkcode takeHeldAudioMs}): what the next interruption drops here.
   */
  heldMs: number;
  /** How many interruptions have taken `heldMs`: a write settling after one is no longer in it. */
  taken: number;
  /**
   * The first `end` written behind the write waiting for room, while it waits there; `taken`
   * once the transport handed it over another way ({@linkcode takeHeldEnd}): then never sent.
   */
  heldEnd: { frame: EndFrame; taken: boolean } | undefined;
  /** Aborts the transport's side (`FrameSink.abort`), once however many ways abort comes. */
  abort(reason: unknown): Promise<void>;
  /**
   * What an abort that came while a write waited for room answers (see `settleAbort`), while it
   * is pending: settled as the transport's abort settles, once that write is done, by the sink's
   * abort or, the close queued, by that close ({@linkcode finishAbort}).
   */
  abortAnswer: SettleLater<void> | undefined;
  /**
   * A close asked for after that abort and before it settled: the standard's stream, erroring,
   * takes it, and fails it once the abort settles; the runtime's, errored, would refuse it at once.
   */
  lateClose: SettleLater<void> | undefined;
  /**
   * The writer's `ready` handed out while writes wait for room, pending, as the standard's is
   * while there is backpressure: one promise however often it is read and however many writes
   * queue meanwhile. Taken (unset) as it settles ({@linkcode takeReady}): resolved once no write
   * waits ("WritableStreamUpdateBackpressure") or at the writer's close ("WritableStreamClose"),
   * rejected at once when the stream stops ("WritableStreamDefaultWriterEnsureReadyPromise-
   * Rejected") or with a `TypeError` when the writer is let go ("WritableStreamDefaultWriter-
   * Release"); the next writer's is its own. Settled, the writer keeps it (`FrameWriter.ready`).
   */
  ready: HandedReady | undefined;
  /** An abort's promise while it waits for the write waiting for room (see `pendingAbort`). */
  aborting: Promise<void> | undefined;
}

/**
 * A `ready` a writer handed out while writes waited for room (`WritableState.ready`). The standard
 * settles its writer's ready promise where it is, and the writer's `ready` stays that promise
 * until a later stop or release puts a rejected one in its place
 * ("WritableStreamDefaultWriterEnsureReadyPromiseRejected": only a pending one is rejected).
 */
export interface HandedReady extends SettleLater<void> {
  /** Unset while pending; once settled, whether the stream had stopped by then. */
  stopped?: boolean;
}

/** Marks the stream stopped (`failed`, or aborted) for `reason`, unless it already is. */
export function stop(state: WritableState, reason: unknown, failed: boolean): void {
  if (state.stopped !== undefined) return;
  state.stopped = { reason, failed };
  takeReady(state)?.reject(reason);
}

/** The pending `ready` of `state` (see `WritableState.ready`), taken to be settled now. */
export function takeReady(state: WritableState): HandedReady | undefined {
  const ready = state.ready;
  if (ready === undefined) return undefined;
  state.ready = undefined;
  ready.stopped = state.stopped !== undefined;
  return ready;
}

/**
 * The stream's abort (`abort`, the runtime's) as the standard's settles. While a write waits for
 * room, the standard's abort settles once that write is done and the sink's abort has settled,
 * then fails a close request still queued (one that came before the abort, or after it, as
 * {@linkcode closeAfterAbort} takes it) and the writer's `closed` ("WritableStreamFinishErroring").
 * The runtime's stream never saw that write: it fails a close it holds in flight (our writes pass
 * it by) first, and the abort after it, or, with no close, has its abort and `closed` settle as
 * the sink's abort does, with no room for a close between them. So the abort answers with a
 * promise of ours, `state.abortAnswer`, settled by the sink's abort or that close just before
 * they fail ({@linkcode finishAbort}). A stream stopped already answers as the runtime's does.
 */
export function settleAbort(state: WritableState, abort: () => Promise<void>): Promise<void> {
  // Errored, in the standard's eyes (`erroredAsStandard`): another abort resolves at once
  // ("WritableStreamAbort"), where the runtime's stream, its close in flight, would answer with
  // its pending abort's promise, which fails as that close does.
  if (erroredAsStandard(state)) return Promise.resolve();
  if (state.stopped !== undefined || state.waiting === undefined) return abort();
  const answer = state.abortAnswer = settleLater<void>();
  // The runtime's abort settles after ours (or fails with the close it held in flight): it
  // settles ours only should it never ask the sink's abort (a stream it failed on its own).
  finishAbort(state, abort()).catch(() => {});
  return answer.promise;
}

/**
 * The abort's steps are done (`aborted`: the transport's abort settled, the write waiting for room
 * done): `state.abortAnswer` settles as they did, then a close asked for after the abort fails,
 * in the standard's order, before the runtime's abort and `closed` settle.
 */
export function finishAbort(state: WritableState, aborted: Promise<void>): Promise<void> {
  const answer = state.abortAnswer;
  if (answer === undefined) return aborted;
  const failLateClose = () => {
    const close = state.lateClose;
    state.abortAnswer = state.lateClose = undefined;
    close?.reject(state.stopped?.reason);
  };
  return aborted.then(() => {
    answer.resolve();
    failLateClose();
  }, (error) => {
    answer.reject(error);
    failLateClose();
    throw error;
  });
}

/**
 * Whether an abort that came while a write waited for room now waits only for the transport's
 * abort, that write done: the standard's stream is errored from there on, as
 * "WritableStreamFinishErroring" marks it before it asks the sink's abort, and answers at once (a
 * write with the reason, a close with a `TypeError`, a new writer's `closed` rejected, another
 * abort resolved). The runtime's may still be erroring (its close in flight: our writes passed
 * it by), and `state.abortAnswer` is pending for as long as the transport's abort takes (its
 * close handshake, up to `closeTimeoutMs`).
 */
export function abortWaitsOnlyForSink(state: WritableState): boolean {
  return state.abortAnswer !== undefined && state.waiting === undefined;
}

/**
 * Whether the standard's stream has errored, not merely stopped: it answers at once then (a write
 * with the reason, before it looks at a close; an abort resolved; a new writer's `closed`
 * rejected). So it is once a write failed: that write was its one operation in flight, and a close
 * queued behind it fails with it ("WritableStreamDealWithRejection" finishes erroring at once). The
 * runtime's stream never saw that write and had its close in flight (our writes passed it by): it
 * is erroring until that close's step fails, a few microtasks on, and would refuse a write made
 * meanwhile with a `TypeError`, as a closing stream's. So it is too once an abort has only the
 * sink's abort left to wait for ({@linkcode abortWaitsOnlyForSink}).
 */
export function erroredAsStandard(state: WritableState): boolean {
  return state.stopped?.failed === true || abortWaitsOnlyForSink(state);
}

/**
 * A close asked for while an abort waits for the write waiting for room (`state.abortAnswer`):
 * taken, as the standard's erroring stream takes it, to fail once the abort settles; `undefined`
 * otherwise (the runtime's stream answers: once that write is done, it has errored, and refuses
 * the close with a `TypeError` as the standard's errored stream does).
 */
export function closeAfterAbort(state: WritableState): Promise<void> | undefined {
  if (state.abortAnswer === undefined || state.waiting === undefined || state.closing) {
    return undefined;
  }
  state.closing = true;
  return (state.lateClose = settleLater<void>()).promise;
}

/**
 * `aborted`, an abort's promise, kept in `state` while the write waiting for room is not done: an
 * abort meanwhile (a writer's, the stream's) answers it, as the standard answers the pending abort
 * request's ("WritableStreamAbort"), where the runtime's stream, which never saw our writes and
 * is aborted already, would resolve it at once. Once that write is done, a later abort resolves
 * at once, as the standard's does once errored ("WritableStreamFinishErroring").
 */
export function pendingAbort(state: WritableState, aborted: Promise<void>): Promise<void> {
  if (state.waiting !== undefined) state.aborting = aborted;
  return aborted;
}
