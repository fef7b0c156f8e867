/**
 * The outbound sender's urgent frames (urgent messages, an interruption's clear), which leave out
 * of band: held in one list until sending begins, then sent at once ahead of anything queued, or
 * in their turn behind urgent answers still due (`UrgentLine`); the serializer's own messages
 * held for the socket's open; and the watch on what urgent sends pile up unsent.
 *
 * Made once per session beside the `OutboundSender` it serves, which is its host
 * ({@linkcode UrgentHost}): it keeps no copy of the sender's parts and makes no closure of its own
 * beyond the open's listener, so a session pays one small object for it. Nothing here runs for an
 * audio chunk.
 *
 * @module
 */

import type { Frame } from "./frames.ts";
import type { SerializedMessage } from "./serializer.ts";
import type { WebSocketLike } from "./socket.ts";
import type { TransportStats } from "./transport_stats.ts";
import type { UrgentLine } from "./_sender_late_answers.ts";
import {
  ENDED,
  holdsMessages,
  type Outcome,
  type REFUSED,
  type Serialized,
} from "./_serializer_answer.ts";
import type { ClearFate } from "./_playback_tracker.ts";

/**
 * What {@linkcode UrgentSender} uses of the `OutboundSender`: its members named `urgent…` are for
 * `UrgentSender` only (the sender's `#` state, reached without a closure per session).
 */
export interface UrgentHost {
  /** See `OutboundSender.closing`. */
  readonly closing: boolean;
  /** See `OutboundSender.connecting`. */
  readonly connecting: boolean;
  /** The session's counters. */
  readonly urgentStats: TransportStats;
  /** The session's socket (its "open" listener). */
  readonly urgentSocket: WebSocketLike;
  /** The session is over. */
  readonly urgentAborted: boolean;
  /** Messages the serializer handed its context so far (the sender's `#contextSends`). */
  readonly urgentContextSends: number;
  /** Messages lost so far (the sender's `#lostMessages`). */
  readonly urgentLostMessages: number;
  /** Audio bytes lost so far (the sender's `#lostAudioBytes`). */
  readonly urgentLostAudioBytes: number;
  /** The urgent line, `undefined` while no urgent answer is due (the sender's `#urgentLine`). */
  readonly urgentLine: UrgentLine | undefined;
  /** The urgent line, made where none is. */
  urgentLineTaken(): UrgentLine;
  /** A `message` frame's answer is due (1) or came (-1): `OutboundSender.messageAnswersDue`. */
  urgentAnswersDue(change: 1 | -1): void;
  /** Serializes a frame (the sender's `#serialize`). */
  urgentSerialize(frame: Frame): Serialized | typeof REFUSED | Promise<Outcome>;
  /** The held frame's share released by the frame just serialized (0: none). */
  urgentReleased(): number;
  /** Transmits a frame's messages at once (the sender's `#transmitFrame` with `#transmit`). */
  urgentTransmit(frame: Frame, messages: Outcome, counted: number, sentItself: boolean): boolean;
  /** Counts the audio a frame's send released (the sender's `#countReleased`). */
  urgentCountReleased(released: number, messages: Serialized | symbol, lostAudio: number): void;
  /** The sender's drain wait, where the socket holds too much unsent (`#drain`). */
  urgentDrain(): Promise<void> | void;
  /** Hands a serializer's own message to the socket, the frame counted dropped if lost. */
  urgentPutOwn(message: SerializedMessage): void;
}

/** The urgent frames of one session's sender (see the module's comment). */
export class UrgentSender {
  readonly #host: UrgentHost;
  /** An urgent frame's send is watching the socket drain (see `#watchUrgentBacklog`). */
  #urgentBacklog = false;
  /**
   * Urgent frames (urgent messages, an interruption's clear) taken before they may leave, in the
   * order taken, unserialized: the one list, whatever holds them (see {@linkcode urgentMayLeave}).
   * They leave once nothing does ({@linkcode releaseUrgent}), or are counted dropped at the end.
   */
  #heldUrgent: Frame[] | undefined;
  /** See {@linkcode urgentMayLeave}. */
  #urgentMayLeave = false;
  /**
   * The serializer's own messages (its context's `send`: a set-up's greeting to its far end)
   * sent while the socket still connected, in order: they leave as it opens, ahead of all else,
   * or are counted dropped where it never does. Not in `#heldUrgent`: they wait for the socket
   * alone, not for the set-up (which may be what sends them) nor the far end's start (which may
   * answer them). Serialized already, so nothing of the session's later state changes them.
   */
  #heldOwn: SerializedMessage[] | undefined;

