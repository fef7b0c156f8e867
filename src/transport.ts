/**
 * {@linkcode WebSocketTransport}: one voice session over one WebSocket.
 *
 * The data flow, one hop per file (the transport keeps the lifecycle and the dispatch):
 *
 * ```text
 * set-up    _serializer_setup.ts: the serializer claimed for this session and set up (bounded),
 *             bound to its context (_linked_context.ts: the session held weakly once over)
 *
 * inbound   _socket_events.ts ─► _inbound_path.ts ─► _inbound_decoder.ts (size limit, Blob,
 *             in-order async decode, bounded) ─► serializer.deserialize (serializer.ts; serializers/…) ─► frames
 *             ─► own marks to _playback_tracker.ts; the rest to _inbound_queue.ts (bounded;
 *             oldest audio dropped) ─► receive(handler) | readable (_inbound_stream.ts, _frame_pipe.ts)
 *
 * outbound  _outbound_path.ts: send(frame) | writable (_frame_writer.ts) ─► _response_gate.ts
 *             (stale audio dropped) ─► _outbound_pump.ts: AudioChunker (streams/audio_chunker.ts)
 *             ─► _outbound_queue.ts (audio chunks and in-order frames; holds the writer back)
 *             ─► _playout_timeline.ts (pacing deadline, far-end playout; one timer a session)
 *             ─► _outbound_sender.ts (WAV header, serializer.serialize, Packetizer, socket.send,
 *                bounded wait on bufferedAmount) ─► _playback_tracker.ts (marks, speaking events)
 * ```
 *
 * Out of band: `interrupt()` clears the queue, the chunker and packetizer remainders and the
 * timeline, closes the interrupted responses to late audio, then sends the serializer's clear
 * message ahead of anything else. Errors go out as "error" events, one no listener heard held for
 * the next (_unheard_errors.ts); each listener runs behind a guard, so one that throws ends its
 * session, not the process (_guarded_listeners.ts).
 *
 * @module
 */

import { frameProblem, notAFrameProblem } from "./_frame_problem.ts";
import { frameWritable, holdsEnd } from "./_frame_writer.ts";
import { type AddOptions, type AnyListener, GuardedListeners } from "./_guarded_listeners.ts";
import { InboundPath } from "./_inbound_path.ts";
import { checkedObserver } from "./_observer_check.ts";
import { ObserverList } from "./_observer_list.ts";
import { OutboundPath } from "./_outbound_path.ts";
import { claimSerializer, releaseSerializer, setUpSerializer } from "./_serializer_setup.ts";
import { SessionWatch } from "./_session_watch.ts";
import { SocketCloser } from "./_socket_closer.ts";
import { SocketEvents } from "./_socket_events.ts";
import { type Clock, type ClockTimer, systemClock } from "./clock.ts";
import { TransportError } from "./errors.ts";
import { type TransportClosed, TransportCloseEvent, type TransportEventMap } from "./events.ts";
import type { CancelFrame, Frame } from "./frames.ts";
import type { InterruptResult, PlaybackState } from "./playback.ts";
import type { FrameSerializer } from "./serializer.ts";
import type { OutboundMixer, SessionObserver } from "./session_observer.ts";
import { ReadyState, type WebSocketData, type WebSocketLike } from "./socket.ts";
import {
  assertCloseCode,
  type ResolvedTransportOptions,
  resolveTransportOptions,
  type TransportOptions,
} from "./transport_options.ts";
import { emptyStats, type TransportStats } from "./transport_stats.ts";
import { SESSION_OVER } from "./_session_link.ts";

