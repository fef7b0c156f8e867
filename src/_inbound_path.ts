/**
 * A transport's whole inbound side, put together: the decoder (socket messages to frames, in
 * order) and the queue that hands frames to the application, with the far end's playout
 * acknowledgements taken out on the way.
 *
 * @module
 */

import { InboundDecoder } from "./_inbound_decoder.ts";
import { InboundQueue } from "./_inbound_queue.ts";
import { inboundStream } from "./_inbound_stream.ts";
import { TransportError } from "./errors.ts";
import type { Frame } from "./frames.ts";
import type { Clock, ClockTimer } from "./clock.ts";
import type { FrameSerializer } from "./serializer.ts";
import type { ObserverList } from "./_observer_list.ts";
import type { WebSocketData } from "./socket.ts";
import type { TransportStats } from "./transport_stats.ts";
import { thrownText } from "./_thrown_text.ts";

/** What an {@linkcode InboundPath} is built from. */
export interface InboundPathOptions {
  /** Reads each message. */
  serializer: FrameSerializer;
  /** A larger message ends the session (1009). */
  maxMessageBytes: number;
  /**
   * Frames held for a slow reader before the oldest audio is dropped. Four times as many frames of
   * earlier messages left unread by a reader, or more (those of the message arriving not counted:
   * see `InboundQueue.push`), or more than four times as many messages waiting behind an
   * asynchronous decode, end the session.
   */
  maxInboundFrames: number;
  /** Messages read before the transport existed, decoded first. */
  initialMessages: readonly (string | Uint8Array)[] | undefined;
  /** The session's counters. */
  stats: TransportStats;
  /** Takes an inbound mark; returns whether it was the transport's own (hidden from the bot). */
  acknowledge: (name: string) => boolean;
  /** Told of each `start` frame (the far end's call has begun), before the bot is. */
  onStart: () => void;
  /**
   * Told of each `end` frame (the far end ended its stream: Twilio's `stop`, Genesys's `close`,
   * …), before the bot is.
   */
  onEnd: () => void;
  /** Takes every error; fatal ones end the session. */
  onError: (error: TransportError) => void;
  /** Those watching the session (read on every audio frame; empty costs nothing). */
  observers: ObserverList;
  /** For the arrival time observers are told, and to bound a stuck `deserialize`. */
  clock: Clock;
  /** How long an asynchronous `deserialize` may take (`sendTimeoutMs`). */
  deserializeTimeoutMs: number;
  /**
   * How long, after the peer's close, the messages it sent before and that still wait behind an
   * asynchronous decode are read on (`closeTimeoutMs`; 500 when left out).
   */
  closeTimeoutMs?: number;
}

/** The inbound side of one session. */
export class InboundPath {
  readonly #decoder: InboundDecoder;
  readonly #queue: InboundQueue;
  #readable: ReadableStream<Frame> | undefined;
  readonly #stats: TransportStats;
  readonly #acknowledge: (name: string) => boolean;
  readonly #onStart: () => void;
  readonly #onEnd: () => void;
  readonly #onError: (error: TransportError) => void;
  /** The session is over, or a handler's failure has ended it. */
  #over = false;
  /**
   * The reader cancelled `readable`: frames after it are not wanted, and not counted dropped
   * (those it left queued are, in `inboundFramesDiscarded`).
   */
  #readerLeft = false;
  readonly #observers: ObserverList;
  readonly #clock: Clock;
  readonly #closeTimeoutMs: number;
  /**
   * Bounds the read-on after the peer's close (see {@linkcode stop}); made when first armed: a
   * session with nothing to read on at its end holds none.
   */
  #readOnBound: ClockTimer | undefined;
  /** Called once what the peer sent before its close has been read (see {@linkcode stop}). */
  #readOnDone: (() => void) | undefined;

