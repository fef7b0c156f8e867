/**
 * A transport's whole outbound side, put together: the stale-audio gate, the pump (chunker,
 * queue, pacing), the playout timeline and the playback tracker, and the sender.
 *
 * @module
 */

import { OutboundPump } from "./_outbound_pump.ts";
import { OutboundSender } from "./_outbound_sender.ts";
import { ClearWaitTells, type HeldInterruption } from "./_clear_wait_tells.ts";
import { PlaybackTracker } from "./_playback_tracker.ts";
import { PlayoutTimeline } from "./_playout_timeline.ts";
import { ResponseGate } from "./_response_gate.ts";
import type { Clock, ClockTimer } from "./clock.ts";
import { TransportError } from "./errors.ts";
import type { AudioFrame, EndFrame, Frame, MessageFrame, TextFrame } from "./frames.ts";
import { type InterruptResult, type PlaybackState, StaleAudioEvent } from "./playback.ts";
import type {
  FrameSerializer,
  SendPauseOptions,
  SerializedMessage,
  SerializerContext,
  SerializeResult,
} from "./serializer.ts";
import type { ObserverList } from "./_observer_list.ts";
import type { OutboundMixer } from "./session_observer.ts";
import { SessionMixer } from "./_session_mixer.ts";
import type { WebSocketLike } from "./socket.ts";
import { Packetizer } from "./streams/packetizer.ts";
import {
  type ResolvedTransportOptions,
  sessionBackground,
  type TransportOptions,
} from "./transport_options.ts";
import type { TransportStats } from "./transport_stats.ts";
import { SendPauseTally } from "./_send_pause_tally.ts";
import {
  asTransportError,
  checkSendPause,
  isInboundCounter,
  tellingInboundPackets,
} from "./_serializer_context_checks.ts";
import { thrownText } from "./_thrown_text.ts";
import { heldWeakly } from "./_session_link.ts";
import { type ContextParts, linkedContext } from "./_linked_context.ts";
import { holdsEnd, holdsMessage, takeHeldAudioMs, takeHeldEnd } from "./_frame_writer.ts";

/** Why a pause of sending lasts, unless its serializer says otherwise (`SendPauseOptions`). */
const FAR_END_DID_NOT_RESUME = "the far end asked to pause sending and did not resume";

/** What the serializer's context needs of the inbound path (`InboundPath`). */
export interface SerializerInbound {
  /** Nothing more is decoded: the session is over. */
  readonly decodingStopped: boolean;
  /** Frames the serializer hands on between messages. */
  handOn(frames: Frame[]): void;
}

/** What an {@linkcode OutboundPath} is built from. */
export interface OutboundPathOptions {
  /** Where messages go. */
  socket: WebSocketLike;
  /** Turns frames into messages. */
  serializer: FrameSerializer;
  /** The transport's options, resolved. */
  options: ResolvedTransportOptions;
  /** The session's time source. */
  clock: Clock;
  /** The session's counters. */
  stats: TransportStats;
  /** Aborted when the session is over. */
  signal: AbortSignal;
  /** Takes every error; fatal ones end the session. */
  onError: (error: TransportError) => void;
  /** Dispatches playback events on the transport. */
  dispatch: (event: Event) => void;
  /** Background audio under the speech, if any (or the function that makes the session's). */
  background: TransportOptions["background"];
  /** Those watching the session (read on every chunk; empty costs nothing). */
  observers: ObserverList;
  /**
   * Says the session's goodbye (`say` hands the `end` to the serializer) and ends the session with
   * close reason `reason`.
   */
  goodbye: (say: () => Promise<void> | void, reason: string) => Promise<void>;
  /**
   * The transport's writable, once made: what waits in its writers for room counts here too —
   * its audio, which an interruption drops as its turn comes (`takeHeldAudioMs`), its first
   * `end`, which `#handOver` takes (`takeHeldEnd`), and its `message` frames, for which the far
   * end's hold is given up (`holdsMessage`; the writer itself keeps what is written after them
   * from overtaking them). None without it.
   */
  writable?: () => WritableStream<Frame> | undefined;
}

