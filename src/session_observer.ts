/**
 * What a transport tells those who watch a session: every inbound audio frame (and, from the
 * telephony serializers, every media packet as it arrives), every outbound chunk with its place
 * on the playout timeline, interruptions, and the end. Recording as heard
 * and per-session metrics are built on it; so can your own.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import type { TransportClosed } from "./events.ts";
import type { AudioFrame } from "./frames.ts";

/** Where an outbound chunk sits on the session's playout timeline. */
export interface OutboundAudioInfo {
  /** Its start on the session's outbound audio timeline: milliseconds of audio sent before it. */
  position: number;
  /** How long it plays, in milliseconds. */
  durationMs: number;
  /**
   * When it starts playing at the far end (clock ms; the estimate, corrected by acknowledgements
   * and, where its turn ran long after it left, by `playoutMoved`).
   */
  playsAt: number;
  /** When it was due to leave: its pacing deadline, or when it was written if later (clock ms). */
  deadline: number;
  /** When it left (clock ms); later than `deadline` when the sender ran late. */
  sentAt: number;
  /** Whether it carries the bot's speech (false: background audio alone). */
  speech: boolean;
}

/** What an interruption cut. */
export interface InterruptionInfo {
  /** When it happened (clock ms). */
  at: number;
  /** Outbound audio past this timeline position was never heard (dropped at the far end or here). */
  heardPosition: number;
}

/**
 * Audio the observers were told of with its chunks never left (see
 * {@linkcode SessionObserver.outboundDropped}).
 */
export interface OutboundDroppedInfo {
  /** When it was dropped (clock ms). */
  at: number;
  /**
   * Outbound audio past this timeline position was never sent, so never heard; the next audio is
   * told from here.
   */
  position: number;
}

/** A new measurement of how far behind the pacing estimate the far end plays. */
export interface PlayoutLagInfo {
  /** When the acknowledgement that measured it came (clock ms). */
  at: number;
  /** The far end plays this many ms after the pacing estimate (in `playsAt` from now on). */
  lagMs: number;
  /**
   * How much it moved: audio told of before plays this many ms later (earlier, if negative) than
   * its `playsAt` said, as far as this measurement knows.
   */
  changeMs: number;
}

/**
 * Audio already told of plays later than its `playsAt` said: the turn that sent it ran long (a
 * stalled event loop, a speaking-event listener's or an observer's synchronous work), so it left
 * only once that was done, after the far end, by the estimate, had played all it had: it plays as
 * it arrives.
 */
export interface PlayoutMoveInfo {
  /** When the transport noticed (clock ms). */
  at: number;
  /**
   * Where the moved audio begins on the outbound timeline: every chunk told of from here on
   * (chunks cut short by this position are moved from it).
   */
  position: number;
  /**
   * When audio at `position` now starts playing at the far end (clock ms, the lag included, as in
   * `playsAt`); what follows plays back to back after it. Never earlier than it was told.
   */
  playsAt: number;
}

/**
 * The far end holds its playout, or plays on (see {@linkcode SessionObserver.playoutHeld}): a
 * hold the bot asked for (Asterisk's `PAUSE_MEDIA`, until its `CONTINUE_MEDIA`), during which
 * the far end plays silence and keeps what it was sent queued.
 */
export interface PlayoutHoldInfo {
  /** When the transport learned it: the command that holds, or plays on, left (clock ms). */
  at: number;
  /** Whether the far end holds (`true`) or plays on (`false`). */
  held: boolean;
  /**
   * Where on the outbound timeline: nothing told of from this position on plays while it holds,
   * whatever its `playsAt` (chunks told of during the hold have the estimate as though it
   * played). Playing on, the same position: what it held plays from there, placed by
   * `playoutMoved`, told right after where anything was sent past it.
   */
  position: number;
}

/**
 * One inbound media packet as it arrived (see {@linkcode SessionObserver.inboundPacket}): the two
 * times RFC 3550 §6.4.1 measures interarrival jitter from. One object is reused for every packet:
 * read it during the call, copy what you keep, and do not change it.
 */