  /** Builds the parts; nothing is decoded before {@linkcode start}. */
  constructor(options: InboundPathOptions) {
    this.#stats = options.stats;
    this.#acknowledge = options.acknowledge;
    this.#onStart = options.onStart;
    this.#onEnd = options.onEnd;
    this.#onError = options.onError;
    this.#observers = options.observers;
    this.#clock = options.clock;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 500;
    this.#queue = new InboundQueue({
      maxFrames: options.maxInboundFrames,
      onDrop: this.#onDrop,
      onOverflow: this.#onOverflow,
      // Queued before a handler that threw at one of them: the bot's, and never handed on.
      onDiscard: (frames) => void (this.#stats.inboundFramesDroppedOnClose += frames),
    });
    this.#decoder = new InboundDecoder({
      serializer: options.serializer,
      maxMessageBytes: options.maxMessageBytes,
      // The queue's stuck-reader bound (there in frames of earlier messages, here in messages).
      maxWaitingMessages: 4 * options.maxInboundFrames,
      stats: options.stats,
      ...(options.initialMessages ? { initialMessages: options.initialMessages } : {}),
      clock: options.clock,
      deserializeTimeoutMs: options.deserializeTimeoutMs,
      onFrame: this.#onFrame,
      onError: options.onError,
    });
  }

  /** Whether nothing more is decoded (see `InboundDecoder.stopped`). */
  get decodingStopped(): boolean {
    return this.#decoder.stopped;
  }

  /** Frames the serializer hands on between messages (`SerializerContext.inboundFrames`). */
  handOn(frames: Frame[]): void {
    this.#decoder.handOn(frames);
  }

  /** Takes one socket message. */
  receive(data: WebSocketData): void {
    this.#decoder.receive(data);
  }

  /**
   * A message the runtime refused unread, over its size limit, having closed with 1009 itself
   * (`ws`, Bun, workerd: `SocketEvents`' `refused`): counted as the decoder counts one it refuses
   * itself, received (`messagesIn`) and not read (`decodeErrors`), then reported. Its size was
   * never read: `bytesIn` leaves it out.
   */
  refused = (error: TransportError): void => {
    this.#stats.messagesIn++;
    this.#stats.decodeErrors++;
    this.#onError(error);
  };

  /** The serializer is set up: decode, what waited first. */
  start(): void {
    this.#decoder.start();
  }

  /** No more frames: the reader gets what is queued and what the serializer held, then the end. */
  end(): void {
    this.#decoder.finish();
    this.#queue.end();
  }

  /**
   * The session is over: nothing more is decoded (what the serializer held is handed on). Where
   * the peer ended it (its close, the bot's frames not ended before), the messages it sent before
   * and that still wait behind an asynchronous decode are its last words (a `stop`, DTMF): they
   * are read on, for up to `closeTimeoutMs`, then the reader gets the end; what is still unread
   * then is dropped, counted (`inboundMessagesDroppedOnClose`). `done` is called once nothing
   * more is read: at once, or when the read-on ends (the session settles then, so that its
   * serializer is not handed on and no timer outlives it while it still reads).
   */
  stop(done: () => void): void {
    if (!this.#queue.ended && this.#decoder.readOn(this.#readOnEnded)) {
      this.#readOnDone = done;
      this.#readOnBound ??= this.#clock.timer(this.#readOnEnded);
      this.#readOnBound.arm(this.#closeTimeoutMs);
      return;
    }
    this.#decoder.finish();
    this.#over = true;
    this.#decoder.stop();
    this.#queue.end();
    done();
  }

  /** What the peer sent before its close has been read, or the time to read it is up. */
  #readOnEnded = (): void => {
    const done = this.#readOnDone;
    this.#readOnDone = undefined;
    this.#readOnBound?.cancel();
    this.#over = true;
    this.#decoder.stop();
    this.#queue.end();
    done?.();
  };

  /**
   * See {@linkcode InboundQueue.receive}. A handler that throws, or an async one whose promise
   * rejects, ends the session: reported as a fatal "application" error (close code 1011), as an
   * erroring pipeline would end it. Left to itself, the rejection would be unhandled, which ends a
   * Deno or Node process and every other call in it.
   */
  handTo(handler: (frame: Frame) => void): void {
    // Checked at the call: else the first frame would end the session, far from the mistake.
    if (typeof handler !== "function") {
      const got = handler === null ? "null" : typeof handler;
      throw new TypeError(`receive takes a function (frame) => void, got ${got}`);
    }
    this.#queue.receive((frame) => {
      try {
        // `void` admits an async function: its promise is looked at, not awaited.
        const result = handler(frame) as unknown as Partial<PromiseLike<void>> | undefined;
        if (typeof result?.then === "function") result.then(undefined, this.#handlerFailed);
      } catch (cause) {
        this.#handlerFailed(cause);
      }
    });
  }

  #handlerFailed = (cause: unknown): void => {
    // The first ends the session; frames still in an async handler then may fail too, or fail
    // after the session ended some other way: neither is news.
    if (this.#over) return;
    this.#over = true;
    // It gets no more frames: those decoded after are dropped, counted, as in a closing session.
    // The close the error asks for ends the queue too, but not during the read-on after the
    // peer's close (see `stop`): the session is over already, and that close does nothing.
    this.#queue.end();
    const message = `receive handler threw: ${thrownText(cause)}`;
    this.#onError(
      new TransportError("application", message, { cause, closeCode: 1011, fatal: true }),
    );
  };

  /**
   * The frames as a `ReadableStream` (`_inbound_stream.ts`), made on first use, the same stream
   * after; `onCancel` is called once if the reader cancels it.
   */
  stream(onCancel: () => void): ReadableStream<Frame> {
    return this.#readable ??= inboundStream(this.#queue, (framesDropped) => {
      this.#readerLeft = true;
      // Queued for the reader, so counted in `framesIn`, and never read: counted once, here.
      this.#stats.inboundFramesDiscarded += framesDropped;
      onCancel();
    });
  }

  /** `earlierOfItsMessage`: see {@linkcode InboundQueue.push}. */
  #onFrame = (frame: Frame, earlierOfItsMessage: number): void => {
    if (frame.type === "audio") {
      if (this.#observers.list.length > 0) {
        const at = this.#clock.now();
        this.#observers.inboundAudio(frame, at);
      }
    } else if (frame.type === "mark") {
      // The far end acknowledging one of our own marks: playback truth, not the bot's business.
      if (this.#acknowledge(frame.name)) return;
    } else if (frame.type === "start") this.#onStart();
    else if (frame.type === "end") this.#onEnd();
    // Once no more frames will come (the session is closing, the reader is gone), `push` hands
    // this one to no one: not received. Counted before it is handed on, as a handler reads it.
    if (this.#queue.ended) return this.#notHandedOn();
    this.#stats.framesIn++;
    this.#queue.push(frame, earlierOfItsMessage);
  };

  /**
   * A frame came after the bot's frames ended. The queue ends only as the session closes (a local
   * close reads on until the peer answers, and the serializer hands on what it held) or once the
   * reader has left; a frame read while closing was the bot's, and is dropped, counted. One after
   * the reader cancelled `readable` is not: the bot chose to read no more. Counted, not reported
   * as an error: a far end streams until it hears the close, so nearly every hang-up of the bot's
   * own has some, and an error event at each would be noise in every application's log.
   */
  #notHandedOn(): void {
    if (this.#readerLeft) return;
    this.#stats.inboundFramesDroppedOnClose++;
  }

  #onDrop = (first: boolean): void => {
    this.#stats.inboundAudioFramesDropped++;
    if (!first) return;
    const message = "inbound frames are not being read: dropping the oldest audio";
    this.#onError(new TransportError("backpressure", message));
  };

  /**
   * The reader is stuck: the queue is ended here, before the error is told, so the overflow is
   * the last frame it takes and fires once. The close the error asks for ends it too, but only
   * after finishing the serializer (whose held frames would be queued past the bound, ahead of
   * the rest of the message being read), and not at all during the read-on after the peer's
   * close (the session is over already: each later frame would overflow again). What comes
   * after is dropped, counted (`inboundFramesDroppedOnClose`), as in a closing session.
   */
  #onOverflow = (): void => {
    this.#queue.end();
    const message = "inbound frames are not being read and only messages are queued";
    this.#onError(new TransportError("backpressure", message, { closeCode: 1008, fatal: true }));
  };
}
