/**
 * The socket-facing half of a transport's outbound path: a frame is serialized (audio first
 * wrapped in WAV when asked), binary audio messages are cut into fixed-size packets when asked,
 * messages are handed to the socket, and sending waits while the socket holds too much unsent.
 * Every frame that does not leave is counted.
 *
 * @module
 */

import { durationMs } from "./audio/pcm.ts";
import { wrapWav } from "./audio/wav.ts";
import type { Clock } from "./clock.ts";
import { TransportError } from "./errors.ts";
import type { AudioFrame, Frame } from "./frames.ts";
import type { FrameSerializer, SerializedMessage, SerializeResult } from "./serializer.ts";
import { ReadyState, type WebSocketLike } from "./socket.ts";
import type { Packetizer } from "./streams/packetizer.ts";
import type { TransportStats } from "./transport_stats.ts";

/** How often a send blocked on `bufferedAmount` looks again. */
const DRAIN_POLL_MS = 10;

/**
 * What a message may add to `bufferedAmount` beyond its payload: the largest WebSocket frame
 * header (Node's `ws` counts headers in it; the standard counts payload only).
 */
const FRAME_OVERHEAD_BYTES = 14;

/** Options for {@linkcode OutboundSender}. */
export interface OutboundSenderOptions {
  /** Where messages go. */
  socket: WebSocketLike;
  /** Turns frames into messages. */
  serializer: FrameSerializer;
  /** For the bounded wait on `bufferedAmount`. */
  clock: Clock;
  /** Counters to keep: messages, bytes, chunks, encode errors, drops. */
  stats: TransportStats;
  /** Wrap each audio chunk in a WAV header before serializing it. */
  addWavHeader: boolean;
  /** Cuts binary audio messages into fixed-size packets, when set. */
  packetizer: Packetizer | undefined;
  /** Sending waits while the socket holds more than this many bytes unsent. */
  maxBufferedBytes: number;
  /** How long sending may wait for the socket to drain before the peer is given up. */
  sendTimeoutMs: number;
  /** Aborted when the session is over: ends a drain wait at once. */
  signal: AbortSignal;
  /** Takes every error; a fatal one (the peer stopped reading) ends the session. */
  onError: (error: TransportError) => void;
}

/**
 * Sends frames on a socket. Each send returns a promise only when it must wait (an asynchronous
 * serializer, a full socket buffer), so the usual chunk costs no promise at all.
 */
export class OutboundSender {
  readonly #socket: WebSocketLike;
  readonly #serializer: FrameSerializer;
  readonly #clock: Clock;
  readonly #stats: TransportStats;
  readonly #addWavHeader: boolean;
  readonly #packetizer: Packetizer | undefined;
  readonly #maxBufferedBytes: number;
  readonly #sendTimeoutMs: number;
  readonly #signal: AbortSignal;
  readonly #onError: (error: TransportError) => void;
  /**
   * At least the socket's `bufferedAmount` (but for an adapter's keep-alive ping, a few bytes):
   * what it said when last asked, plus everything sent since with its frame header; it only
   * shrinks as the socket writes. Reading it is a call into the runtime, and while this bound is
   * under the limit the real figure is too, so a send reads it only when the bound is over.
   */
  #unsentBound = 0;
  /** The last chunk packetized and its binary message's size: what a packet's bytes last. */
  #packetedChunk: AudioFrame | undefined;
  #packetedBytes = 0;

  /** Makes a sender for one session. */
  constructor(options: OutboundSenderOptions) {
    this.#socket = options.socket;
    this.#serializer = options.serializer;
    this.#clock = options.clock;
    this.#stats = options.stats;
    this.#addWavHeader = options.addWavHeader;
    this.#packetizer = options.packetizer;
    this.#maxBufferedBytes = options.maxBufferedBytes;
    this.#sendTimeoutMs = options.sendTimeoutMs;
    this.#signal = options.signal;
    this.#onError = options.onError;
  }