export interface InboundPacketInfo {
  /** When the message that carried the packet arrived (clock ms, the session's clock). */
  arrivedAt: number;
  /**
   * The packet's media time in ms, as the sender stamped it (the provider's `media.timestamp`),
   * counted from the first packet received of its stream: Plivo's wall-clock epoch ms read as
   * Twilio's ms since the stream began do. Only its differences from the packets before mean
   * anything; one received before that first in media order is below 0. A packet that arrived
   * late or twice has the time it was sent with.
   */
  mediaMs: number;
  /**
   * The first packet of a new stream (a provider's `start` again): its media time counts anew,
   * and has no difference from the packets before it.
   */
  streamStart: boolean;
}

/** The session an observer is added to (a `WebSocketTransport` is one). */
export interface ObservedSession {
  /** The session's time source: every time an observer is told is measured on it. */
  readonly clock: Clock;
  /** Settles when the session is over, as `transport.closed` does: told even to a detached observer. */
  readonly closed?: Promise<TransportClosed>;
}

/**
 * Watches a session (`transport.observe(observer)`). Every method is optional and called
 * synchronously on the transport's own path: keep it cheap, and copy any bytes you keep past the
 * call (an outbound chunk may be a view the transport reuses).
 */
export interface SessionObserver {
  /** It is added to `session`, before anything else is told (`transport.observe(observer)`). */
  observing?(session: ObservedSession): void;
  /** An inbound audio frame as the bot receives it, and when it arrived (clock ms). */
  inboundAudio?(frame: AudioFrame, receivedAt: number): void;
  /**
   * An inbound media packet, told as it arrives, where the serializer reports packets (the
   * telephony ones: Twilio, Telnyx, Plivo, Exotel): every packet received, in the order they
   * arrived, duplicates and packets too late to be put in place among them, before any frame
   * made from it; never the silence filled for a lost one. `packet` is reused for the next
   * packet: copy what you keep past the call (see {@linkcode InboundPacketInfo}).
   */
  inboundPacket?(packet: Readonly<InboundPacketInfo>): void;
  /** An outbound chunk as it left, with its place on the playout timeline. */
  outboundAudio?(chunk: AudioFrame, info: OutboundAudioInfo): void;
  /**
   * An acknowledgement corrected the far end's lag. Chunks that all left before it (a short
   * reply, a large `sendAheadMs`) were told of with the old estimate: this is the only word
   * that they play elsewhere.
   */
  playoutLag?(info: PlayoutLagInfo): void;
  /**
   * Audio told of from `info.position` on plays from `info.playsAt` instead, later than told: the
   * turn that sent it ran long (see {@linkcode PlayoutMoveInfo}). Chunks told of after this have
   * their new place in `playsAt` already.
   */
  playoutMoved?(info: PlayoutMoveInfo): void;
  /**
   * The far end holds its playout from `info.position` on (`info.held`), or plays on (see
   * {@linkcode PlayoutHoldInfo}): told as the hold begins, so that an observer that writes out
   * what played (a recorder) holds that audio back meanwhile, and as it ends, before the
   * `playoutMoved` that places what was held (none follows a hold that held nothing: no audio
   * told of past its position). A hold outlasts an interruption (Asterisk's `FLUSH_MEDIA` clears
   * the queue, not the pause): the audio after it is held too. An observer added during a hold is
   * told of it at once, inside `observe`, as it began (its `at` and `position`). Not told where
   * the serializer knows of no hold (only Asterisk's does).
   */
  playoutHeld?(info: PlayoutHoldInfo): void;
  /**
   * An interruption cut the bot's audio. Where its clear cannot leave at once (an urgent message
   * ahead of it, or the clear itself, answered later by an asynchronous serializer), the far end
   * plays on until it does: told once it has left (or the serializer answered it with no message,
   * all that left then playing on, or the session ended first, told before `closed`), at the
   * position heard then; what is told after the interruption meanwhile (the next reply's audio,
   * which waits behind the clear, `playoutMoved`, `outboundDropped`) is told after it, in order.
   */
  interrupted?(info: InterruptionInfo): void;
  /**
   * Audio told of with its chunks was dropped before it left: the partial packet at a stretch's
   * end with `fixedAudioPacketSize` and `lastPacket: "drop"`, or at a change of the wire's format,
   * or while the far end closes the session; a chunk an asynchronous serializer refused after it
   * was handed to it (its promise rejected, or answered with no message); or a packet not yet
   * whole when the session ends or an interruption drops it (told right after `interrupted`;
   * where the far end was cleared, the next audio is told from where the timeline stands, not
   * from `position`). Else no interruption: the bot's reply simply ends there (the next chunk
   * plays in the refused one's place).
   */
  outboundDropped?(info: OutboundDroppedInfo): void;
  /** The session is over. */
  closed?(closed: TransportClosed): void;
}

