/**
 * The inbound half of a transport: socket messages, of whatever type the runtime delivers, become
 * frames, in the order they arrived, even when the serializer (or a `Blob`) answers later.
 *
 * @module
 */

import { audioFrameProblem, notAFrameProblem } from "./_frame_problem.ts";
import { kindOf } from "./_kind_of.ts";
import type { Clock, ClockTimer } from "./clock.ts";
import { TransportError } from "./errors.ts";
import type { Frame } from "./frames.ts";
import type { FrameSerializer } from "./serializer.ts";
import type { WebSocketData } from "./socket.ts";
import type { TransportStats } from "./transport_stats.ts";
import { thrownText } from "./_thrown_text.ts";
import { utf8Length } from "./_utf8_length.ts";

/** Options for {@linkcode InboundDecoder}. */
export interface InboundDecoderOptions {
  /** Reads each message. */
  serializer: FrameSerializer;
  /** A larger message is refused with a fatal "protocol" error (close code 1009). */
  maxMessageBytes: number;
  /** Counters to keep: messages, bytes, decode errors, messages dropped unread at the end. */
  stats: TransportStats;
  /** Messages read before the decoder existed, decoded first. */
  initialMessages?: readonly (string | Uint8Array)[];
  /**
   * How many messages may wait to be read (behind an asynchronous decode or a `Blob` read, or for
   * the serializer's set-up): one more ends the session with a fatal "backpressure" error (close
   * code 1008), and those that come after it are dropped, counted. Unset, there is no bound.
   */
  maxWaitingMessages?: number;
  /** Times {@linkcode deserializeTimeoutMs}. */
  clock?: Clock;
  /**
   * How long an asynchronous `deserialize`, or a `Blob` message's read, may take (`sendTimeoutMs`)
   * before its message is given up as a decode error and the messages behind it are read. Unset
   * (or no clock), it is awaited however long it takes.
   */
  deserializeTimeoutMs?: number;
  /**
   * Takes each frame, in order, with how many frames of its message (or of the batch the
   * serializer handed on) came before it: 0 begins one. The inbound queue's stuck-reader bound
   * lets a message's own frames pass it (see `InboundQueue.push`).
   */
  onFrame: (frame: Frame, earlierOfItsMessage: number) => void;
  /**
   * Takes each error: a bad message (not fatal), an oversized one (fatal), too many messages
   * waiting (fatal, once), messages the session ended before reading (not fatal, once).
   */
  onError: (error: TransportError) => void;
}

/**
 * Decodes messages one at a time and in order. Messages wait in a backlog until
 * {@linkcode InboundDecoder.start} (the serializer is set up) and while an asynchronous decode
 * (or a `Blob` read) is under way, so a slow message never lets a later one overtake it.
 */
export class InboundDecoder {
  readonly #serializer: FrameSerializer;
  readonly #maxMessageBytes: number;
  readonly #stats: TransportStats;
  readonly #onFrame: (frame: Frame, earlierOfItsMessage: number) => void;
  readonly #onError: (error: TransportError) => void;
  #backlog: WebSocketData[];
  readonly #maxWaitingMessages: number;
  /** More than `maxWaitingMessages` waited: the session is ending, and holds no more. */
  #overflowed = false;
  /** Messages dropped unread (`inboundMessagesDroppedOnClose`), for the report at the end. */
  #dropped = 0;
  #started = false;
  #finished = false;
  /** `finish` was called while a decode was under way or messages waited: done once they are. */
  #finishWaiting = false;
  /** Called once the serializer has finished after a {@linkcode readOn}. */
  #whenRead: (() => void) | undefined;
  #stopped = false;
  #busy = false;
  /** A `Blob`'s bytes are being read: its message is under way, not yet decoded. */
  #blobUnderWay = false;
  readonly #deserializeTimeoutMs: number;
  /**
   * Fires when the asynchronous decode (or `Blob` read) waited for has taken too long; made at the
   * first, on `#boundClock` (none: they are not bounded). A serializer that decodes at once, on a
   * socket that hands no `Blob`, makes none.
   */
  #stuck: ClockTimer | undefined;
  readonly #boundClock: Clock | undefined;
  /** Numbers each asynchronous decode and `Blob` read: a late answer from one given up is told. */
  #asyncDecodes = 0;
  /** The number of the asynchronous decode (or `Blob` read) waited for, 0 for none. */
  #awaited = 0;