/**
 * A real-time voice session over one WebSocket. Inbound messages become frames, handed to a
 * {@linkcode receive} handler or read from {@linkcode readable}; frames given to {@linkcode send}
 * or written to {@linkcode writable} leave as messages, audio re-chunked to `audioOut.chunkMs`,
 * optionally WAV-wrapped and packetized, and paced like a sound card: each chunk leaves
 * `sendAheadMs` before it would play, so real-time audio is forwarded at once and a burst of TTS
 * audio is spread over its playing time. {@linkcode interrupt} drops every queued byte at once.
 *
 * The streams are a thin layer over `receive`/`send`, made on first use; iterating the readable,
 * piping it to the writable and writing with a writer skip the streams' own queues.
 *
 * The socket closes once, when the readable has been cancelled and the writable closed, when an
 * `end` or `cancel` frame is sent, on {@linkcode close}, or when the remote side goes away.
 *
 * Events: see {@linkcode TransportEventMap}; "error" events carry a `TransportError`, and the
 * session goes on unless `error.fatal`. Errors no "error" listener heard (none was added yet, or
 * none is left) are held for the next (up to 16; more are counted in `stats.errorsUnheard`).
 *
 * @example Echo every frame back, paced
 * ```ts
 * import { RawPcmSerializer, WebSocketTransport } from "@x/ws-transport";
 * import { MemorySocketPair } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * const { server, client } = new MemorySocketPair();
 * const transport = new WebSocketTransport(server, {
 *   serializer: new RawPcmSerializer(),
 *   audioIn: { sampleRate: 16000 },
 *   audioOut: { sampleRate: 16000, chunkMs: 20 },
 * });
 * const echoed = transport.readable.pipeTo(transport.writable);
 * const received: number[] = [];
 * client.addEventListener("message", (e) => received.push(((e as MessageEvent).data as ArrayBuffer).byteLength));
 * client.send(new Uint8Array(640));
 * await client.waitFor(() => received.length === 1);
 * assert.deepEqual(received, [640]);
 * client.close(1000);
 * await echoed;
 * assert.equal((await transport.closed).initiator, "remote");
 * ```
 *
 * @example The same echo on the push surface: no streams, no promise per frame
 * ```ts
 * import { WebSocketTransport } from "@x/ws-transport";
 * import { MemorySocketPair } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * const { server, client } = new MemorySocketPair();
 * const transport = new WebSocketTransport(server, {
 *   audioIn: { sampleRate: 16000 },
 *   audioOut: { sampleRate: 16000, chunkMs: 20 },
 * });
 * transport.receive((frame) => {
 *   const wait = transport.send(frame); // undefined: there is room for more
 *   if (wait) console.log("the queue is full: a producer would await", wait);
 * });
 * let received = 0;
 * client.addEventListener("message", () => received++);
 * client.send(new Uint8Array(640));
 * await client.waitFor(() => received === 1);
 * client.close(1000);
 * assert.equal((await transport.closed).code, 1000);
 * ```
 */
export class WebSocketTransport extends EventTarget {
  /** Settles once the socket has closed and what the peer sent has been read. Never rejects. */
  readonly closed: Promise<TransportClosed>;

  readonly #socket: WebSocketLike;
  readonly #serializer: FrameSerializer;
  readonly #options: ResolvedTransportOptions;
  readonly #clock: Clock;
  readonly #stats: TransportStats = emptyStats();
  readonly #in: InboundPath;
  readonly #out!: OutboundPath; // assigned first in the constructor's try: its catch may find none
  readonly #observers = new ObserverList((error) => this.#onError(error));
  #writable: WritableStream<Frame> | undefined;