  /** Makes the urgent frames' part of `host`'s sending. */
  constructor(host: UrgentHost) {
    this.#host = host;
  }

  /**
   * Sends a frame at once, out of band (an interruption's clear, an urgent message): it never
   * waits for the socket to drain, since it must overtake what is waiting there. Taken once the
   * session is over (or its socket closing) before any could leave, it is too late: counted
   * dropped, never serialized.
   *
   * Returns whether the far end is told of it, as far as is known as it is taken (an
   * interruption's clear, whose caller reads it as "the far end drops what it holds", goes by
   * {@linkcode sendClear} instead, which says when it is not known yet):
   * true where a message for it (returned by the serializer or sent through its context, as
   * Genesys numbers its messages) was handed to the socket, or is to be in its turn (answered now
   * behind urgent answers still due: it leaves once they have, which may be up to `sendTimeoutMs`
   * later), or may yet be (an asynchronous answer still to come; a frame held until urgent frames
   * may leave, see `#heldUrgent`). False where none is: the serializer refused it or has no
   * message for it (`null`, a list of none), the socket refused it or was found closed, or it was
   * too late. The same, an urgent answer due or not.
   */
  sendUrgent(frame: Frame): boolean {
    // While some are held, behind them (one sent as they are released too).
    if (this.#heldUrgent !== undefined || !this.#urgentMayLeave) {
      if (!this.#urgentMayLeave && this.#host.closing) {
        this.#host.urgentStats.framesDroppedOnClose++;
        return false;
      }
      (this.#heldUrgent ??= []).push(frame);
      return true;
    }
    return this.#sendUrgentNow(frame);
  }

  /**
   * An interruption's clear ({@linkcode sendUrgent}): whether the far end is told of it, where that
   * is known now, as `sendUrgent` says; where it waits in the urgent line instead (an urgent
   * message's asynchronous answer is due ahead of it, or its own answer comes later), a promise of
   * what became of it once its turn came: up to `sendTimeoutMs` on for each answer ahead of it
   * (`UrgentLine`: each is bounded, and the session's end settles them all). Meanwhile the far
   * end plays on what it holds (`PlaybackTracker.interruptUntilCleared`).
   */
  sendClear(): boolean | Promise<ClearFate> {
    const frame: Frame = { type: "interruption" };
    if (this.#heldUrgent !== undefined || !this.#urgentMayLeave) return this.sendUrgent(frame);
    let fate: Promise<ClearFate> | undefined;
    const told = this.#sendUrgentNow(frame, () => {
      let tell!: (fate: ClearFate) => void;
      fate = new Promise((settle) => tell = settle);
      return tell;
    });
    return fate ?? told;
  }

