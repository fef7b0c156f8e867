/**
 * What a transport knows about playback at the far end: which response is audible, how much of
 * it the caller heard, and what an interruption dropped.
 *
 * @module
 */

/** The transport's view of playback at the far end, at one moment (`transport.playback`). */
export interface PlaybackState {
  /** Whether bot audio is playing at the far end now. */
  speaking: boolean;
  /** The response playing (or, if none is, the last one that did); `undefined` for untagged audio. */
  responseId: string | undefined;
  /** Milliseconds of that response the caller has heard so far. */
  heardMs: number;
  /** Milliseconds of that response sent so far (handed to the socket). */
  sentMs: number;
  /**
   * Milliseconds of audio queued in the transport, not yet sent: what waits to be paced, and what
   * a packetizer (`fixedAudioPacketSize`) holds for a packet not yet whole.
   */
  queuedMs: number;
  /**
   * Whether the figures rest on the far end's own acknowledgements (marks, checkpoints, notify)
   * rather than on the estimate from pacing alone: false too while a mark is unanswered past
   * `playoutTimeoutMs` and the heard position has moved on without it.
   */
  acknowledged: boolean;
}

/**
 * What `transport.interrupt()` resolves with: what the caller heard, and what was dropped. It
 * resolves once the far end's clear has left: at once, but where the clear waits behind an urgent
 * message whose serializer answers later (urgent frames leave in the order taken), up to
 * `sendTimeoutMs` for each answer ahead of it, or when the session ends first. Meanwhile the far
 * end plays on what it was sent, and that counts as heard.
 */
export interface InterruptResult {
  /**
   * The response that was playing (or queued to play); `undefined` for untagged audio. Where the
   * far end cannot be cleared (raw PCM), the last response sent: all that was sent plays on.
   */
  responseId: string | undefined;
  /**
   * Milliseconds of that response the caller heard before the interruption: before its clear
   * reached the far end (by the estimate, where it waited: see above), or, where the far end has
   * no clear (raw PCM, or a serializer that answered it with no message), all that was sent.
   */
  heardMs: number;
  /**
   * Milliseconds of audio dropped: queued in the transport (a packetizer's partial packet
   * included), waiting in a `writable` write for room, or sent but not yet played.
   */
  droppedMs: number;
  /**
   * Whether `heardMs` rests on the far end's acknowledgements (see {@linkcode PlaybackState}):
   * false where the far end played on past the interruption while its clear waited.
   */
  acknowledged: boolean;
}

/** Why a response stopped being audible. */
export type SpeakingStopReason = "played" | "interrupted" | "ended";

/** What a {@linkcode SpeakingEvent} carries. */
export interface SpeakingEventInit {
  /** The response; `undefined` for untagged audio. */
  responseId: string | undefined;
  /** Milliseconds of it the caller had heard when the event fired. */
  heardMs: number;
  /** Milliseconds of it sent when the event fired. */
  sentMs: number;
  /** Whether the moment of the event rests on the far end's acknowledgement. */
  acknowledged: boolean;
  /** For "speakingstop": why it stopped. */
  reason?: SpeakingStopReason;
}

/**
 * Dispatched as "speakingstart" when a response's first audio begins playing at the far end, and
 * as "speakingstop" when its last audio has played, it was interrupted, or the session ended. Its
 * last audio is known once a later response begins, or when nothing more of it was queued for the
 * quiet time (`sendAheadMs` or two chunks, the longer), so audio relayed in real time that runs a
 * little late is one spell of speaking, not one per chunk. An interruption's "speakingstop" comes
 * as the interruption is taken (what a listener sends then is a new response), with what was
 * heard by then: where the far end plays on after it (it has no clear, or its clear waits behind
 * an urgent message answered later), `transport.interrupt()`'s answer says what was heard in the
 * end.
 *
 * @example
 * ```ts
 * import { SpeakingEvent } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const event = new SpeakingEvent("speakingstop", {
 *   responseId: "r1",
 *   heardMs: 1320,
 *   sentMs: 2800,
 *   acknowledged: true,
 *   reason: "interrupted",
 * });
 * assert.equal(event.heardMs, 1320);
 * ```
 */
export class SpeakingEvent extends Event {
  /** The response; `undefined` for untagged audio. */
  readonly responseId: string | undefined;
  /** Milliseconds of it the caller had heard when the event fired. */
  readonly heardMs: number;
  /** Milliseconds of it sent when the event fired. */
  readonly sentMs: number;
  /** Whether the moment of the event rests on the far end's acknowledgement. */
  readonly acknowledged: boolean;
  /** For "speakingstop": why it stopped. */
  readonly reason: SpeakingStopReason | undefined;

  /** Makes a "speakingstart" or "speakingstop" event. */
  constructor(type: "speakingstart" | "speakingstop", init: SpeakingEventInit) {
    super(type);
    this.responseId = init.responseId;
    this.heardMs = init.heardMs;
    this.sentMs = init.sentMs;
    this.acknowledged = init.acknowledged;
    this.reason = init.reason;
  }
}

/**
 * Dispatched as "staleaudio", once per response, when audio for an interrupted response is dropped
 * (or its text, where the far end speaks text: `FrameSerializer.speaksText`).
 */
export class StaleAudioEvent extends Event {
  /** The interrupted response whose late audio (or text) was dropped. */
  readonly responseId: string | undefined;

  /** Makes a "staleaudio" event. */
  constructor(responseId: string | undefined) {
    super("staleaudio");
    this.responseId = responseId;
  }
}

/** The name prefix of the marks a transport inserts for itself; they never reach `readable`. */
export const PLAYOUT_MARK_PREFIX = "__wst:";

/**
 * The name prefix of the transport's end-of-speech marks (one of {@linkcode PLAYOUT_MARK_PREFIX}'s):
 * sent once nothing more was written for a while, after a spell's last audio. A serializer whose
 * far end holds back a partial batch of audio may flush it after such a mark, where no speech
 * follows to push it out.
 */
export const PLAYOUT_END_MARK_PREFIX = `${PLAYOUT_MARK_PREFIX}end:`;