  /**
   * Serializes one audio chunk and sends it, packetized when a packetizer is set. Returns `false`
   * when it did not leave: the socket is not open, or the serializer refused it at once.
   */
  sendAudio(chunk: AudioFrame): Promise<void> | false | void {
    if (this.#socket.readyState !== ReadyState.OPEN) {
      this.#stats.audioBytesDroppedOnClose += chunk.audio.length;
      return false;
    }
    const frame = this.#addWavHeader ? { ...chunk, audio: wrapWav(chunk.audio, chunk) } : chunk;
    const result = this.#serialize(frame);
    if (result instanceof Promise) {
      return result.then((messages) => this.#transmitAudio(chunk, messages, this.#transmit));
    }
    if (result === REFUSED) return false;
    return this.#transmitAudio(chunk, result, this.#put);
  }

  /** Serializes a frame that keeps its place after the audio before it, and sends it. */
  sendFrame(frame: Frame): Promise<void> | void {
    if (this.#socket.readyState !== ReadyState.OPEN) {
      this.#stats.framesDroppedOnClose++;
      return;
    }
    const result = this.#serialize(frame);
    if (result instanceof Promise) {
      return result.then((messages) => this.#transmitAll(messages, this.#transmit));
    }
    if (result === REFUSED) return;
    return this.#transmitAll(result, this.#put);
  }

  /**
   * Sends a frame at once, out of band (an interruption's clear, an urgent message): it never
   * waits for the socket to drain, since it must overtake what is waiting there. Returns
   * whether a message left for it: returned by the serializer or sent through its context
   * (Genesys numbers its messages so), or still to come from an asynchronous serializer.
   */
  sendUrgent(frame: Frame): boolean {
    const before = this.#stats.messagesOut;
    const result = this.#serialize(frame);
    if (result instanceof Promise) {
      void result.then((messages) => this.#transmitEach(messages, this.#transmit));
      return true;
    }
    if (result === REFUSED) return false;
    this.#transmitEach(result, this.#transmit);
    return this.#stats.messagesOut > before;
  }

  /** Sends one serialized message at once (a serializer's own reply). */
  sendMessage(message: SerializedMessage): void {
    this.#transmit(message);
  }

  /** Sends the packetizer's partial last packet as its `lastPacket` policy says. */
  flushPackets(): void {
    const packetizer = this.#packetizer;
    if (packetizer === undefined) return;
    this.#stats.audioBytesDroppedOnClose += packetizer.flush(this.#transmit);
  }

  /** Bytes held by the packetizer for a packet not yet whole. */
  get pendingPacketBytes(): number {
    return this.#packetizer?.pendingBytes ?? 0;
  }

  /** Whether the packetizer's partial packet plays once sent (`lastPacket` not "drop"). */
  get partialPacketPlays(): boolean {
    return this.#packetizer !== undefined && this.#packetizer.lastPacket !== "drop";
  }

  /**
   * Milliseconds of audio in the packetizer's partial packet, by the last chunk it took (its
   * message's bytes to the chunk's duration: the wire encoding may not be PCM16).
   */
  get pendingPacketMs(): number {
    const held = this.pendingPacketBytes;
    const chunk = this.#packetedChunk;
    if (held === 0 || chunk === undefined || this.#packetedBytes === 0) return 0;
    return (held / this.#packetedBytes) * durationMs(chunk.audio.length, chunk);
  }

  /** Drops the packetizer's partial packet (on interruption); returns the bytes dropped. */
  clearPackets(): number {
    return this.#packetizer?.clear() ?? 0;
  }

  #transmitAudio(chunk: AudioFrame, messages: Serialized, send: Send): Promise<void> | void {
    if (messages === null) return;
    this.#stats.audioChunksSent++;
    this.#stats.audioBytesSent += chunk.audio.length;
    if (this.#packetizer !== undefined) this.#packetedChunk = chunk;
    if (Array.isArray(messages)) {
      for (const message of messages) this.#transmitAudioMessage(message, send);
    } else {
      this.#transmitAudioMessage(messages, send);
    }
    return this.#drain();
  }

  #transmitAudioMessage(message: SerializedMessage, send: Send): void {
    // Only binary audio is packetized: cutting a text (JSON) message would corrupt it.
    if (this.#packetizer !== undefined && typeof message !== "string") {
      this.#packetedBytes = message.length;
      this.#packetizer.push(message, send);
    } else {
      send(message);
    }
  }

  #transmitAll(messages: Serialized, send: Send): Promise<void> | void {
    if (messages === null) return;
    this.#transmitEach(messages, send);
    return this.#drain();
  }

  #transmitEach(messages: Serialized, send: Send): void {
    if (messages === null) return;
    if (!Array.isArray(messages)) return send(messages);
    for (const message of messages) send(message);
  }

  /**
   * The serializer's messages for `frame`, now when the serializer answers at once. A frame it
   * cannot encode is reported and counted: `REFUSED` at once, `null` (nothing to send) later.
   */
  #serialize(frame: Frame): Serialized | typeof REFUSED | Promise<Serialized> {
    let result: SerializeResult;
    try {
      // `?? null`: a serializer written in JavaScript may fall off its switch with `undefined`.
      result = this.#serializer.serialize(frame) ?? null;
    } catch (cause) {
      this.#encodeFailed(cause);
      return REFUSED;
    }
    if (result instanceof Promise) {
      return result.then((messages) => messages ?? null, (cause) => {
        this.#encodeFailed(cause);
        return null;
      });
    }
    return result;
  }

  #encodeFailed(cause: unknown): void {
    this.#stats.encodeErrors++;
    // The frame is lost (counted); the session and the frames after it are not.
    this.#onError(
      cause instanceof TransportError
        ? cause
        : new TransportError("encode", `serializer failed to write a frame: ${String(cause)}`, {
          cause,
        }),
    );
  }

  /**
   * Sends one message if the socket is still open, else counts it lost: for a message whose
   * frame was checked in an earlier turn (an asynchronous serializer's answer, a packet held
   * back) or never (an urgent frame, a serializer's own reply).
   */
  #transmit = (message: SerializedMessage): void => {
    if (this.#socket.readyState !== ReadyState.OPEN) {
      if (typeof message === "string") this.#stats.framesDroppedOnClose++;
      else this.#stats.audioBytesDroppedOnClose += message.length;
      return;
    }
    this.#put(message);
  };

  /**
   * Sends one message on a socket found open in this same turn, with nothing run since that
   * could close it: `readyState` is not read again (on Deno a call into the runtime's JavaScript
   * with a brand check, for every chunk).
   */
  #put = (message: SerializedMessage): void => {
    // A string's UTF-8 form is at most three bytes per UTF-16 unit.
    this.#unsentBound += (typeof message === "string" ? 3 * message.length : message.length) +
      FRAME_OVERHEAD_BYTES;
    try {
      this.#socket.send(message);
    } catch (cause) {
      this.#onError(new TransportError("closed", `send failed: ${String(cause)}`, { cause }));
      return;
    }
    this.#stats.messagesOut++;
    this.#stats.bytesOut += message.length;
  };

  /**
   * Waits while the socket holds more than `maxBufferedBytes` unsent, at most `sendTimeoutMs`;
   * past that the peer is taken to have stopped reading and the session ends.
   */
  #drain(): Promise<void> | void {
    if (this.#unsentBound <= this.#maxBufferedBytes) return;
    const unsent = this.#socket.bufferedAmount ?? 0;
    this.#unsentBound = unsent;
    if (unsent <= this.#maxBufferedBytes) return;
    return this.#waitForDrain();
  }

  /** Called with more than `maxBufferedBytes` unsent (just read): looks again until it drains. */
  async #waitForDrain(): Promise<void> {
    const deadline = this.#clock.now() + this.#sendTimeoutMs;
    do {
      if (this.#clock.now() >= deadline) {
        this.#onError(
          new TransportError(
            "backpressure",
            `peer read nothing for ${this.#sendTimeoutMs} ms: ${this.#unsentBound} bytes unsent`,
            { closeCode: 1008, fatal: true },
          ),
        );
        return;
      }
      try {
        await this.#clock.sleep(DRAIN_POLL_MS, this.#signal);
      } catch {
        return; // the session ended
      }
      this.#unsentBound = this.#socket.bufferedAmount ?? 0;
    } while (this.#unsentBound > this.#maxBufferedBytes);
  }
}

/** The serializer refused a frame at once (reported and counted). */
const REFUSED: unique symbol = Symbol("refused");

/** What a serializer answers with, now: one message or several (no array made for one), or none. */
type Serialized = SerializedMessage | SerializedMessage[] | null;

/** Hands one message to the socket: {@linkcode OutboundSender}'s `#transmit` or `#put`. */
type Send = (message: SerializedMessage) => void;