  /**
   * {@linkcode sendUrgent} on a socket open or gone: sent, or lost and counted. `waits`: asked
   * where the frame waits in the urgent line, for whom to tell its fate once its turn comes.
   */
  #sendUrgentNow(frame: Frame, waits?: () => (fate: ClearFate) => void): boolean {
    const host = this.#host;
    const before = host.urgentStats.messagesOut;
    const counted = host.urgentStats.encodeErrors;
    const sends = host.urgentContextSends;
    const result = host.urgentSerialize(frame);
    const sentItself = host.urgentContextSends !== sends;
    const released = host.urgentReleased();
    let line = host.urgentLine;
    const later = result instanceof Promise;
    if (later || line !== undefined) {
      // Its answer comes later, or one taken before it is due: it leaves in its turn, and all
      // sent meanwhile after it (see `UrgentLine`).
      line ??= host.urgentLineTaken();
      const message = frame.type === "message";
      if (message) host.urgentAnswersDue(1);
      const tell = waits?.();
      line.take(result, (messages) => {
        if (message) host.urgentAnswersDue(-1);
        const lostAudio = host.urgentLostAudioBytes;
        const lost = host.urgentLostMessages;
        // An answer that came later: its message may have gone through the context as it came.
        const sentSo = later ? host.urgentContextSends !== sends : sentItself;
        let sent = false;
        try {
          sent = host.urgentTransmit(frame, messages, counted, sentSo);
          host.urgentCountReleased(released, messages, lostAudio);
          if (sent) this.#watchUrgentBacklog();
        } finally {
          // Told whatever came of it (a listener that threw too): an interruption waits on it.
          if (tell !== undefined) {
            const ended = messages === ENDED || host.urgentLostMessages !== lost;
            tell(ended ? "ended" : sent || sentSo ? "sent" : "none");
          }
        }
      });
      // Still to come; or, answered now, what leaves in its turn (or through the context).
      return later || sentItself || holdsMessages(result);
    }
    const lostAudio = host.urgentLostAudioBytes;
    const sent = host.urgentTransmit(frame, result, counted, sentItself);
    host.urgentCountReleased(released, result, lostAudio);
    if (sent) this.#watchUrgentBacklog();
    return host.urgentStats.messagesOut > before;
  }

  /**
   * Whether urgent frames leave as they are taken: sending has begun. Until then they wait in
   * one list, in the order taken, for the last of what holds everything back: the socket still
   * connecting (Deno's upgraded socket until its "open": a bot greets its caller at once), the
   * serializer's set-up under way (it may not encode yet), the far end's start awaited
   * (`FrameSerializer.awaitsStart`: Twilio's messages need the `streamSid` its start brings).
   * Nothing has left then, so an interruption sends no clear (`OutboundPath.interruptFarEnd`).
   */
  get urgentMayLeave(): boolean {
    return this.#urgentMayLeave;
  }

  /**
   * Sending begins (the socket open, the set-up done, the far end's start come or its bound
   * passed): the urgent frames held leave, in the order taken, ahead of anything queued; one sent
   * meanwhile (an error listener's) goes behind them. Once: from now on they leave as taken.
   */
  releaseUrgent(): void {
    this.#urgentMayLeave = true;
    this.#sendHeldOwn(); // the open's listener may come after ours: the protocol's own go first
    const held = this.#heldUrgent;
    if (held === undefined) return;
    try {
      // Its length read anew each time: one sent meanwhile joins its end.
      for (let i = 0; i < held.length; i++) {
        // One failed fatally (its serializing, its send), the close begun: the rest are too late,
        // as a frame taken now is (`sendUrgent`): counted dropped, never serialized (a serializer
        // that numbers its messages would count ones the far end never sees). Nothing of the
        // bot's audio has been serialized yet: no partial frame is held that one would drop.
        if (this.#host.closing) {
          this.#host.urgentStats.framesDroppedOnClose += held.length - i;
          break;
        }
        this.#sendUrgentNow(held[i]!);
      }
    } finally {
      this.#heldUrgent = undefined;
    }
  }

  /**
   * The session ended before sending began: the urgent frames held never leave, nor the
   * serializer's own messages held for a socket that never opened; counted.
   */
  dropHeldUrgent(): void {
    this.#host.urgentStats.framesDroppedOnClose += (this.#heldUrgent?.length ?? 0) +
      (this.#heldOwn?.length ?? 0);
    this.#heldUrgent = undefined;
    if (this.#heldOwn === undefined) return;
    this.#heldOwn = undefined;
    this.#host.urgentSocket.removeEventListener("open", this.#sendHeldOwn);
  }

  /**
   * An urgent frame never waits for room, but a peer that reads none of what piles up is given up
   * all the same: past `maxBufferedBytes` unsent, the drain wait runs unawaited, and ends the
   * session (1008) if the socket has not drained in `sendTimeoutMs`. A bot that sends only urgent
   * messages (transcripts, events) would otherwise buffer without bound. One watch at a time.
   */
  #watchUrgentBacklog(): void {
    if (this.#urgentBacklog) return;
    const waiting = this.#host.urgentDrain();
    if (waiting === undefined) return;
    this.#urgentBacklog = true;
    void waiting.then(() => {
      this.#urgentBacklog = false;
    });
  }

  /**
   * `OutboundSender.sendMessage`'s send, the message counted among the context's sends already:
   * held for the open, behind the urgent line, or handed to the socket.
   */
  sendOwn(message: SerializedMessage): void {
    if (this.#host.connecting && !this.#host.urgentAborted) return this.#holdOwn(message);
    const host = this.#host;
    const line = host.urgentLine;
    if (line !== undefined) return line.own(() => host.urgentPutOwn(message));
    host.urgentPutOwn(message);
  }

  /** Holds a serializer's own message until the socket opens (see `#heldOwn`). */
  #holdOwn(message: SerializedMessage): void {
    if (this.#heldOwn === undefined) {
      this.#heldOwn = [];
      this.#host.urgentSocket.addEventListener("open", this.#sendHeldOwn);
    }
    this.#heldOwn.push(message);
  }

  /** The socket opened (or sending begins): the serializer's own messages held leave, in order. */
  #sendHeldOwn = (): void => {
    const held = this.#heldOwn;
    if (held === undefined) return;
    this.#heldOwn = undefined;
    this.#host.urgentSocket.removeEventListener("open", this.#sendHeldOwn);
    for (const message of held) this.sendOwn(message);
  };
}