  /** Makes a decoder that waits for {@linkcode start}. */
  constructor(options: InboundDecoderOptions) {
    this.#serializer = options.serializer;
    this.#maxMessageBytes = options.maxMessageBytes;
    this.#stats = options.stats;
    this.#onFrame = options.onFrame;
    this.#onError = options.onError;
    this.#backlog = [...(options.initialMessages ?? [])];
    this.#maxWaitingMessages = options.maxWaitingMessages ?? Infinity;
    this.#deserializeTimeoutMs = options.deserializeTimeoutMs ?? Infinity;
    const bounded = options.clock !== undefined && Number.isFinite(this.#deserializeTimeoutMs);
    this.#boundClock = bounded ? options.clock : undefined;
  }

  /** Begins decoding, the backlog first. */
  start(): void {
    this.#started = true;
    this.#drain();
  }

  /**
   * No more messages will come: what the serializer still holds is handed on, once
   * ({@linkcode FrameSerializer.finish}). Not after {@linkcode stop}. The serializer reads the
   * messages already taken first, an asynchronous decode under way and those queued behind it
   * too (a local close reads on until the peer answers): finished before them, it would hand its
   * held media on ahead of theirs, and then take messages after its last word (a reorder window
   * flushed, then fed, holds that media for good). Before {@linkcode start} (the serializer's
   * set-up under way) it waits for the set-up and the messages queued meanwhile alike.
   */
  finish(): void {
    if (this.#finished || this.#stopped) return;
    if (!this.#started || this.#busy || this.#backlog.length > 0) {
      this.#finishWaiting = true;
      return;
    }
    this.#finishNow();
  }

  /**
   * The peer has closed: the messages it sent before, still waiting behind a decode under way (an
   * asynchronous `deserialize` or a `Blob` read), are its last words (a `stop`, DTMF, the end of
   * its audio) and are read on, then the serializer finishes ({@linkcode finish}) and `done` is
   * called. Returns `false`, doing nothing, when nothing waits (or the serializer's set-up is
   * still under way: it read nothing, and the session's end abandons the set-up): the caller
   * stops at once. The caller bounds the wait: a {@linkcode stop} meanwhile gives up what is
   * still unread, counted, as at any end.
   */
  readOn(done: () => void): boolean {
    if (!this.#started || this.#stopped || this.#finished) return false;
    if (!this.#busy && this.#backlog.length === 0) return false;
    this.#whenRead = done;
    this.#finishWaiting = true;
    return true;
  }

  #finishNow(): void {
    this.#finishWaiting = false;
    this.#finished = true;
    try {
      if (typeof this.#serializer.finish !== "function") return;
      let held;
      try {
        held = this.#serializer.finish();
      } catch (cause) {
        return this.#failed(cause, "hand on what it held at the end (finish)");
      }
      this.#deliver(held);
    } finally {
      const done = this.#whenRead;
      this.#whenRead = undefined;
      done?.();
    }
  }

  /**
   * Ignores every message from now on (the session is over): a decode under way and the messages
   * behind it are given up, but a {@linkcode finish} that waited on them hands on what the
   * serializer held (not one that never started: it read nothing, and its set-up may still be
   * running or have failed). Those given up are counted (`inboundMessagesDroppedOnClose`) and
   * reported once, with those refused since the backlog overflowed: they cannot be read on
   * instead, the session, and its serializer's only session, being over.
   */
  stop(): void {
    if (this.#stopped) return;
    this.#whenRead = undefined; // the caller ends what a read-on would have
    if (this.#finishWaiting && this.#started) this.#finishNow();
    this.#stopped = true;
    // The decode under way was counted in messagesIn when it began; those behind it, never read,
    // are dropped as those refused after an overflow are, so messagesIn holds every message the
    // socket delivered.
    for (const data of this.#backlog) this.#dropUnread(data);
    this.#backlog = [];
    if (this.#awaited !== 0 || this.#blobUnderWay) {
      this.#stats.inboundMessagesDroppedOnClose++;
      this.#dropped++;
    }
    this.#awaited = 0;
    this.#stuck?.cancel();
    this.#droppedAtEnd(this.#dropped);
  }

  /** The session ended before `count` messages (counted already) were read: reported once. */
  #droppedAtEnd(count: number): void {
    if (count === 0) return;
    const messages = count === 1 ? "1 inbound message" : `${count} inbound messages`;
    const why = this.#overflowed
      ? `more than ${this.#maxWaitingMessages} waited to be read`
      : this.#started
      ? "a decode was still under way"
      : "the serializer was being set up";
    this.#onError(
      new TransportError(
        "closed",
        `the session ended before ${messages} could be read (${why}): dropped, counted in ` +
          "inboundMessagesDroppedOnClose",
      ),
    );
  }

  /**
   * Frames the serializer hands on between messages (`SerializerContext.inboundFrames`), taken as
   * a message's are. After its `finish`, or once decoding has stopped, they come too late: what it
   * held was handed on then, and the bot's frames may have ended. Dropped, counted.
   */
  handOn(frames: Frame[]): void {
    if (this.#finished || this.#stopped) {
      if (Array.isArray(frames)) this.#stats.inboundFramesDroppedOnClose += frames.length;
      return;
    }
    this.#deliver(frames);
  }

  /** Takes one message from the socket. */
  receive(data: WebSocketData): void {
    if (this.#stopped) return;
    if (!this.#started || this.#busy || this.#backlog.length > 0) {
      // Past the bound the session is ending: what comes is not held (memory stays bounded).
      if (this.#overflowed) return this.#dropUnread(data);
      this.#backlog.push(data);
      if (this.#backlog.length > this.#maxWaitingMessages) this.#overflow();
      return;
    }
    this.#read(data);
  }

  /**
   * The serializer reads slower than the peer sends (or its set-up takes that long): the backlog
   * is over its bound. A socket cannot be paused, and the inbound queue's answer to a slow
   * reader, dropping the oldest audio, is not open here: a message not yet read is of no known
   * kind, and dropping one might drop a `start`, a `stop`, DTMF or the acknowledgement of a mark
   * rather than audio, and leave a hole in a stateful serializer's numbering (a reorder window).
   * So, as the queue does once only messages wait and more than four times `maxInboundFrames` of
   * them do, the serializer is taken to be stuck behind the peer and the session is ended (the
   * bound is apart from the queue's: while messages wait nothing is decoded, so the queue does
   * not grow with them). What waits is read on while the close completes (bounded by
   * `closeTimeoutMs`), and counted in `inboundMessagesDroppedOnClose` if the end comes first;
   * later messages that would wait are not held, but counted there at once, so memory stays
   * bounded (one that comes once nothing holds reading up is read, as a closing session reads).
   */
  #overflow(): void {
    this.#overflowed = true;
    const waiting = `${this.#backlog.length} inbound messages wait`;
    const why = this.#started
      ? "behind a decode under way (an asynchronous deserialize or a Blob read)"
      : "for the serializer's set-up";
    this.#onError(
      new TransportError(
        "backpressure",
        `${waiting} ${why}, over ${this.#maxWaitingMessages}: the serializer cannot keep up`,
        { closeCode: 1008, fatal: true },
      ),
    );
  }

  /**
   * A message never to be read (one that came after the backlog overflowed, or waited in it when
   * the session ended): received and dropped, counted.
   */
  #dropUnread(data: WebSocketData): void {
    this.#stats.messagesIn++;
    this.#stats.bytesIn += messageSize(data);
    this.#stats.inboundMessagesDroppedOnClose++;
    this.#dropped++;
  }

  #drain(): void {
    while (this.#started && !this.#busy && !this.#stopped && this.#backlog.length > 0) {
      this.#read(this.#backlog.shift()!);
    }
    if (this.#finishWaiting && !this.#busy && !this.#stopped && this.#backlog.length === 0) {
      this.#finishNow();
    }
  }

  #read(data: WebSocketData): void {
    this.#stats.messagesIn++;
    if (typeof data === "string") {
      this.#stats.bytesIn += data.length;
      const oversize = utf8SizeOver(data, this.#maxMessageBytes);
      if (oversize !== undefined) return this.#tooBig(oversize);
      return this.#decode(data);
    }
    if (data instanceof ArrayBuffer) {
      this.#stats.bytesIn += data.byteLength;
      if (data.byteLength > this.#maxMessageBytes) return this.#tooBig(data.byteLength);
      return this.#decode(new Uint8Array(data));
    }
    if (ArrayBuffer.isView(data)) {
      this.#stats.bytesIn += data.byteLength;
      if (data.byteLength > this.#maxMessageBytes) return this.#tooBig(data.byteLength);
      return this.#decode(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    if (typeof Blob !== "undefined" && data instanceof Blob) {
      this.#stats.bytesIn += data.size;
      if (data.size > this.#maxMessageBytes) return this.#tooBig(data.size);
      this.#blobUnderWay = true;
      // Bounded as an asynchronous decode is: a `Blob` a socket of one's own hands over may be
      // backed by a stream or a file, whose read can hang, and would hold every later message.
      const read = this.#awaitAnswer();
      data.arrayBuffer().then(
        (buffer) => this.#blobRead(read, () => this.#decode(new Uint8Array(buffer))),
        (cause) => this.#blobRead(read, () => this.#failed(cause)),
      );
      return;
    }
    this.#failed(
      new TypeError(`unexpected message data: ${Object.prototype.toString.call(data)}`),
    );
  }

  /**
   * A message over `maxMessageBytes`, refused unread: received (in `messagesIn`), and dropped, so
   * counted as a message that could not be read (`decodeErrors`); it ends the session (1009).
   */
  #tooBig(size: number): void {
    this.#stats.decodeErrors++;
    this.#onError(
      new TransportError(
        "protocol",
        `message of ${size} bytes is over maxMessageBytes (${this.#maxMessageBytes})`,
        { closeCode: 1009, fatal: true },
      ),
    );
  }

  #decode(input: string | Uint8Array): void {
    let result;
    try {
      result = this.#serializer.deserialize(input);
    } catch (cause) {
      return this.#failed(cause);
    }
    if (result instanceof Promise) {
      const decode = this.#awaitAnswer();
      result.then(
        (frames) => {
          if (!this.#settled(decode)) return;
          try {
            this.#deliver(frames);
          } finally {
            this.#resume();
          }
        },
        (cause) => {
          if (!this.#settled(decode)) return;
          try {
            this.#failed(cause);
          } finally {
            this.#resume();
          }
        },
      );
      return;
    }
    this.#deliver(result);
  }

  /**
   * An asynchronous decode or `Blob` read begins: the decoder is busy until it answers or its bound
   * passes. Returns its number, for {@linkcode #settled}.
   */
  #awaitAnswer(): number {
    this.#busy = true;
    const answer = this.#awaited = ++this.#asyncDecodes;
    if (this.#boundClock !== undefined) {
      (this.#stuck ??= this.#boundClock.timer(this.#givenUp)).arm(this.#deserializeTimeoutMs);
    }
    return answer;
  }

  /**
   * A `Blob`'s bytes came (or its read failed): `then` decodes them (or reports the failure),
   * unless the read was given up, or the session ended, meanwhile. The bytes' decode may itself
   * be asynchronous, and keeps the decoder busy until it ends.
   */
  #blobRead(read: number, then: () => void): void {
    if (!this.#settled(read)) return;
    this.#blobUnderWay = false;
    this.#busy = false;
    try {
      then();
    } finally {
      this.#drain();
    }
  }

  /**
   * Whether the decode numbered `decode` is still the one waited for: its answer is taken. One
   * given up (or answering after stop) is not: its frames would come after later messages' frames.
   */
  #settled(decode: number): boolean {
    if (decode !== this.#awaited) return false;
    this.#awaited = 0;
    this.#stuck?.cancel();
    return true;
  }

  /**
   * The decode (or `Blob` read) waited for has taken too long: a stuck serializer, or a `Blob`
   * whose bytes never come, would stall every message.
   */
  #givenUp = (): void => {
    if (this.#awaited === 0 || this.#stopped) return;
    this.#awaited = 0;
    const what = this.#blobUnderWay
      ? "a Blob message's bytes were not read"
      : "serializer did not read a message";
    this.#blobUnderWay = false;
    this.#failed(
      new TransportError("decode", `${what} within ${this.#deserializeTimeoutMs} ms: given up`),
    );
    this.#resume();
  };

  #resume(): void {
    this.#busy = false;
    this.#drain();
  }

  /**
   * Whether the decoding is over (see {@linkcode stop}): a decode still under way was counted
   * dropped, and what the serializer counts of it when it answers is not counted again.
   */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** `doing`: what the serializer failed at, for the report. */
  #failed(cause: unknown, doing = "read a message"): void {
    this.#stats.decodeErrors++;
    // One bad message is the sender's problem, not the session's: report it and read on.
    const message = `serializer failed to ${doing}: ${thrownText(cause)}`;
    this.#onError(
      cause instanceof TransportError ? cause : new TransportError("decode", message, { cause }),
    );
  }

  /**
   * Hands on the frames of one message. One that is no frame is dropped, and reported once for
   * the message, as a message the serializer could not read is: thrown in the socket's listener,
   * it would end the process.
   */
  #deliver(frames: Frame | Frame[] | null | undefined): void {
    // `undefined` (a JavaScript serializer falling off its switch) means no frame, as `null`
    // does: the sender takes it so from `serialize` too.
    if (frames == null || this.#stopped) return;
    let problem: string | undefined;
    if (!Array.isArray(frames)) problem = this.#take(frames, 0);
    else {
      for (let i = 0; i < frames.length; i++) {
        if (this.#stopped) return; // a frame handed on ended the session
        const wrong = this.#take(frames[i], i);
        problem ??= wrong;
      }
    }
    if (problem === undefined) return;
    this.#failed(new TransportError("decode", `serializer read a message as ${problem}`));
  }

  /** Hands `frame`, the `index`th of its message, on, or names what makes it no frame. */
  #take(frame: unknown, index: number): string | undefined {
    const problem = inboundFrameProblem(frame);
    if (problem === undefined) this.#onFrame(frame as Frame, index);
    return problem;
  }
}

/**
 * Names what makes `value`, as the serializer returned it, no frame the transport can take (not
 * a frame at all, a mark with no name to match, audio that is not what it says), or returns
 * `undefined` for one. Audio, nearly every frame, costs a few comparisons. Its rate is not held to
 * `audioIn.sampleRate`: the core does not resample, and a serializer whose messages name their
 * rate (JSON, protobuf) hands audio on at that rate (README, Limits).
 */
function inboundFrameProblem(value: unknown): string | undefined {
  if (notAFrameProblem(value) !== undefined) {
    if (value === null || typeof value !== "object") return value === null ? "null" : typeof value;
    return `a frame of type ${JSON.stringify((value as { type?: unknown }).type)}`;
  }
  const frame = value as Frame;
  if (frame.type === "audio") {
    const problem = audioFrameProblem(frame) ?? timestampProblem(frame.timestampMs);
    return problem === undefined ? undefined : `malformed audio (${problem})`;
  }
  if (frame.type === "mark" && typeof frame.name !== "string") return "a mark with no name";
  return undefined;
}

/**
 * Names a media time that is not a finite number (a serializer of one's own that misread it):
 * the recorder and the reorder window place audio by it, and a NaN would start a new stretch at
 * every frame. Most frames carry none: one comparison.
 */
function timestampProblem(timestampMs: unknown): string | undefined {
  if (timestampMs === undefined || Number.isFinite(timestampMs)) return undefined;
  return `audio frame's timestampMs is ${kindOf(timestampMs)}, not a finite number (or none)`;
}

/** A message's size as `bytesIn` counts it (text in UTF-16 code units). */
function messageSize(data: WebSocketData): number {
  if (typeof data === "string") return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  if (typeof Blob !== "undefined" && data instanceof Blob) return data.size;
  return 0;
}

/** `text`'s size in UTF-8 bytes when it is over `limit`, else `undefined`. */
function utf8SizeOver(text: string, limit: number): number | undefined {
  if (text.length * 3 <= limit) return undefined; // every UTF-16 unit is at most three bytes
  const size = utf8Length(text);
  return size > limit ? size : undefined;
}