/** The outbound format a mixer must produce, and the chunk size it fills in. */
export interface MixerFormat {
  /** The transport's `audioOut.sampleRate`. */
  sampleRate: number;
  /** The transport's `audioOut.channels`. */
  channels: number;
  /** The transport's `audioOut.chunkMs`: the length of each `fill()`. */
  chunkMs: number;
}

/**
 * One session's side of a mixer that serves many (what {@linkcode OutboundMixer.attach} may
 * return): the transport mixes and fills that session through it, and detaches it alone at the
 * session's end, so the mixer keeps per-session state (a play position, the session's `wake`)
 * in it and lets go of all of it then.
 */
export interface MixerSession {
  /** The chunk to send for this session's speech chunk: the speech with the background under it. */
  mix(chunk: AudioFrame): AudioFrame;
  /**
   * One `chunkMs` of this session's background alone, or `undefined` when there is none now (a
   * chunk of no audio ends the session, as a throw does).
   */
  fill(): AudioFrame | undefined;
  /** This session is over: drop what was kept for it (its `wake` too), stop its timers. */
  detach(): void;
}

/**
 * Background audio under the bot's speech (`TransportOptions.background`): the transport mixes
 * each speech chunk through {@linkcode mix} and, while no speech is queued, sends
 * {@linkcode fill} chunks at the pacing rate, so the far end hears the background through
 * silences and interruptions alike. One mixer may serve many sessions (a stateless one, such as
 * comfort noise, plays in all of them as it is; one that keeps anything per session returns a
 * {@linkcode MixerSession} from `attach`), unless its `attach` declines.
 */
export interface OutboundMixer {
  /**
   * Called once per session, before `mix` and `fill`, with the outbound format and a function
   * that wakes the transport when background audio is available again after `fill` returned
   * nothing (it does nothing once the session is over). Returning a {@linkcode MixerSession}
   * (an object with `mix`, `fill` and `detach`, other than the mixer itself) takes the session
   * and serves it through that object alone: the mixer's own `mix`, `fill` and `detach` are not
   * called for it. Returning `false` declines the session (a mixer that keeps one session's play
   * position, as `BackgroundAudio` does, plays in one): that session goes without it, told by a
   * non-fatal "application" error, and never calls its `mix`, `fill` or `detach`. Any other
   * result (none, a promise) takes it, served by the mixer's own methods. A mixer that wraps
   * another passes the inner `attach`'s `false` on, serves a `MixerSession` the inner one
   * returns through a `MixerSession` of its own (returned as is, it would be served without the
   * wrapper), and passes `detach`'s `attached` on.
   */
  attach(format: MixerFormat, wake: () => void): unknown;
  /** The chunk to send for a speech chunk: the speech with the background under it. */
  mix(chunk: AudioFrame): AudioFrame;
  /**
   * One `chunkMs` of background alone, or `undefined` when there is none now (a chunk of no audio
   * ends the session, as a throw does).
   */
  fill(): AudioFrame | undefined;
  /**
   * The session is over: release the source, stop every timer. `attached` is `false` for a
   * session that ended before its socket opened, which never called `attach`: a mixer that plays
   * in another session then keeps playing there. (A session its `attach` gave a
   * {@linkcode MixerSession} is detached through that, not here.)
   */
  detach(attached?: boolean): void;
}