/** The outbound side of one session. */
export class OutboundPath {
  /** Sends at once, for what must not wait for queued audio. */
  readonly sender: OutboundSender;
  /** The far end's playout. */
  readonly tracker: PlaybackTracker;
  readonly #gate = new ResponseGate(() => this.#forgotStale());
  readonly #pump: OutboundPump;
  readonly #timeline: PlayoutTimeline;
  readonly #clock: Clock;
  readonly #observers: ObserverList;
  readonly #options: ResolvedTransportOptions;
  readonly #stats: TransportStats;
  readonly #signal: AbortSignal;
  /**
   * What the serializer's context does, which it reaches only weakly (see `linkedContext`): held
   * here, it lives exactly as long as the session does, and a serializer kept after the call
   * keeps none of it. Held by the context alone, a collection would take it while the transport
   * is still held, and a late call (an asynchronous decode's count, a report) would reach nobody.
   */
  #contextParts: ContextParts | undefined;
  /** The session is ending otherwise than by an `end` (cancel, close): an `end` waiting stops. */
  #dropped = false;
  /**
   * The session's end told the observers what never leaves (see {@linkcode #heldNeverLeaves}):
   * once, whether the far end closed or we did. Not where an interruption told a drop: it told
   * only what its clear dropped, and a background chunk whose answer was due then was not.
   */
  #endDropTold = false;
  readonly #dispatch: (event: Event) => void;
  readonly #goodbye: (say: () => Promise<void> | void, reason: string) => Promise<void>;
  readonly #onError: (error: TransportError) => void;
  readonly #writable: () => WritableStream<Frame> | undefined;
  /** The response the last audio written belonged to, for the silence an `end` adds. */
  #lastResponseId: string | undefined;
  /** Interrupted, and no audio since: nothing is playing that a hang-up could cut off. */
  #interruptedLast = false;
  /** An `end` is queued: one written again adds no silence (it would be dropped at the close). */
  #endQueued = false;
  /** The first `end` queued (the one that hangs up), until it is said or handed over. */
  #unsaidEnd: EndFrame | undefined;
  /** It went to the serializer as the socket dropped under it (see `#handOver`): not dropped. */
  #endHandedOver = false;
  /** What the far end's hold kept unplayed was counted as the session ended (see `#countHeld`). */
  #heldCounted = false;
  readonly #serializer: FrameSerializer;
  /** Audio refused because the far end takes none is reported once. */
  #refused = false;
  /**
   * Whether sending is paused, counted in `stats` (a pause held counts its time so far in
   * `sendPausedMs` as the counters are read: see {@linkcode statsRead}), and the pause's bound.
   * Both made at the first pause, as `#startBound` is: most far ends never ask for one.
   */
  #pauses: SendPauseTally | undefined;
  #pauseBound: ClockTimer | undefined;
  /** What the pause held waits on, as its "timeout" error says (`SendPauseOptions.reason`). */
  #pauseReason = FAR_END_DID_NOT_RESUME;
  /** The socket is open. */
  #open = false;
  /** The far end can take what we send (its start message came, if it needs one: `awaitsStart`). */
  #farEndReady = false;
  /**
   * Made when first armed, as `#pauseBound` is: most far ends neither await a start message nor
   * ask for a pause, and such a session holds neither timer (nor its callback).
   */
  #startBound: ClockTimer | undefined;
  /**
   * `message` frames queued so far (`sendFrame`): while the sender has taken fewer
   * (`OutboundSender.messageFramesTaken`), one waits in the queue (see {@linkcode overtakes}).
   */
  #messagesQueued = 0;
  /**
   * What the observers are told behind interruptions whose clear waits, held until its fate is
   * known (`undefined`: nothing held, the usual case, one read a chunk): see `_clear_wait_tells.ts`.
   */
  #heldTells: ClearWaitTells | undefined;
  /** The background the `background` function made for this session: the session's to release. */
  readonly #madeBackground: OutboundMixer | undefined;
  /** The session's background, as the pump mixes, fills and detaches through it. */
  readonly #mixer: SessionMixer | undefined;

