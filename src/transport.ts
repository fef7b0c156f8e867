/**
 * {@linkcode WebSocketTransport}: one voice session over one WebSocket.
 *
 * @module
 */

import { capCloseReason } from "./close_reason.ts";
import { systemClock } from "./clock.ts";
import type { Clock } from "./clock.ts";
import { TransportError } from "./errors.ts";
import { TransportCloseEvent, TransportErrorEvent, type TransportEventMap } from "./events.ts";
import type { AudioFrame, Frame } from "./frames.ts";
import { InboundDecoder } from "./inbound_decoder.ts";
import { InboundQueue } from "./inbound_queue.ts";
import { type OutboundItem, OutboundQueue } from "./outbound_queue.ts";
import type { FrameSerializer, SerializedMessage, SerializeResult } from "./serializer.ts";
import { RawPcmSerializer } from "./serializers/raw_pcm.ts";
import { ReadyState, type WebSocketData, type WebSocketLike } from "./socket.ts";
import { AudioChunker } from "./streams/audio_chunker.ts";
import { Pacer } from "./streams/pacer.ts";
import { Packetizer } from "./streams/packetizer.ts";
import { wrapWav } from "./audio/wav.ts";
import { durationMs } from "./audio/pcm.ts";
import {
  type ResolvedTransportOptions,
  resolveTransportOptions,
  type TransportOptions,
} from "./transport_options.ts";
import { emptyStats, type TransportStats } from "./transport_stats.ts";

/** How a session ended. */
export interface TransportClosed {
  /** The close code (1005 when the peer sent none, 1006 when the connection dropped). */
  code: number;
  /** The close reason. */
  reason: string;
  /** Who closed first. */
  initiator: "local" | "remote";
}

/** How often a send blocked on `bufferedAmount` looks again. */
const DRAIN_POLL_MS = 10;

/**
 * A real-time voice session over one WebSocket. Inbound messages become frames on
 * {@linkcode readable}; frames written to {@linkcode writable} leave as messages, audio re-chunked
 * to `audioOut.chunkMs`, optionally WAV-wrapped and packetized, and paced like a sound card: each
 * chunk leaves `sendAheadMs` before it would play, so real-time audio is forwarded at once and a
 * burst of TTS audio is spread over its playing time. {@linkcode interrupt} drops every queued
 * byte at once.
 *
 * The socket closes once, when the readable has been cancelled and the writable closed, when an
 * `end` or `cancel` frame is written, on {@linkcode close}, or when the remote side goes away.
 *
 * Events: "connected", "disconnected" (the remote side went away; once), "sessiontimeout" (once),
 * "error" ({@linkcode TransportErrorEvent}; the session goes on unless `error.fatal`).
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
 *
 * const received: number[] = [];
 * client.addEventListener("message", (e) => received.push(((e as MessageEvent).data as ArrayBuffer).byteLength));
 * client.send(new Uint8Array(640));
 * await client.waitFor(() => received.length === 1);
 * assert.deepEqual(received, [640]);
 *
 * client.close(1000);
 * await echoed;
 * assert.equal((await transport.closed).initiator, "remote");
 * ```
 */
export class WebSocketTransport extends EventTarget {
  /** Inbound frames, in the order their messages arrived. */
  readonly readable: ReadableStream<Frame>;
  /** Outbound frames. A write resolves once the outbound queue has room. */
  readonly writable: WritableStream<Frame>;
  /** Settles when the socket has closed, however it closed. Never rejects. */
  readonly closed: Promise<TransportClosed>;

  readonly #socket: WebSocketLike;
  readonly #serializer: FrameSerializer;
  readonly #options: ResolvedTransportOptions;
  readonly #clock: Clock;
  readonly #stats: TransportStats = emptyStats();
  readonly #inbound: InboundQueue;
  readonly #outbound: OutboundQueue;
  readonly #chunker: AudioChunker;
  readonly #pacer: Pacer;
  readonly #packetizer: Packetizer | undefined;

  /** Settles once the serializer is set up; inbound and outbound work waits for it. */
  readonly #ready: Promise<void>;
  #isReady = false;
  readonly #decoder: InboundDecoder;
  #pumping = false;
  /** Aborted on interruption and on close: wakes a pacing sleep so queued audio is dropped. */
  #wake = new AbortController();
  /** Aborted once the session is over: ends every bounded wait at once. */
  readonly #over = new AbortController();
  #connected = false;
  #closing = false;
  #closeStarted: Promise<void> | undefined;
  #resolveClosed!: (closed: TransportClosed) => void;
  #initiator: "local" | "remote" = "remote";
  #readableLeft = false;
  #writableLeft = false;
  #sessionTimer = new AbortController();