  /** Settles once the serializer is set up; inbound and outbound work waits for it. */
  readonly #ready: Promise<void>;
  #isReady = false;
  readonly #over = new AbortController(); // aborted once the session is over: ends every wait
  #connected = false;
  #closing = false;
  #closeStarted: Promise<void> | undefined;
  #resolveClosed!: (closed: TransportClosed) => void;
  #ended: TransportClosed | undefined; // how the session ended, once it has
  #closeAsked: { code: number; reason: string } | undefined;
  #cancelAsked: { closeCode: number; message: string } | undefined; // a set-up's failure yields
  #initiator: "local" | "remote" = "remote";
  #readableLeft = false;
  #writableLeft = false;
  /** Each listener behind a guard; errors no "error" listener heard, held for the next. */
  readonly #listeners = new GuardedListeners(this, {
    stats: this.#stats,
    onError: (error) => this.#onError(error),
  });
  readonly #watch!: SessionWatch; // its catch may find none
  readonly #events: SocketEvents;
  readonly #closer: SocketCloser;
  readonly #opened: ClockTimer; // fires "connected" a task on, for a socket open already

  /**
   * Wraps an open or opening socket. Throws a `RangeError` naming any bad option value, and a
   * `TypeError` for an option of the wrong kind or a serializer that serves or served a session.
   */
  constructor(socket: WebSocketLike, options: TransportOptions = {}) {
    super();
    resolveTransportOptions(options); // every option checked (the serializer too) before a claim
    this.#serializer = claimSerializer(options.serializer);
    const resolved = this.#options = resolveTransportOptions(options, this.#serializer);
    this.#socket = socket;
    try {
      const clock = this.#clock = options.clock ?? systemClock;
      this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
      this.#out = new OutboundPath({
        socket,
        serializer: this.#serializer,
        options: resolved,
        clock,
        stats: this.#stats,
        signal: this.#over.signal,
        onError: this.#onError,
        dispatch: (event) => this.dispatchEvent(event),
        goodbye: (say, reason) => this.#goodbye(say, reason),
        background: options.background,
        observers: this.#observers,
        writable: () => this.#writable,
      });
      this.#watch = new SessionWatch(clock, {
        ...resolved,
        signal: options.signal,
        dispatch: (event) => this.dispatchEvent(event),
        close: (code, reason) => void this.close(code, reason),
        ending: () => this.ending,
        report: this.#onError,
      });
      this.#in = new InboundPath({
        ...resolved,
        serializer: this.#serializer,
        initialMessages: options.initialMessages,
        stats: this.#stats,
        acknowledge: (name) => this.#out.acknowledge(name),
        onStart: () => (this.#out.farEndStarted(), this.#watch.farEndStarted()),
        onEnd: () => this.#watch.farEndEnded(),
        onError: this.#onError,
        observers: this.#observers,
        clock,
        deserializeTimeoutMs: resolved.sendTimeoutMs,
      });
      this.#serializer.bind?.(this.#out.serializerContext(this.#in));
      this.#opened = clock.timer(this.#onOpen);
      this.#closer = new SocketCloser({
        socket,
        clock,
        closeTimeoutMs: resolved.closeTimeoutMs,
        closedSignal: this.#over.signal,
        finish: (code, reason) => this.#finish(code, reason),
        report: this.#onError,
      });
      // After all that can throw: a transport never made leaves no listener nor open bound behind.
      this.#events = new SocketEvents(socket, {
        message: this.#onMessage,
        open: this.#onOpen,
        close: this.#onClose,
        error: this.#onError,
        refused: this.#in.refused,
      }, { ...resolved, clock, closing: () => this.#closer.begun, end: this.#out });
    } catch (error) {
      releaseSerializer(this.#serializer); // no session begun: it may still serve one
      this.#out?.abandon(); // releases a background made for the session (a stream cancelled)
      this.#watch?.stop(); // its session and inactivity bounds, armed as it was made
      throw error;
    }
    this.#ready = this.#setUp(); // last: a failed set-up closes the session, all of it built
  }

  /**
   * Inbound frames, in the order their messages arrived, as a stream made on first use. Until
   * it is read, frames wait in a bounded queue (`maxInboundFrames`); iterating the stream (or piping
   * it to the writable) takes them from there. Throws a `TypeError` when {@linkcode receive} did.
   */
  get readable(): ReadableStream<Frame> {
    return this.#in.stream(() => {
      this.#readableLeft = true;
      this.#leave();
    });
  }

  /**
   * Outbound frames, as a stream made on first use: each write is a {@linkcode send}, at once from
   * a writer, resolving once the outbound queue has room. Closing it sends what is queued, paced,
   * and leaves the session (it closes once the readable is done too); aborting it closes with 1011.
   */
  get writable(): WritableStream<Frame> {
    return this.#writable ??= frameWritable({
      send: (frame) => frame?.type === "interruption" ? void this.send(frame) : this.send(frame),
      interruptions: () => this.#stats.interruptions,
      overtakes: (frame) => this.#out.overtakes(frame),
      messageHeld: () => this.#out.messageHeld(),
      dropInterrupted: (frame) => void (this.#stats.audioBytesInterrupted += frame.audio.length),
      dropUnsent: (frame) => this.#out.dropOnClose(frame),
      close: () => this.#finishWriting(),
      abort: () => this.close(1011, "writable aborted"), // closing: no `#leave` needed
    });
  }

  /**
   * Hands every inbound frame to `handler` as it arrives, the ones already waiting first: the
   * push surface, with no stream and no promise per frame (an async handler is not awaited). One
   * that throws or rejects ends the session (an "application" error, close code 1011), as an
   * erroring pipeline would. A `TypeError` when {@linkcode readable} or another handler has them.
   */
  receive(handler: (frame: Frame) => void): void {
    this.#in.handTo(handler);
  }

  /** A frame that cannot be sent (malformed, or no frame at all): dropped, counted, reported. */
  #refuse(problem: string): undefined {
    this.#stats.encodeErrors++;
    return void this.#listeners.report(new TransportError("encode", problem));
  }

  /**
   * Sends one frame: the push surface of {@linkcode writable}. Audio is queued and paced, other
   * frames keep their place after the audio before them (urgent messages and interruptions go
   * at once, once sending began: see `MessageFrame.urgent`). Returns `undefined` when there is
   * room for more, or a promise to await before sending more audio: it settles once the queue has
   * room (for `end`, once the session has closed). Sending while it is pending loses nothing; the
   * queue just grows past `maxQueuedMs`. The transport reads a frame's audio before `send`
   * returns and copies what it must keep, so the caller may reuse its buffer at once. Frames sent
   * after a `cancel` or a {@linkcode close} are too late: dropped, counted (`…DroppedOnClose`).
   */
  send(frame: Frame): Promise<void> | undefined {
    const notAFrame = notAFrameProblem(frame);
    if (notAFrame !== undefined) return this.#refuse(notAFrame);
    this.#stats.framesOut++;
    const problem = frameProblem(frame);
    if (problem !== undefined) return this.#refuse(problem); // refused alike after close
    if (this.#closing) return this.#out.dropOnClose(frame);
    switch (frame.type) {
      case "audio":
        return this.#out.sendAudio(frame);
      case "interruption":
        return this.interrupt().then(() => {});
      case "cancel":
        return this.#cancel(frame);
      case "message":
        if (!frame.urgent) break;
        this.#out.sender.sendUrgent(frame); // held until sending begins (`urgentMayLeave`)
        return this.#isReady ? undefined : this.#ready; // during the set-up: settles once done
      case "end":
        this.#out.sendFrame(frame);
        return this.closed.then(() => {});
    }
    // Marks, messages and the rest keep their place after the audio written before them.
    return this.#out.sendFrame(frame);
  }

  /**
   * Begins a response for audio (and spoken text) frames that carry no `responseId`: what is
   * written after it belongs to it, so the stale-audio gate works for a bot that tags nothing:
   * after an interruption its audio is dropped until it begins the next response. Returns `id`
   * (a `TypeError` if no string) or a fresh one, which events and {@linkcode interrupt} report.
   */
  startResponse(id?: string): string {
    return this.#out.startResponse(id);
  }

  /** The far end's playback now: speaking or not, the response, heard, sent and queued ms. */
  get playback(): PlaybackState {
    return this.#out.playback;
  }

  /**
   * Tells `observer` what happens on this session from now on (`observing(this)`, for the clock;
   * inbound audio, chunks on the playout timeline, interruptions, the end): recording and metrics.
   * Returns a function that stops telling it (given twice: told once). Ended: it is told the end.
   */
  observe(observer: SessionObserver): () => void {
    checkedObserver(observer).observing?.(this); // a TypeError for no observer: nothing taken
    if (this.#ended !== undefined) {
      // Over already: told so (a microtask on, as it would have been), and nothing more.
      queueMicrotask(() => this.#observers.closed(this.#ended!, [observer]));
      return () => {};
    }
    return this.#observers.add(observer);
  }

  /** A snapshot of the session's counters. */
  get stats(): TransportStats {
    return this.#out.statsRead({ ...this.#stats }); // a pause held counted to now
  }

  /** Whether the socket is open and "connected" has been dispatched. */
  get connected(): boolean {
    return this.#connected && !this.#closing;
  }

  /** Ending or over: an `end` sent (or waiting in a writer) or `cancel`, a close begun, peer gone. */
  get ending(): boolean {
    return this.#out.endQueued || this.#closing || holdsEnd(this.#writable);
  }

  /** The session's time source (`TransportOptions.clock`): what its timeline is measured on. */
  get clock(): Clock {
    return this.#clock;
  }

  /** The socket this transport drives. */
  get socket(): WebSocketLike {
    return this.#socket;
  }

  /**
   * This session's background (`TransportOptions.background`): the mixer given, or the one the
   * `background` function made for this session (a `BackgroundAudio`: its `stop()`, `volume`);
   * `undefined` with none, or once it declined the session (it plays in another).
   */
  get background(): OutboundMixer | undefined {
    return this.#out.background;
  }

  /**
   * Drops every queued and partly packetized byte of outbound audio at once, resets the pacing
   * clock, and sends the serializer's clear message (Twilio `clear`, …) ahead of anything else
   * (none before sending began: nothing left); audio still arriving for the responses written so
   * far is dropped as stale. Resolves with what the caller heard of the response that was playing
   * and how much was dropped. Where the serializer has no message for an interruption (raw PCM),
   * what was sent plays on: it counts as heard, and the next response follows it.
   */
  interrupt(): Promise<InterruptResult> {
    const nothing = { responseId: undefined, heardMs: 0, droppedMs: 0, acknowledged: false };
    if (this.#closing) return Promise.resolve(nothing);
    this.#stats.interruptions++;
    return Promise.resolve(this.#out.interruptFarEnd());
  }

  /**
   * Closes the socket with `code` and `reason` (cut to 123 bytes), dropping queued audio
   * (counted). Resolves once the peer has answered or `closeTimeoutMs` has passed; then the
   * connection is dropped if it is still there; at once, changing nothing, once the session is
   * over. Throws a `RangeError` for a code that may not be sent (see {@linkcode assertCloseCode}).
   */
  close(code = 1000, reason = ""): Promise<void> {
    assertCloseCode(code);
    if (this.#over.signal.aborted) this.#closeStarted ??= Promise.resolve(); // the peer's close
    if (this.#closeStarted) return this.#closeStarted;
    const first = this.#closeAsked ??= { code, reason }; // a listener the drop calls may close too
    this.#closing = true;
    this.#initiator = "local";
    this.#out.drop();
    this.#in.end();
    return this.#closeStarted ??= this.#closer.close(first.code, first.reason);
  }

  /** Listens for one of the transport's events; one that throws ends the session with 1011. */
  override addEventListener<K extends keyof TransportEventMap>(
    type: K,
    listener: (this: WebSocketTransport, event: TransportEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Listens for any event. */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: AnyListener, options?: AddOptions): void {
    if (type === "speakingstart" || type === "speakingstop") this.#out.tracker.wantEvents();
    super.addEventListener(type, this.#listeners.guard(listener), options);
    this.#listeners.added(type, listener, options);
  }

  /** Stops listening: `listener` as it was added (behind its guard, _guarded_listeners.ts). */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null | ((event: never) => void),
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, this.#listeners.guarded(listener), options);
  }

  // ---- set-up and lifecycle ------------------------------------------------------------------

  async #setUp(): Promise<void> {
    try {
      const pending = setUpSerializer(this.#serializer, this.#options, {
        clock: this.#clock,
        timeoutMs: this.#options.sendTimeoutMs,
        signal: this.#over.signal,
      });
      // Thrown at once (in the constructor): held for the first listener, `closed` settled later.
      if (pending !== undefined && !await pending) return; // the session ended meanwhile
    } catch (error) {
      return this.#fail(error as TransportError);
    }
    this.#isReady = true;
    this.#out.setUpDone(); // the urgent frames held leave, where nothing else holds them
    // Already open (Workers, ws): a task (or the first message) on, so awaiting code can listen.
    if (this.#socket.readyState === ReadyState.OPEN) this.#opened.arm(0);
    this.#in.start();
  }

  #onMessage = (event: Event): void => {
    if (!this.#connected && this.#opened.armed) this.#onOpen(); // "connected" before any frame
    this.#watch.heard();
    this.#in.receive((event as MessageEvent<WebSocketData>).data);
  };

  #onOpen = (): void => {
    if (this.#connected || !this.#isReady || this.#closing) return;
    this.#connected = true;
    this.dispatchEvent(new Event("connected"));
    this.#out.start();
  };

  #onClose = (code: number, reason: string): void => {
    // Not after our goodbye either: the peer's close answers it (it may beat a REST hang-up).
    const remote = !this.#closing && this.#initiator === "remote";
    if (remote && this.#opened.armed) this.#onOpen(); // it left at once: "connected" first
    this.#closing = true;
    if (remote) this.#out.drop(code === 1006); // dropped: no close frame, the call may be up
    this.#finish(code, reason);
    if (remote) this.dispatchEvent(new TransportCloseEvent("disconnected", { code, reason }));
  };

  /** The socket is gone: settle everything once. */
  #finish(code: number, reason: string): void {
    if (this.#over.signal.aborted) return;
    this.#over.abort(SESSION_OVER); // a reason made in the session would keep it (see its doc)
    this.#opened.cancel();
    this.#watch.stop();
    this.#out.stop();
    this.#events.stop();
    // Settled once nothing more is read (the peer's last messages may wait behind a decode).
    this.#in.stop(() => {
      releaseSerializer(this.#serializer);
      const closed = this.#ended = { code, reason, initiator: this.#initiator };
      this.#observers.closed(closed);
      this.#resolveClosed(closed);
    });
  }

  /** One side (readable or writable) is done with the session; the last one closes it. */
  #leave(): void {
    if (this.#readableLeft && this.#writableLeft) void this.close();
  }

  /** Reports a fatal error and ends the session with its close code. */
  #fail(error: TransportError): void {
    this.#listeners.report(error);
    const ending = this.#isReady ? error : this.#cancelAsked ?? error; // the bot's came first
    void this.close(ending.closeCode ?? 1011, ending.message);
  }

  #onError = (error: TransportError): void =>
    error.fatal ? this.#fail(error) : this.#listeners.report(error);

  // ---- ending ----------------------------------------------------------------------------------

  async #cancel({ closeCode = 1000, reason = "cancelled" }: CancelFrame): Promise<void> {
    this.#closing = true; // what is sent after it is too late, dropped and counted, as after `end`
    this.#initiator = "local"; // ours from now, as close()'s: a peer close meanwhile answers it
    if (!this.#out.dropForCancel()) return this.close(closeCode, reason); // unopened: as close()
    this.#cancelAsked = { closeCode, message: reason }; // the set-up failing meanwhile: ours
    await this.#ready;
    await this.#goodbye(() => this.#out.sender.sendFrame({ type: "cancel" }), reason, closeCode);
  }

  /**
   * Says the goodbye (`say` hands the `end` or `cancel` to the serializer) and closes, or, where
   * the protocol has the far end close (Genesys AudioHook), waits `closeTimeoutMs` for it first.
   */
  async #goodbye(say: () => Promise<void> | void, reason: string, code = 1000): Promise<void> {
    // Ours from now (the bot may still write, a `cancel` to hang up at once): see `#onClose`.
    this.#initiator = "local";
    this.#out.drop();
    await say();
    const peerCloses = this.#serializer.peerCloses && !this.#closeStarted;
    if (peerCloses && await this.#closer.peerClosed()) return;
    await this.close(code, reason);
  }

  /** The writable was closed: send what is queued (paced), then leave. */
  async #finishWriting(): Promise<void> {
    await this.#out.finish();
    this.#writableLeft = true;
    this.#leave();
  }
}