  /** Builds the parts. */
  constructor(init: OutboundPathOptions) {
    const { options, clock, stats } = init;
    this.#options = options;
    this.#stats = stats;
    this.#signal = init.signal;
    this.#dispatch = init.dispatch;
    this.#goodbye = init.goodbye;
    this.#serializer = init.serializer;
    this.#onError = init.onError;
    this.#writable = init.writable ?? (() => undefined);
    this.#clock = clock;
    this.#observers = init.observers;
    const timeline = this.#timeline = new PlayoutTimeline({
      sendAheadMs: options.sendAheadMs,
      clock,
    });
    this.sender = new OutboundSender({
      socket: init.socket,
      serializer: init.serializer,
      clock,
      stats,
      addWavHeader: options.addWavHeader,
      packetizer: options.fixedAudioPacketSize === undefined ? undefined : new Packetizer({
        packetSize: options.fixedAudioPacketSize,
        lastPacket: options.lastPacket,
        padByte: options.padByte,
      }),
      maxBufferedBytes: options.maxBufferedBytes,
      sendTimeoutMs: options.sendTimeoutMs,
      signal: init.signal,
      onError: init.onError,
    });
    // Observers were told of that audio with its chunks: nothing past it was heard (a recorder
    // erases it; the next audio is told at the positions it held). No interruption: nobody cut in.
    this.sender.placedAudioDropped = (ms) => {
      if (this.#observers.list.length === 0) return;
      this.#heldDropped(timeline.sentMs - ms, clock.now());
    };
    // How long the queue must stay dry before what was sent counts as all there is (a real-time
    // source's jitter is shorter): the end is then marked, and audio held back is sent.
    const quietMs = Math.max(options.sendAheadMs, 2 * options.chunkMs);
    this.tracker = new PlaybackTracker({
      timeline,
      sender: this.sender,
      clock,
      stats,
      markIntervalMs: init.serializer.playoutMarks ? options.markIntervalMs : 0,
      maxMarkIntervalMs: options.maxMarkIntervalMs,
      quietMs,
      playoutDelayMs: options.playoutDelayMs,
      playoutTimeoutMs: options.playoutTimeoutMs,
      playbackReports: init.serializer.playbackReports === true,
      dispatch: init.dispatch,
      // Only when a turn ran long after sending (rare): nothing per chunk.
      onReplaced: (from) => {
        if (this.#observers.list.length > 0) this.#moved(from);
      },
      // Only as the far end's hold begins or ends (a command sent): nothing per chunk. Told with
      // no observer too: the list keeps the hold for one added during it.
      onHeld: (held, position) => {
        this.#observers.playoutHeld({ at: clock.now(), held, position });
      },
    });
    const background = sessionBackground(init.background);
    if (typeof init.background === "function") this.#madeBackground = background;
    const mixer = this.#mixer = background && new SessionMixer(background);
    this.#pump = new OutboundPump({
      tailMs: quietMs,
      format: {
        sampleRate: options.outputSampleRate,
        channels: options.outputChannels,
        chunkMs: options.chunkMs,
      },
      mixer,
      onChunk: (chunk, speech) => {
        if (this.#observers.list.length > 0) this.#observe(chunk, speech);
      },
      maxQueuedMs: options.maxQueuedMs,
      timeline,
      sender: this.sender,
      tracker: this.tracker,
      clock,
      sendEnd: (frame) => this.#sendEnd(frame),
      onError: init.onError,
      holdBoundMs: options.sendTimeoutMs,
      messageWaits: () => this.#messageWaits(),
    });
  }

  /** A pause outlasted `sendTimeoutMs` from its last arming: sending goes on, said with why. */
  #pauseRanLong(): void {
    const message = `${this.#pauseReason} within ${this.#options.sendTimeoutMs} ms: sending on`;
    this.#pump.pauseRanLong(this.#clock.now()); // the far end's hold too, if its bound passed
    this.pauseSending(false);
    this.#onError(new TransportError("timeout", message));
  }

  /** No start message came within `sendTimeoutMs` of the socket opening: sending begins. */
  #noStartMessage(): void {
    const message =
      `no start message from the far end within ${this.#options.sendTimeoutMs} ms of the socket opening: sending anyway`;
    this.#onError(new TransportError("timeout", message));
    this.farEndStarted();
  }

  /**
   * The far end asks us to stop sending for now (`true`) or to go on (`false`): see
   * `SerializerContext.pauseSending`. Counted; a pause longer than `sendTimeoutMs` ends itself.
   * With `options`, a pause already held is bounded afresh from now, for what it waits on now
   * (Asterisk's XOFF held by the bot's own PAUSE_MEDIA, then by the far end's drain); without,
   * a second pause changes nothing, as serializers that repeat their far end's XOFF expect.
   */
  pauseSending(paused: boolean, options?: SendPauseOptions): void {
    if (options !== undefined) checkSendPause(options);
    // Once the session is ending nothing more is sent: a far end's XOFF in the close handshake
    // pauses nothing, and was counted, its bound armed, as a pause of the call.
    if (this.#signal.aborted || this.#dropped) return;
    const held = this.#pauses?.held === true;
    if (paused === held) {
      if (held && options !== undefined) this.#armPauseBound(options);
      return;
    }
    if (paused) {
      (this.#pauses ??= new SendPauseTally(this.#stats, this.#clock)).begin();
      this.#armPauseBound(options);
    } else {
      this.#pauses!.end();
      this.#pauseBound?.cancel();
    }
    this.#pump.hold(paused);
  }

  /**
   * The session is ending with sending paused: the pause ends with it, and its time so far is
   * counted in `stats.sendPausedMs` (a pause the far end held to the end lasted all that time).
   */
  #pauseEnds(): void {
    this.#pauseBound?.cancel();
    this.#pauses?.end();
  }

  /**
   * `copy`, a copy of the session's counters being handed out (`transport.stats`), with a send
   * pause still held counted to now in `sendPausedMs`, as it counts in `sendPauses` from its start.
   */
  statsRead(copy: TransportStats): TransportStats {
    return this.#pauses === undefined ? copy : this.#pauses.withHeld(copy);
  }

  /** Bounds the pause held by `sendTimeoutMs` from now, its error saying what it waited on. */
  #armPauseBound(options: SendPauseOptions | undefined): void {
    this.#pauseReason = options?.reason ?? FAR_END_DID_NOT_RESUME;
    this.#pauseBound ??= this.#clock.timer(() => this.#pauseRanLong());
    this.#pauseBound.arm(this.#options.sendTimeoutMs);
  }

  /**
   * The serializer's means (`FrameSerializer.bind`): send, count, report, pause, hand frames on.
   * Once `inbound.decodingStopped`, what it counts of what the far end sent is not counted (a
   * decode under way when the session ended, answering after: counted dropped on close already).
   */
  serializerContext(inbound: SerializerInbound): SerializerContext {
    const fixed = {
      clock: this.#clock,
      sendTimeoutMs: this.#options.sendTimeoutMs,
      closeTimeoutMs: this.#options.closeTimeoutMs,
      signal: this.#signal,
      ...(this.#options.waitUntil && { waitUntil: this.#options.waitUntil }),
    };
    this.#contextParts = this.#partsFor(inbound);
    return linkedContext(heldWeakly(this.#contextParts), fixed);
  }

  /** What the serializer's context does, reached weakly (see `linkedContext`). */
  #partsFor(inbound: SerializerInbound): ContextParts {
    return {
      send: (message) => this.sender.sendMessage(message),
      count: (counter, amount, held) => {
        if (isInboundCounter(counter) && inbound.decodingStopped) return;
        // Audio a serializer drops from what it holds was counted sent when it was handed over:
        // the sender knows how much (see `OutboundSender.countHeldDrop`).
        if (held) this.sender.countHeldDrop(counter, amount);
        else if (counter === "audioBytesRefused" || counter === "audioBytesDroppedOnClose") {
          this.sender.countDropped(counter, amount);
        } else this.#stats[counter] += amount;
      },
      report: (error) => this.#onError(asTransportError(error)),
      inboundPacket: tellingInboundPackets(this.#observers),
      inboundFrames: (frames) => inbound.handOn(frames),
      pauseSending: (paused, options) => this.pauseSending(paused, options),
      farEndInterrupted: () => this.#gate.close(),
      farEndHeld: (held) => {
        this.tracker.farEndHeld(held === true); // the pacing's hold with it (see `holdAt`)
        if (held !== true) this.#pump.farEndPlays();
      },
    };
  }

  /** Queues audio (unless its response was interrupted); a promise when the writer should wait. */
  sendAudio(frame: AudioFrame): Promise<void> | undefined {
    // Read each time: a protocol may learn only from its far end whether it takes audio (Genesys).
    if (this.#serializer.carriesAudio === false) return this.#refuse(frame);
    const id = this.#gate.idOf(frame.responseId);
    if (this.#gate.isStale(id)) {
      this.#stats.audioBytesStale += frame.audio.length;
      if (this.#gate.firstDrop(id)) this.#dispatch(new StaleAudioEvent(id));
      return;
    }
    this.#lastResponseId = id;
    this.#interruptedLast = false;
    // Untagged audio of a response begun by startResponse() is tagged here (a copy: not ours).
    return this.#pump.pushAudio(id === frame.responseId ? frame : { ...frame, responseId: id! });
  }

  /**
   * Whether `frame` belongs to a response interrupted before it was written: then it is dropped,
   * counted, and its response reported once (the same `staleaudio` as its audio: one response).
   */
  #staleText(frame: TextFrame): boolean {
    const id = this.#gate.idOf(frame.responseId);
    if (!this.#gate.isStale(id)) return false;
    this.#stats.textFramesStale++;
    if (this.#gate.firstDrop(id)) this.#dispatch(new StaleAudioEvent(id));
    return true;
  }

  /**
   * The gate forgot a stale response to keep its bound (see `ResponseGate`): counted, the first
   * reported. Should that response send again, its audio (or text) is sent, not dropped: the one
   * way stale audio is played, so said where the bot's errors are heard. A microtask on: told
   * inside the gate's answer, a listener's frames or interruption would come before the frame
   * being handled, which is placed after them.
   */
  #forgotStale(): void {
    if (this.#stats.staleResponsesForgotten++ > 0) return;
    const message = "the stale-response gate forgot an interrupted response to keep its bound " +
      "(it remembers the 1,024 responses heard last): if that response sends again, its audio " +
      "(or text) is taken for a new response's and sent (counted in staleResponsesForgotten; " +
      "further ones without another report)";
    queueMicrotask(() => this.#onError(new TransportError("encode", message)));
  }

  /** Audio for a protocol with no audio path: dropped, counted, reported once. */
  #refuse(frame: AudioFrame): undefined {
    this.#stats.audioBytesRefused += frame.audio.length;
    if (this.#refused) return;
    this.#refused = true;
    const message = "the far end takes no audio (the protocol has no audio path, or the session " +
      "did not ask for it): outbound audio is dropped, counted in audioBytesRefused";
    this.#onError(new TransportError("encode", message));
  }

  /**
   * Queues a frame after the audio before it; an `end` after `endSilenceMs` of silence. Text the
   * far end speaks (`speaksText`) is the reply: text of an interrupted response is dropped. A
   * message the serializer lets overtake ({@linkcode overtakes}) goes at once instead, as an
   * urgent one.
   */
  sendFrame(frame: Frame): Promise<void> | undefined {
    if (frame.type === "message") {
      if (this.overtakes(frame)) return void this.sender.sendUrgent(frame);
      this.#messagesQueued++;
    }
    if (frame.type === "text" && this.#serializer.speaksText === true && this.#staleText(frame)) {
      return;
    }
    // The silence protects the last audio's play-out from the hang-up: after an interruption
    // there is none (and silence tagged with the interrupted response would revive it).
    if (frame.type === "end" && !this.#endQueued) {
      this.#endQueued = true;
      this.#unsaidEnd = frame;
      if (
        this.#options.endSilenceMs > 0 && !this.#interruptedLast &&
        this.#serializer.carriesAudio !== false
      ) this.#pump.pushAudio(this.#silence());
    }
    return this.#pump.pushFrame(frame);
  }

  /**
   * Whether `frame`, a `message` frame not marked urgent, goes at once as an urgent message would,
   * ahead of the audio queued before it, as the serializer says (`overtakesQueue`: Asterisk's
   * `CONTINUE_MEDIA`, which a `MEDIA_XOFF` under the bot's `PAUSE_MEDIA` waits on, would wait
   * behind the audio that pause of sending holds until its bound). Only once sending has begun
   * (nothing leaves before: the serializer's set-up, the far end's start) and while the session
   * is not ending (`drop`: after the bot's `end` is said, a message queued never leaves, and one
   * sent at once would follow the hang-up), and where no `message` frame waits ahead of it, in
   * the queue or for an asynchronous serializer's answer: it would land after this one (a
   * `PAUSE_MEDIA` after the `CONTINUE_MEDIA`, Asterisk left paused). Marks queued ahead keep
   * their place after their audio. A serializer without the method costs a message frame one
   * read; audio never asks.
   */
  overtakes(frame: MessageFrame): boolean {
    const serializer = this.#serializer;
    if (serializer.overtakesQueue === undefined) return false;
    if (!this.#open || !this.#farEndReady || this.#dropped || this.#signal.aborted) return false;
    // Not the messages waiting in a writer for room: they reach the queue only at their turn,
    // behind this one whether it overtakes or queues (this one is sent directly, or is a writer's
    // own held frame at its turn, with only frames written after it still held).
    if (this.#messageQueued() || this.sender.messageAnswersDue > 0) return false;
    try {
      return serializer.overtakesQueue(frame) === true;
    } catch (cause) {
      this.#stats.encodeErrors++;
      const message = `the serializer's overtakesQueue threw: ${thrownText(cause)}; the ` +
        `message keeps its place after the audio before it`;
      const error = new TransportError("encode", message, { cause });
      // Told a microtask on, once the frame has its place (queued, or held in a writer): an error
      // listener that sends a message now would see none ahead of it, and it would overtake this.
      queueMicrotask(() => this.#onError(error));
      return false;
    }
  }

  /**
   * Whether a `message` frame waits behind the audio queued: in the queue (the sender has taken
   * fewer than were queued), or written to a writer behind a write waiting for room, which waits
   * on that audio (then it reaches the queue only once the audio has left: a hold that kept it
   * back until its bound kept the message too).
   */
  #messageWaits(): boolean {
    return this.#messageQueued() || holdsMessage(this.#writable());
  }

  /** Whether a `message` frame waits in the queue: the sender has taken fewer than were queued. */
  #messageQueued(): boolean {
    return this.#messagesQueued !== this.sender.messageFramesTaken;
  }

  /**
   * A `message` frame began to wait in a writer for room (`FrameSink.messageHeld`): it waits as
   * one queued does (see {@linkcode #messageWaits}), and the pump is told so.
   */
  messageHeld(): void {
    this.#pump.messageWaiting();
  }

  /** A frame too late: the session is closing, or a writer held it when aborted. Counted. */
  dropOnClose(frame: Frame): undefined {
    if (frame.type === "audio") this.#stats.audioBytesDroppedOnClose += frame.audio.length;
    else this.#stats.framesDroppedOnClose++;
  }

  /** See `WebSocketTransport.startResponse`. */
  startResponse(id?: string): string {
    return this.#gate.start(id);
  }

  /** The bot's `end` is queued: the session ends once it has been said. */
  get endQueued(): boolean {
    return this.#endQueued;
  }

  /**
   * An `end` waits to be said: queued, or written and waiting in a writer for room. Not once the
   * session is ending otherwise (`drop`: a `cancel`, a close): the `end` is dropped then (counted),
   * never said, and so not the session's ending: a `cancel` after it, waiting on an asynchronous
   * serializer's set-up, was overruled by the `end` it had dropped (1000 and its reason).
   */
  get endWaits(): boolean {
    return !this.#dropped && (this.#endQueued || holdsEnd(this.#writable()));
  }

  /**
   * The socket never opened for the bot's `end` (`EndBeforeOpen.neverSaid`): the session ends as
   * that end's goodbye would end it, `settle` in place of the `end` said (what was queued before
   * it counted dropped, as the goodbye drops it, and the `end` with it as the session stops).
   */
  neverSaid(settle: (code: number, reason: string) => void): void {
    // One taken from its writer is counted here: taken, the writer lets it go uncounted.
    const held = this.#unsaidEnd === undefined ? takeHeldEnd(this.#writable()) : undefined;
    if (held !== undefined) this.#stats.framesDroppedOnClose++;
    const reason = (this.#unsaidEnd ?? held)?.reason ?? "";
    // 1000: the code an `end`'s goodbye closes with (`WebSocketTransport.#goodbye`).
    void this.#goodbye(() => settle(1000, reason), reason);
  }

  /**
   * The background of this session: the mixer the `background` option gave, or the one its
   * function made for this session; `undefined` with none, or once it declined the session.
   */
  get background(): OutboundMixer | undefined {
    const mixer = this.#mixer;
    return mixer === undefined || mixer.declined ? undefined : mixer.mixer;
  }

  /** The far end's playback now. */
  get playback(): PlaybackState {
    return this.tracker.state(this.#pump.queuedMs);
  }

  /**
   * The socket is open: begin sending, or, for a far end that takes nothing before its start
   * message (`FrameSerializer.awaitsStart`), once that has come (at most `sendTimeoutMs` on).
   */
  start(): void {
    this.#open = true;
    if (this.#farEndReady) return this.#beginSending();
    const awaitsStart = this.#awaitsStart();
    if (awaitsStart === undefined) return; // it threw: the session is ending
    if (awaitsStart) {
      this.#startBound ??= this.#clock.timer(() => this.#noStartMessage());
      return this.#startBound.arm(this.#options.sendTimeoutMs);
    }
    this.#farEndReady = true;
    this.#beginSending();
  }

  /** Sending begins: the urgent frames held first, ahead of all that is queued, then the pump. */
  #beginSending(): void {
    this.sender.releaseUrgent();
    this.#pump.start();
  }

  /**
   * The bot's `cancel`: drops what is queued, as every ending does ({@linkcode drop}), and returns
   * whether the cancel can be said. Not on a socket that has not opened: nothing leaves on it (the
   * cancel counted dropped, as the sender counts a frame it finds no open socket for), so the
   * session closes at once, as `close()` does, with the cancel's code and reason, and that close
   * waits for the socket to open (`SocketCloser`), which the open bound leaves be. A cancel that
   * waited for an asynchronous set-up first, to be said after it, left the session to that bound
   * (`SocketEvents.#neverOpened`): 1006, the cancel's code lost, `initiator` "remote" yet no
   * "disconnected"; and where the far end closes after a goodbye (`peerCloses`), its close was
   * waited for though nothing had been said to it, and the bound came first alike.
   */
  dropForCancel(): boolean {
    this.drop();
    if (!this.sender.connecting) return true;
    this.#stats.framesDroppedOnClose++;
    return false;
  }

  /**
   * The serializer's set-up is done (`WebSocketTransport`'s, on its `ready`). Where the socket
   * is open already and no start is awaited, the urgent frames held leave now, in order, ahead of
   * what the bot does once its `ready` settles (a `cancel` sent during the set-up says its
   * goodbye then), not a task on with "connected" ({@linkcode start}). An `awaitsStart` that
   * throws holds them: `start` reports it, and the session ends.
   */
  setUpDone(): void {
    if (this.sender.connecting || this.sender.closing) return;
    let awaitsStart: boolean;
    try {
      awaitsStart = this.#serializer.awaitsStart === true;
    } catch {
      return;
    }
    if (!awaitsStart || this.#farEndReady) this.sender.releaseUrgent();
  }

  /**
   * The serializer's `awaitsStart`, read when the socket opens, from a socket's listener or a
   * timer the session shares with others: a getter that throws ends this session, as a session
   * observer's exception does (a fatal "application" error, close code 1011); `undefined` then.
   */
  #awaitsStart(): boolean | undefined {
    try {
      return this.#serializer.awaitsStart === true;
    } catch (cause) {
      const message = `the serializer's awaitsStart threw: ${thrownText(cause)}`;
      this.#onError(
        new TransportError("application", message, { cause, closeCode: 1011, fatal: true }),
      );
      return undefined;
    }
  }

  /** The far end's start message has come (or its bound passed): sending may begin. */
  farEndStarted(): void {
    if (this.#farEndReady) return;
    this.#farEndReady = true;
    this.#startBound?.cancel();
    if (this.#signal.aborted) return;
    if (this.#open) return this.#beginSending();
    // Read as the set-up ended, on a socket open already: "connected" (`start`) comes a task on,
    // and the pump with it; the urgent frames held go now, the last of what held them done.
    if (!this.sender.connecting && !this.sender.closing) this.sender.releaseUrgent();
  }

  /**
   * An inbound mark; returns whether it was one of the tracker's own (to be hidden). Observers
   * are told when it corrected the far end's lag.
   */
  acknowledge(name: string): boolean {
    const before = this.tracker.lag;
    const own = this.tracker.acknowledge(name);
    const lagMs = this.tracker.lag;
    if (lagMs !== before) {
      const info = { at: this.#clock.now(), lagMs, changeMs: lagMs - before };
      this.#observers.playoutLag(info);
    }
    return own;
  }

  /**
   * The transport's interruption (`WebSocketTransport.interrupt`): the serializer's clear message
   * leaves at once, ahead of what the bot sends next, and sending goes on. Before sending begins
   * (the socket connecting, the set-up under way, the far end's start awaited: see
   * `OutboundSender.urgentMayLeave`) nothing has left: nothing to clear, and none is sent (nor
   * held: Twilio's would have no address yet). A promise where the clear waits in the urgent line
   * (see `OutboundSender.sendClear`): what was heard once it left, or the session ended.
   */
  interruptFarEnd(): InterruptResult | Promise<InterruptResult> {
    if (!this.sender.urgentMayLeave) return this.interrupt(true);
    // The clear leaves at once, before what the bot sends next (raw PCM has none: what left plays).
    const cleared = this.sender.sendClear();
    if (typeof cleared === "boolean") {
      const result = this.interrupt(cleared);
      this.resume();
      return result;
    }
    // It waits behind an urgent answer due (or for its own): the cut is made now, nothing more of
    // the interrupted responses leaves, but the far end plays on what it holds until the clear
    // reaches it. The answer is what was heard then (bounded: every answer ahead is).
    // The observers are told of it then too, at the position heard then (see `#heldTells`).
    const held: HeldInterruption = {
      kind: "interrupted",
      then: undefined,
      heardPosition: NaN,
      unsentFrom: NaN,
      heldMs: 0,
    };
    this.interrupt(true, (unsent) => {
      const cut = this.tracker.interruptUntilCleared(unsent);
      held.then = cut.then;
      return cut.result;
    }, held);
    this.resume();
    return cleared.then((fate) => {
      const known = held.then!(fate);
      this.#clearKnown(held, known.heardPosition);
      return known.result;
    });
  }

  /**
   * The fate of the clear of `held` is known, the far end having played to `heardPosition`: the
   * observers are told of it, and of what was held behind it (see `ClearWaitTells.known`).
   */
  #clearKnown(held: HeldInterruption, heardPosition: number): void {
    if (this.#heldTells?.known(held, heardPosition)) this.#heldTells = undefined;
  }

  /**
   * The session is ending with clears still waiting: the far end played on until now, and the
   * observers are told so before they hear of the end (what never left, the session's close).
   */
  #clearsEnded(): void {
    this.#heldTells?.ended();
    this.#heldTells = undefined;
  }

  /**
   * An interruption: what the caller heard, every queued byte dropped (counted), the responses
   * written so far closed to late audio. `clears`: the far end was told to drop what it holds;
   * when it was not (the protocol has no words for it), what was sent plays on and is heard.
   * `cut`: the tracker's cut, where it is not `PlaybackTracker.interrupt`'s (`unsent`: the
   * milliseconds not yet sent, dropped). `held`: the clear waits, and the observers are told of
   * the interruption once its fate is known (see {@linkcode #heldTells}), not now.
   */
  interrupt(
    clears: boolean,
    cut?: (unsent: number) => InterruptResult,
    held?: HeldInterruption,
  ): InterruptResult {
    // Audio still waiting in a writer for room was written before the interruption: it is dropped
    // later, as its turn comes (counted then), but never plays, so it is dropped audio now.
    const unsent = this.#pump.queuedMs + takeHeldAudioMs(this.#writable());
    const result = cut === undefined ? this.tracker.interrupt(unsent, clears) : cut(unsent);
    // The tracker knows only what was sent: before anything left (the socket not open yet, the
    // far end's start not come), it names none, though the response queued to play is dropped.
    // Not when sent audio was heard or dropped: that is an untagged response in play, and stays so.
    if (result.responseId === undefined && result.heardMs === 0 && !(result.droppedMs > unsent)) {
      result.responseId = this.#queuedResponseId();
    }
    this.#gate.close();
    this.#interruptedLast = true;
    // Read before the clear: what the packetizer held (told with its chunks) is dropped with it,
    // and the serializer's partial frame, which its clear message dropped already; where the far
    // end clears, the speech chunk whose asynchronous answer is due too (dropped as it comes,
    // told here: the pump's wait for it ends at the cut; background's leaves, and plays on).
    const answerDueMs = clears ? this.sender.clearedAnswerDueMs : 0;
    const heldMs = this.sender.neverLeftMs + answerDueMs;
    this.sender.neverLeftTold(answerDueMs > 0);
    const unsentFrom = this.#timeline.sentMs - heldMs;
    if (held === undefined && this.#heldTells !== undefined) {
      // Its clear left at once (the urgent line drained), but an earlier clear's fate is not told
      // yet (a few microtasks on): the observers hear of this one behind it, in its turn, at the
      // position heard now. Told at once, it would come before the first (`interrupted` twice,
      // out of order, the first's dropped audio after the second).
      held = {
        kind: "interrupted",
        then: undefined,
        heardPosition: this.tracker.cutPosition,
        unsentFrom: NaN,
        heldMs: 0,
      };
    }
    if (held !== undefined) {
      // Held before the queue is cleared: a "speakingstop" listener's reply is told behind it.
      held.unsentFrom = unsentFrom;
      held.heldMs = heldMs;
      (this.#heldTells ??= new ClearWaitTells(
        this.#observers,
        this.#timeline,
        this.tracker,
        this.#clock,
      )).interrupted(held);
    }
    this.#stats.audioBytesInterrupted += this.#pump.clear(clears);
    if (held !== undefined) return result;
    const at = this.#clock.now();
    this.#observers.interrupted({ at, heardPosition: this.tracker.cutPosition });
    // It never left, so it was not sent (`stats.audioBytesSent` never counted it): metrics take it
    // back. Told after the interruption, whose cut (at or before it: a `CallRecorder` erases what
    // was not heard from there) must come first; a second cut, past the first, changes nothing.
    if (heldMs > 0) this.#heldDropped(unsentFrom, at);
    return result;
  }

  /**
   * The response the unsent audio begins with: the first queued chunk's, else (only a partial
   * chunk, or packet, is held) the last audio written's, which is all that is held.
   */
  #queuedResponseId(): string | undefined {
    const first = this.#pump.firstQueuedChunk;
    if (first !== undefined) return first.responseId;
    return this.#pump.queuedMs > 0 ? this.#lastResponseId : undefined;
  }

  /** Sends on after an interruption's clear message has left: the background, if any, goes on. */
  resume(): void {
    this.#pump.resume();
  }

  /**
   * The session is ending: audible responses stop, queued audio is dropped (counted). Where the
   * socket `dropped` (1006: no close frame), the bot's `end` still waiting goes to the serializer
   * (see `#handOver`).
   */
  drop(dropped = false): void {
    this.#dropped = true;
    this.#pauseEnds();
    this.#clearsEnded(); // before the tracker ends and what never left is told
    this.#countHeld(); // before the tracker ends and the partial frame is told (they read them)
    this.tracker.end();
    this.#heldNeverLeaves();
    this.#stats.audioBytesDroppedOnClose += this.#pump.clear();
    if (dropped) this.#handOver();
  }

  /**
   * The socket dropped (no close frame: a network failure, not the far end ending the stream)
   * under the bot's `end`, queued behind its goodbye or waiting for that to play: the bot asked to
   * end the call, which a media socket gone does not with every provider, so the `end` goes to
   * the serializer all the same, once, before the session's `signal` aborts (a REST hang-up it
   * starts runs on to its own bound, a failure reported). Not where the far end closed the socket
   * (it ended the stream: the call is over, or going on by the platform's choice), nor on a
   * socket that never opened: no call to end yet.
   */
  #handOver(): void {
    if (this.#endHandedOver || !this.#open) return;
    // Else one written behind a goodbye still waiting in a writer for room (`maxQueuedMs`).
    const frame = this.#unsaidEnd ?? takeHeldEnd(this.#writable());
    if (frame === undefined) return;
    this.#endHandedOver = true;
    this.#pump.withdraw(frame); // queued still: never sent now (else `#sendEnd` holds it)
    // A partial frame the serializer holds cannot leave: dropped (counted), not padded into
    // the end's answer, which cannot leave either.
    this.sender.dropHeldFrames();
    let answer: SerializeResult | undefined;
    try {
      answer = this.#serializer.serialize(frame);
    } catch (cause) {
      return this.#endFailed(cause);
    }
    if (!(answer instanceof Promise)) return this.#endAnswered(answer);
    answer.then((messages) => this.#endAnswered(messages), (cause) => this.#endFailed(cause));
  }

  /** A message the serializer answers a handed-over `end` with has no socket: counted dropped. */
  #endAnswered(messages: SerializedMessage | SerializedMessage[] | null | undefined): void {
    const none = messages === null || messages === undefined;
    if (none || (Array.isArray(messages) && messages.length === 0)) return;
    this.#stats.framesDroppedOnClose++;
  }

  /**
   * A handed-over `end` the serializer failed: reported and counted as any `end` it fails. A
   * "closed" error is a goodbye the session's end stopped (jambonz waits for its last batch
   * before its hang-up, which is then not sent), or, with a cause, a hang-up that failed after it
   * and reported that itself: the `end` counted dropped at the close.
   */
  #endFailed(cause: unknown): void {
    if (cause instanceof TransportError && cause.code === "closed") {
      this.#stats.framesDroppedOnClose++;
      if (cause.cause !== undefined) return;
      const message = `the socket closed before the bot's end was said, and its goodbye did not ` +
        `go (${cause.message}): the call may still be up`;
      return this.#onError(new TransportError("closed", message, { cause }));
    }
    this.#stats.encodeErrors++;
    this.#onError(
      cause instanceof TransportError ? cause : new TransportError(
        "encode",
        `serializer failed to write an end frame: ${thrownText(cause)}`,
        { cause },
      ),
    );
  }

  /** The session is over: nothing more is sent, no timer is left; what was queued is counted. */
  stop(): void {
    this.#pauseEnds(); // none held: every ending drops first, which ended it
    this.#clearsEnded(); // none waits: as for the pause
    this.#countHeld(); // none: every ending drops first, which counted it (a bound, not a path)
    this.tracker.end();
    this.#startBound?.cancel();
    this.sender.dropHeldUrgent(); // sending never began
    this.#heldNeverLeaves();
    const left = this.#pump.stop();
    this.#stats.audioBytesDroppedOnClose += left.audioBytes;
    this.#stats.framesDroppedOnClose += left.frames;
  }

  /**
   * The session is ending: the audio held back for a packet not yet whole, the serializer's
   * partial frame (behind it, or alone: `neverLeftMs`) and the chunk whose asynchronous answer
   * is due (`answerDueMs`, speech or background: dropped as it comes), placed on the timeline and
   * told to the observers with its chunks, never leaves. Told now, before the clear and before
   * the observers hear the session is over, from where it was placed (else `voice.outbound.audio`
   * counts it as sent, which `stats.audioBytesSent` never did, and a recording keeps what was
   * placed to play before the close); once, whether the far end closed (`drop`) or we did
   * (`stop`).
   */
  #heldNeverLeaves(): void {
    const heldMs = this.sender.neverLeftMs + this.sender.answerDueMs;
    if (!(heldMs > 0) || this.#endDropTold) return;
    this.#endDropTold = true;
    this.sender.neverLeftTold(true);
    this.#heldDropped(this.#timeline.sentMs - heldMs, this.#clock.now());
  }

  /**
   * The session is ending while the far end's hold (`SerializerContext.farEndHeld`: Asterisk's
   * `PAUSE_MEDIA` with no `CONTINUE_MEDIA` since) keeps audio it was sent unplayed: that audio is
   * never heard, whatever ends the call (an `end` that gave up waiting for it, a `cancel`,
   * `close()`, the far end's close or the socket dropping: Asterisk hangs the channel up with the
   * socket, its queue unplayed), and all of it left (`audioBytesSent` has it; no byte counter
   * holds what a far end drops after it was sent): counted in `stats.audioMsUnplayedAtEnd`, once,
   * by the first ending to read it (an `end`'s hang-up, then the close it asks for, counts once).
   * Not what never left (the serializer's partial frame, a packet not yet whole, a chunk whose
   * asynchronous answer is due: placed on the timeline past the hold, counted dropped on close):
   * read here before `#heldNeverLeaves` tells it. Returns the milliseconds counted now.
   */
  #countHeld(): number {
    if (this.#heldCounted) return 0;
    this.#heldCounted = true;
    const neverLeftMs = this.sender.neverLeftMs + this.sender.answerDueMs;
    const heldMs = Math.round(Math.max(0, this.tracker.heldUnplayedMs - neverLeftMs));
    this.#stats.audioMsUnplayedAtEnd += heldMs;
    return heldMs;
  }

  /**
   * Tells the observers the audio told of from `position` on never left (`outboundDropped`);
   * behind a clear that waits, in its turn (see {@linkcode #heldTells}).
   */
  #heldDropped(position: number, at: number): void {
    if (this.#observers.list.length === 0) return;
    if (this.#heldTells !== undefined) this.#heldTells.dropped(position, at);
    else this.#observers.outboundDropped({ at, position });
  }

  /**
   * The transport was never made (its constructor threw after this path was built): a background
   * the `background` function made for it is released, as one of a session that never opened
   * (a stream source cancelled). One the application gave is left as it is, to serve another.
   */
  abandon(): void {
    try {
      this.#madeBackground?.detach(false);
    } catch {
      // The constructor's own error is the one its caller is told.
    }
  }

  /** Sends everything queued, paced; settles once it has all left. */
  finish(): Promise<void> {
    return this.#pump.finish(this.#signal);
  }

  #observe(chunk: AudioFrame, speech: boolean): void {
    const timeline = this.#timeline;
    const position = timeline.lastPosition;
    const sentAt = this.#clock.now();
    // Read after the serializer's work on it, which may have held the turn (and the chunk) past
    // the pump's last reading: placed, and moved where it must be, before the observers hear.
    this.#pump.turnGoesOnAt(sentAt);
    const placed = timeline.playsAt(position);
    const info = {
      position,
      durationMs: timeline.sentMs - position,
      // Not before it leaves: the listeners told of it before the observers (a speakingstart
      // listener's synchronous work) may hold it past its slot, the far end run dry meanwhile.
      playsAt: (placed < sentAt ? sentAt : placed) + this.tracker.lag,
      deadline: timeline.lastDeadline,
      sentAt,
      speech,
    };
    // Behind a clear that waits: told once its fate is known (see `#heldTells`), placed then.
    if (this.#heldTells !== undefined) return void this.#heldTells.audio(chunk, info);
    this.#observers.outboundAudio(chunk, info);
    this.#pump.userCodeRan(sentAt);
  }

  /**
   * What was sent from `from` on plays later than the observers were told (its turn ran long):
   * it plays from where the timeline placed it anew, as the chunks told of from now on say.
   */
  #moved(from: number): void {
    const info = {
      at: this.#clock.now(),
      position: from,
      playsAt: this.#timeline.playsAt(from) + this.tracker.lag,
    };
    // Behind a clear that waits, in its turn, placed as it is then (see `#heldTells`).
    if (this.#heldTells !== undefined) {
      return void this.#heldTells.moved(from, info.at, info.playsAt);
    }
    this.#observers.playoutMoved(info);
  }

  /** `endSilenceMs` of silence in the outbound format, part of the last response. */
  #silence(): AudioFrame {
    const { outputSampleRate: sampleRate, outputChannels: channels, endSilenceMs } = this.#options;
    const bytes = Math.round((endSilenceMs * sampleRate) / 1000) * channels * 2;
    const silence: AudioFrame = {
      type: "audio",
      audio: new Uint8Array(bytes),
      sampleRate,
      channels,
    };
    if (this.#lastResponseId !== undefined) silence.responseId = this.#lastResponseId;
    return silence;
  }

  /** Waits for the far end to play what was sent before an `end`, sends the `end`, then ends. */
  async #sendEnd(frame: EndFrame): Promise<void> {
    // The packet the last audio began has gone already: the pump flushes it before the `end`.
    // Hanging up the moment the last chunk leaves would cut off the audio still playing.
    const confirmed = await this.tracker.played(this.#signal);
    // The session ended meanwhile, or is ending otherwise (a cancel, a close): no goodbye; the
    // `end` dropped, unless the socket's close handed it to the serializer (`#handOver`).
    if (this.#signal.aborted || this.#dropped) {
      if (frame !== this.#unsaidEnd || !this.#endHandedOver) this.#stats.framesDroppedOnClose++;
      return;
    }
    this.#unsaidEnd = undefined; // said now
    if (this.tracker.acks && !confirmed) {
      // Audio the far end's hold keeps back (Asterisk's PAUSE_MEDIA) was sent and is never heard:
      // counted apart from the byte counters (they count what the transport did with the bot's
      // audio, and all of this left: audioBytesSent has it), and said. Once: this `end` is the
      // one said, a second finds the session ended (dropped above), and the close that follows
      // this one's hang-up counts nothing more (`#countHeld`).
      const heldMs = this.#countHeld();
      const message = heldMs > 0
        ? `the far end held its playout (SerializerContext.farEndHeld; on Asterisk, the bot's ` +
          `PAUSE_MEDIA with no CONTINUE_MEDIA since) and did not acknowledge playout in time: ` +
          `hanging up, ${heldMs} ms of audio sent and never played (counted in ` +
          `audioMsUnplayedAtEnd)`
        : "the far end did not acknowledge playout in time: hanging up on the estimate";
      this.#onError(new TransportError("timeout", message));
    }
    await this.#goodbye(() => this.sender.sendFrame(frame), frame.reason ?? "");
  }
}