  /** Wraps an open or opening socket. Throws a `RangeError` naming any bad option. */
  constructor(socket: WebSocketLike, options: TransportOptions = {}) {
    super();
    this.#options = resolveTransportOptions(options);
    this.#socket = socket;
    this.#serializer = options.serializer ?? new RawPcmSerializer();
    this.#clock = options.clock ?? systemClock;
    this.#chunker = new AudioChunker({ chunkMs: this.#options.chunkMs });
    this.#pacer = new Pacer({ sendAheadMs: this.#options.sendAheadMs, clock: this.#clock });
    this.#packetizer = this.#options.fixedAudioPacketSize === undefined
      ? undefined
      : new Packetizer({
        packetSize: this.#options.fixedAudioPacketSize,
        lastPacket: this.#options.lastPacket,
        padByte: this.#options.padByte,
      });
    this.#outbound = new OutboundQueue(this.#options.maxQueuedMs);
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#inbound = new InboundQueue({
      maxFrames: this.#options.maxInboundFrames,
      onDrop: (first) => {
        this.#stats.inboundAudioFramesDropped++;
        if (first) {
          this.#report(
            new TransportError(
              "backpressure",
              "readable is not being read: dropping the oldest inbound audio",
            ),
          );
        }
      },
      onOverflow: () =>
        this.#fail(
          new TransportError(
            "backpressure",
            "readable is not being read and only messages are queued",
            {
              closeCode: 1008,
              fatal: true,
            },
          ),
        ),
      onCancel: () => {
        this.#readableLeft = true;
        this.#leave();
      },
    });
    this.readable = this.#inbound.readable;
    this.writable = new WritableStream<Frame>({
      write: (frame) => this.#write(frame),
      close: () => this.#finishWriting(),
      abort: () => {
        this.#writableLeft = true;
        return this.close(1011, "writable aborted");
      },
    });

    // Binary messages arrive as Blob otherwise, which costs an async read and can reorder them.
    try {
      socket.binaryType = "arraybuffer";
    } catch {
      // A socket that fixes its binaryType (some test doubles) still works: Blob is handled.
    }
    socket.addEventListener("message", this.#onMessage);
    socket.addEventListener("close", this.#onClose);
    socket.addEventListener("error", this.#onError);
    if (socket.readyState === ReadyState.CONNECTING) {
      socket.addEventListener("open", this.#onOpen);
    }

    this.#decoder = new InboundDecoder({
      serializer: this.#serializer,
      maxMessageBytes: this.#options.maxMessageBytes,
      stats: this.#stats,
      ...(options.initialMessages ? { initialMessages: options.initialMessages } : {}),
      onFrame: (frame) => this.#inbound.push(frame),
      onError: (error) => error.fatal ? this.#fail(error) : this.#report(error),
    });
    this.#serializer.bind?.({
      send: (message) => this.#sendNow(message),
      count: (counter, amount = 1) => void (this.#stats[counter] += amount),
      report: (error) => error.fatal ? this.#fail(error) : this.#report(error),
    });
    this.#ready = this.#setUp();
    if (options.signal?.aborted) queueMicrotask(() => this.close());
    else {options.signal?.addEventListener("abort", () => this.close(), {
        once: true,
        signal: this.#over.signal,
      });}
    if (this.#options.sessionTimeoutMs !== undefined) {
      this.#startSessionTimer(this.#options.sessionTimeoutMs);
    }
  }

  /** A snapshot of the session's counters. */
  get stats(): TransportStats {
    return { ...this.#stats };
  }

  /** Whether the socket is open and "connected" has been dispatched. */
  get connected(): boolean {
    return this.#connected && !this.#closing;
  }

  /** The socket this transport drives. */
  get socket(): WebSocketLike {
    return this.#socket;
  }

  /**
   * Drops every queued and partly packetized byte of outbound audio at once, resets the pacing
   * clock, and sends the serializer's clear message (Twilio `clear`, …) ahead of anything else.
   * Resolves once the clear message is on its way; no audio queued before the call leaves after.
   */
  async interrupt(): Promise<void> {
    if (this.#closing) return;
    this.#stats.interruptions++;
    this.#stats.audioBytesInterrupted += this.#dropQueued();
    await this.#ready;
    this.#sendFrameNow({ type: "interruption" });
  }

  /**
   * Closes the socket with `code` and `reason` (cut to 123 bytes), dropping queued audio
   * (counted). Resolves once the peer has answered or `closeTimeoutMs` has passed.
   */
  close(code = 1000, reason = ""): Promise<void> {
    if (this.#closeStarted) return this.#closeStarted;
    this.#closing = true;
    this.#initiator = "local";
    this.#stats.audioBytesDroppedOnClose += this.#dropQueued();
    this.#inbound.end();
    this.#closeStarted = this.#closeSocket(code, reason);
    return this.#closeStarted;
  }

  // Typed overloads for the events this transport dispatches.
  /** Listens for one of the transport's events. */
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
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null | ((event: never) => void),
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  // ---- set-up and lifecycle ------------------------------------------------------------------

  async #setUp(): Promise<void> {
    try {
      await this.#serializer.setup?.({
        inputSampleRate: this.#options.inputSampleRate,
        inputChannels: this.#options.inputChannels,
        outputSampleRate: this.#options.outputSampleRate,
        outputChannels: this.#options.outputChannels,
      });
    } catch (cause) {
      this.#fail(
        new TransportError("protocol", `serializer setup failed: ${String(cause)}`, {
          cause,
          closeCode: 1011,
          fatal: true,
        }),
      );
      return;
    }
    this.#isReady = true;
    if (this.#socket.readyState === ReadyState.OPEN) {
      // Already open (Workers, ws, test sockets): wait one task, so that code which awaited the
      // adapter's upgrade has added its "connected" listener before the event fires.
      this.#clock.sleep(0, this.#over.signal).then(this.#onOpen, () => {});
    }
    this.#decoder.start();
  }

  #onMessage = (event: Event): void => {
    this.#decoder.receive((event as MessageEvent<WebSocketData>).data);
  };

  #onOpen = (): void => {
    if (this.#connected || !this.#isReady || this.#closing) return;
    this.#connected = true;
    this.dispatchEvent(new Event("connected"));
    this.#pump();
  };

  #startSessionTimer(ms: number): void {
    this.#clock.sleep(ms, this.#sessionTimer.signal).then(
      () => this.dispatchEvent(new Event("sessiontimeout")),
      () => {/* cancelled: the session ended first */},
    );
  }

  #onClose = (event: Event): void => {
    const { code = 1005, reason = "" } = event as Event & { code?: number; reason?: string };
    const remote = !this.#closing;
    this.#closing = true;
    if (remote) {
      this.#initiator = "remote";
      this.#stats.audioBytesDroppedOnClose += this.#dropQueued();
    }
    this.#finish(code, reason);
    if (remote) this.dispatchEvent(new TransportCloseEvent("disconnected", { code, reason }));
  };

  #onError = (event: Event): void => {
    // Runtimes follow an "error" event with "close"; the close settles the session.
    const message = (event as Event & { message?: string }).message ?? "socket error";
    this.#report(new TransportError("closed", message, { cause: event }));
  };

  /** The socket is gone: settle everything once. */
  #finish(code: number, reason: string): void {
    if (this.#over.signal.aborted) return;
    this.#over.abort();
    this.#sessionTimer.abort();
    this.#wake.abort();
    this.#socket.removeEventListener("message", this.#onMessage);
    this.#socket.removeEventListener("close", this.#onClose);
    this.#socket.removeEventListener("error", this.#onError);
    this.#socket.removeEventListener("open", this.#onOpen);
    this.#decoder.stop();
    this.#inbound.end();
    this.#outbound.wakeWriter();
    this.#resolveClosed({ code, reason, initiator: this.#initiator });
  }

  async #closeSocket(code: number, reason: string): Promise<void> {
    const state = this.#socket.readyState;
    if (state === ReadyState.CLOSED) {
      this.#finish(code, reason);
      return;
    }
    if (state !== ReadyState.CLOSING) {
      try {
        this.#socket.close(code, capCloseReason(reason));
      } catch (cause) {
        this.#report(
          new TransportError("closed", `socket.close(${code}) failed: ${String(cause)}`, { cause }),
        );
      }
    }
    try {
      await this.#clock.sleep(this.#options.closeTimeoutMs, this.#over.signal);
      // The peer never answered the closing handshake: the session is over all the same, and
      // the connection must not outlive it.
      this.#terminate();
      this.#report(
        new TransportError(
          "timeout",
          `no close handshake within ${this.#options.closeTimeoutMs} ms`,
          {
            closeCode: code,
          },
        ),
      );
      this.#finish(code, reason);
    } catch {
      // #over aborted: the close event came.
    }
  }

  /** Drops the connection where the socket can (see `WebSocketLike.terminate`). */
  #terminate(): void {
    try {
      this.#socket.terminate?.();
    } catch (cause) {
      this.#report(
        new TransportError("closed", `socket.terminate() failed: ${String(cause)}`, { cause }),
      );
    }
  }

  /** One side (readable or writable) is done with the session; the last one closes it. */
  #leave(): void {
    if (this.#readableLeft && this.#writableLeft) void this.close();
  }

  /** Reports a fatal error and ends the session with its close code. */
  #fail(error: TransportError): void {
    this.#report(error);
    void this.close(error.closeCode ?? 1011, error.message);
  }

  #report(error: TransportError): void {
    this.dispatchEvent(new TransportErrorEvent(error));
  }

  // ---- outbound ------------------------------------------------------------------------------

  #write(frame: Frame): Promise<void> | void {
    this.#stats.framesOut++;
    if (this.#closing) {
      this.#countDroppedOnClose(frame);
      return;
    }
    switch (frame.type) {
      case "audio":
        if (!this.#validAudio(frame)) return;
        this.#chunker.push(frame, this.#enqueueChunk);
        break;
      case "interruption":
        return this.interrupt();
      case "cancel":
        return this.#cancel();
      case "message":
        if (frame.urgent) {
          if (this.#isReady) this.#sendFrameNow(frame);
          else return this.#ready.then(() => this.#sendFrameNow(frame));
          return;
        }
        this.#chunker.flush(this.#enqueueChunk);
        this.#outbound.pushFrame(frame);
        break;
      case "end":
        this.#chunker.flush(this.#enqueueChunk);
        this.#outbound.pushFrame(frame);
        this.#pump();
        return this.closed.then(() => {});
      default:
        // Marks and the rest keep their place after the audio written before them.
        this.#chunker.flush(this.#enqueueChunk);
        this.#outbound.pushFrame(frame);
    }
    this.#pump();
    return this.#outbound.room();
  }

  #enqueueChunk = (chunk: AudioFrame): void => {
    this.#outbound.pushAudio(chunk, durationMs(chunk.audio.length, chunk));
  };

  #validAudio(frame: AudioFrame): boolean {
    const { audio, sampleRate, channels } = frame;
    let problem: string | undefined;
    if (!(audio instanceof Uint8Array)) problem = "audio frame's audio is not a Uint8Array";
    else if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
      problem = `audio frame's sampleRate is ${sampleRate}`;
    } else if (!Number.isInteger(channels) || channels <= 0) {
      problem = `audio frame's channels is ${channels}`;
    } else if (audio.length % (channels * 2) !== 0) {
      problem =
        `audio frame of ${audio.length} bytes is not whole ${channels}-channel PCM16 sample frames`;
    }
    if (problem === undefined) return true;
    this.#stats.encodeErrors++;
    this.#report(new TransportError("encode", problem));
    return false;
  }

  /**
   * Sends queued items, each audio chunk at its pacing deadline. One pump at a time. It runs
   * synchronously while nothing has to wait (real-time audio, the usual case: no promise, no
   * timer per chunk) and hands over to `#pumpAfter` when something does.
   */
  #pump(): void {
    if (this.#pumping || !this.#connected) return;
    this.#pumping = true;
    try {
      for (;;) {
        const item = this.#outbound.peek();
        if (item === undefined || this.#closing) break;
        if (item.kind === "audio") {
          const wait = this.#pacer.reserve(item.durationMs);
          if (wait > 0) {
            return void this.#pumpAfter(this.#clock.sleep(wait, this.#wake.signal), item);
          }
          this.#outbound.shift();
          const sending = this.#sendAudio(item.chunk);
          if (sending) return void this.#pumpAfter(sending);
        } else {
          this.#outbound.shift();
          if (item.frame.type === "end") {
            return void this.#pumpAfter(this.#sendEnd(item.frame), undefined, true);
          }
          const sending = this.#sendFrame(item.frame);
          if (sending) return void this.#pumpAfter(sending);
        }
      }
    } catch (cause) {
      this.#pumpFailed(cause);
    }
    this.#pumping = false;
    if (this.#outbound.size === 0) this.#outbound.wakeDrained();
  }

  /**
   * Waits for `waiting` (a pacing sleep, a send that must drain, the end), then sends `paced` if
   * it is still next (an interruption or close wakes the sleep and empties the queue), and pumps
   * on unless the session is ending.
   */
  async #pumpAfter(waiting: Promise<void>, paced?: OutboundItem, last = false): Promise<void> {
    try {
      try {
        await waiting;
      } catch {
        paced = undefined; // woken by an interruption or close: the queue has changed
      }
      if (paced !== undefined && this.#outbound.peek() === paced && paced.kind === "audio") {
        this.#outbound.shift();
        const sending = this.#sendAudio(paced.chunk);
        if (sending) await sending;
      }
    } catch (cause) {
      this.#pumpFailed(cause);
    }
    this.#pumping = false;
    if (last) {
      if (this.#outbound.size === 0) this.#outbound.wakeDrained();
      return;
    }
    this.#pump();
  }

  #pumpFailed(cause: unknown): void {
    // Only a bug can get here (send and serializer failures are handled where they occur); end
    // the session loudly rather than leave a wedged queue behind.
    this.#fail(
      new TransportError("protocol", `outbound path failed: ${String(cause)}`, {
        cause,
        closeCode: 1011,
        fatal: true,
      }),
    );
  }

  /**
   * Serializes one audio chunk and sends it (through the packetizer when one is set). Returns a
   * promise only when it must wait (an asynchronous serializer, a full socket buffer), so the
   * usual chunk costs no promise at all.
   */
  #sendAudio(chunk: AudioFrame): Promise<void> | void {
    const frame = this.#options.addWavHeader
      ? { ...chunk, audio: wrapWav(chunk.audio, chunk) }
      : chunk;
    const result = this.#serializeNow(frame);
    if (result instanceof Promise) {
      return result.then((messages) => this.#transmitAudio(chunk, messages));
    }
    return this.#transmitAudio(chunk, result);
  }

  #transmitAudio(chunk: AudioFrame, messages: SerializedMessage[] | null): Promise<void> | void {
    if (messages === null) return;
    this.#stats.audioChunksSent++;
    this.#stats.audioBytesSent += chunk.audio.length;
    const packetizer = this.#packetizer;
    for (const message of messages) {
      if (packetizer !== undefined && typeof message !== "string") {
        packetizer.push(message, this.#sendPacket);
      } else {
        this.#transmit(message);
      }
    }
    return this.#drain();
  }

  #sendPacket = (packet: Uint8Array): void => {
    this.#transmit(packet);
  };

  #sendFrame(frame: Frame): Promise<void> | void {
    const result = this.#serializeNow(frame);
    if (result instanceof Promise) return result.then((messages) => this.#transmitAll(messages));
    return this.#transmitAll(result);
  }

  #transmitAll(messages: SerializedMessage[] | null): Promise<void> | void {
    if (messages === null) return;
    for (const message of messages) this.#transmit(message);
    return this.#drain();
  }

  /** Sends what the pacer let through, waits for the far end to play it, then says goodbye. */
  async #sendEnd(frame: Frame & { type: "end" }): Promise<void> {
    this.#packetizer?.flush(this.#sendPacket);
    try {
      // Hanging up the moment the last chunk leaves would cut off the audio still playing.
      const playing = this.#pacer.queuedMs;
      if (playing > 0) await this.#clock.sleep(playing, this.#over.signal);
    } catch {
      return; // the session ended meanwhile
    }
    await this.#sendFrame(frame);
    if (this.#serializer.peerCloses) {
      try {
        await this.#clock.sleep(this.#options.closeTimeoutMs, this.#over.signal);
      } catch {
        return; // the far end closed, as its protocol says it will
      }
    }
    await this.close(1000, frame.reason ?? "");
  }

  /** An out-of-band frame (interruption, urgent message): serialized and sent at once. */
  #sendFrameNow(frame: Frame): void {
    const result = this.#serializeNow(frame);
    if (result instanceof Promise) {
      void result.then((messages) => {
        for (const message of messages ?? []) this.#sendNow(message);
      });
      return;
    }
    for (const message of result ?? []) this.#sendNow(message);
  }

  /** A message that must not wait for queued audio. */
  #sendNow(message: SerializedMessage): void {
    if (this.#socket.readyState !== ReadyState.OPEN) return;
    this.#transmit(message);
  }

  /**
   * The serializer's messages for `frame` as a list, now when the serializer answers at once. A
   * frame it cannot encode is reported, counted and skipped (`null`).
   */
  #serializeNow(
    frame: Frame,
  ): SerializedMessage[] | null | Promise<SerializedMessage[] | null> {
    let result: SerializeResult;
    try {
      result = this.#serializer.serialize(frame);
    } catch (cause) {
      this.#encodeFailed(cause);
      return null;
    }
    if (result instanceof Promise) {
      return result.then(toList, (cause) => {
        this.#encodeFailed(cause);
        return null;
      });
    }
    return toList(result);
  }

  #encodeFailed(cause: unknown): void {
    this.#stats.encodeErrors++;
    // The frame is lost (counted); the session and the frames after it are not.
    this.#report(
      cause instanceof TransportError
        ? cause
        : new TransportError("encode", `serializer failed to write a frame: ${String(cause)}`, {
          cause,
        }),
    );
  }

  #transmit(message: SerializedMessage): void {
    if (this.#socket.readyState !== ReadyState.OPEN) {
      this.#stats.audioBytesDroppedOnClose += typeof message === "string" ? 0 : message.length;
      return;
    }
    try {
      this.#socket.send(message);
    } catch (cause) {
      this.#report(new TransportError("closed", `send failed: ${String(cause)}`, { cause }));
      return;
    }
    this.#stats.messagesOut++;
    this.#stats.bytesOut += message.length;
  }

  /**
   * Waits while the socket holds more than `maxBufferedBytes` unsent, at most `sendTimeoutMs`;
   * past that the peer is taken to have stopped reading and the session ends.
   */
  #drain(): Promise<void> | void {
    if ((this.#socket.bufferedAmount ?? 0) <= this.#options.maxBufferedBytes) return;
    return this.#waitForDrain();
  }

  async #waitForDrain(): Promise<void> {
    const buffered = () => this.#socket.bufferedAmount ?? 0;
    const deadline = this.#clock.now() + this.#options.sendTimeoutMs;
    while (buffered() > this.#options.maxBufferedBytes) {
      if (this.#clock.now() >= deadline) {
        this.#fail(
          new TransportError(
            "backpressure",
            `peer read nothing for ${this.#options.sendTimeoutMs} ms: ${buffered()} bytes unsent`,
            { closeCode: 1008, fatal: true },
          ),
        );
        return;
      }
      try {
        await this.#clock.sleep(DRAIN_POLL_MS, this.#over.signal);
      } catch {
        return; // the session ended
      }
    }
  }

  /** Drops queued audio and the chunker's and packetizer's remainders; returns bytes dropped. */
  #dropQueued(): number {
    const dropped = this.#outbound.clear() + this.#chunker.clear() +
      (this.#packetizer?.clear() ?? 0);
    this.#pacer.reset();
    this.#wake.abort();
    this.#wake = new AbortController();
    return dropped;
  }

  #countDroppedOnClose(frame: Frame): void {
    if (frame.type === "audio") this.#stats.audioBytesDroppedOnClose += frame.audio.length;
    else this.#stats.framesDroppedOnClose++;
  }

  async #cancel(): Promise<void> {
    this.#stats.audioBytesDroppedOnClose += this.#dropQueued();
    await this.#ready;
    await this.#sendFrame({ type: "cancel" });
    await this.close(1000, "cancelled");
  }

  /** The writable was closed: send what is queued (paced), then leave. */
  async #finishWriting(): Promise<void> {
    this.#chunker.flush(this.#enqueueChunk);
    this.#pump();
    await this.#outbound.drained(this.#over.signal);
    this.#packetizer?.flush(this.#sendPacket);
    this.#writableLeft = true;
    this.#leave();
  }
}

function toList(
  messages: SerializedMessage | SerializedMessage[] | null,
): SerializedMessage[] | null {
  if (messages === null) return null;
  return Array.isArray(messages) ? messages : [messages];
}
