/**
 * The contract between a transport and a wire protocol.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import type { TransportError } from "./errors.ts";
import type { Frame, MessageFrame } from "./frames.ts";
import type { InboundPacketInfo } from "./session_observer.ts";
import type { SerializerCounter } from "./transport_stats.ts";

/** One message on the wire: strings go as text, bytes as binary. */
export type SerializedMessage = string | Uint8Array;

/** The audio settings a transport hands its serializer before any frame. */
export interface SerializerAudioSetup {
  /** The sample rate inbound audio frames must have. */
  inputSampleRate: number;
  /** The channel count inbound audio frames must have. */
  inputChannels: number;
  /** The sample rate of the transport's outbound audio. */
  outputSampleRate: number;
  /** The channel count of the transport's outbound audio. */
  outputChannels: number;
  /**
   * How long the transport's outbound audio chunks are (`audioOut.chunkMs`): each is one
   * `serialize` call, the last of a reply shorter. Absent where a serializer is set up by hand.
   */
  outputChunkMs?: number;
  /**
   * The transport's `fixedAudioPacketSize`: binary messages are cut into packets of this many
   * bytes after the serializer, the last held until the next completes it. Absent when audio goes
   * as the serializer returns it, or where a serializer is set up by hand.
   */
  outputPacketBytes?: number;
}

/** What `serialize` may return: nothing, one message or several, now or later. */
export type SerializeResult =
  | SerializedMessage
  | SerializedMessage[]
  | null
  | Promise<SerializedMessage | SerializedMessage[] | null>;

/**
 * What `deserialize` may return: no frame, one or several, now or later. `undefined` (a
 * serializer written in JavaScript that falls off its switch) is taken as `null`; anything else
 * that is not a frame (a `mark` without a name among them) is a "decode" error, counted in
 * `decodeErrors`, and the frames beside it go on.
 */
export type DeserializeResult = Frame | Frame[] | null | Promise<Frame | Frame[] | null>;

/**
 * Turns frames into wire messages and back. A serializer belongs to one session: it may keep
 * state (stream ids, sequence numbers, resampler filters).
 */
export interface FrameSerializer {
  /** Called once, before any frame, with the transport's audio settings. */
  setup?(audio: SerializerAudioSetup): void | Promise<void>;
  /**
   * Called once, before `setup`, with the session's {@linkcode SerializerContext}: a way to send
   * at once and a way to report what the serializer dropped or repaired. Protocols whose server
   * must answer the client by itself (Genesys AudioHook's `open` → `opened`, `ping` → `pong`) keep
   * it and reply from `deserialize`; the bot never sees those exchanges.
   */
  bind?(context: SerializerContext): void;
  /**
   * Whether the far end closes the socket itself once it has the serialized `end` frame (Genesys
   * AudioHook answers `disconnect` with `close`, then hangs up). The transport then waits for that
   * close, at most `closeTimeoutMs`, instead of closing first. May be fixed for the session, or a
   * getter that turns true once the far end's closing has begun (Genesys's): from then on the
   * partial packet `fixedAudioPacketSize` holds is dropped, counted, as no audio may follow that
   * closing; a fixed `true` drops nothing before the `end`. Fixed, it must be so when the
   * transport is built (read then: not first set in `bind` or `setup`).
   */
  readonly peerCloses?: boolean;
  /**
   * Whether the far end acknowledges an outbound `mark` frame once the audio sent before it has
   * played (Twilio, Telnyx and Exotel `mark`, Plivo `checkpoint`, Vonage `notify`), echoing its
   * name back as an inbound `mark`. The transport then inserts marks of its own to learn what the
   * caller really heard (their names start with `PLAYOUT_MARK_PREFIX`; they never reach the bot).
   */
  readonly playoutMarks?: boolean;
  /**
   * The least lead, in milliseconds, at which the far end plays audio relayed in real time without
   * a gap: the transport's `sendAheadMs` when the session gives none and this is longer than its
   * default (one chunk). A far end that plays only whole batches of what it gathered (FreeSWITCH's
   * `mod_audio_fork`, which jambonz runs on) needs a batch in hand, or its playout runs dry as each
   * batch completes just in time. A session's own `sendAheadMs` always wins, a lower one too (a
   * bot that paces itself, or trades that gap for latency, means it), without a word. Read once,
   * when the transport is built, from the instance a serializer function made; a value that is
   * not a finite number of 0 or more is ignored.
   */
  readonly minSendAheadMs?: number;
  /**
   * Whether the serializer hands on the far end's own reports of its playback (Genesys's Audio
   * Connector `playback_started` / `playback_completed`, as `GenesysSerializer` does), which tell
   * the transport where a stretch of the bot's audio ended. Only such a serializer's reports are
   * read: from any other far end, an inbound `mark` named as one is hidden and means nothing. A
   * serializer that wraps one passes it on.
   */
  readonly playbackReports?: boolean;
  /**
   * Whether the far end can take nothing from us before its own `start` message (Twilio, Plivo
   * and Exotel address every message to the stream id that message brings; Vonage and jambonz
   * without a rate given learn it there, Asterisk with `controlFormat: "auto"` its control
   * format); read when the socket opens, and as the set-up ends. The transport then sends nothing
   * of the bot's until `deserialize` has returned a `start` frame: its audio, the background too,
   * and its queued frames wait in the queue (writers wait for room as usual); its urgent
   * `message` frames wait, unserialized, in the order sent, and leave first, the moment the start
   * is read; an interruption before it sends no clear (nothing has left to clear). What the
   * serializer sends itself through its context (`SerializerContext.send`) is not held for the
   * start (it waits only for the socket's open). If no `start` frame comes within
   * `sendTimeoutMs`, a "timeout" error is reported and sending begins anyway, the urgent frames
   * first. Where the session ends first, what waits is dropped, counted (the urgent frames in
   * `framesDroppedOnClose`), and the serializer is not asked for it.
   */
  readonly awaitsStart?: boolean;
  /**
   * `false` while the far end takes no audio from us: a protocol with no audio path (Twilio
   * ConversationRelay: text both ways), or a session that did not ask for it (a Genesys AudioHook
   * monitor). The transport reads it at every audio frame and drops such audio at once, counted in
   * `audioBytesRefused` and reported once, instead of pacing it and taking it for speech.
   *
   * @default {true}
   */
  readonly carriesAudio?: boolean;
  /**
   * `true` where the far end speaks the bot's `text` frames (ConversationRelay: the platform does
   * the speech): there text is the reply, so text of a response interrupted before it was written
   * is dropped as stale audio is (counted in `textFramesStale`, reported as `staleaudio`), not
   * spoken as a new talk cycle after the interruption.
   *
   * @default {false}
   */
  readonly speaksText?: boolean;
  /**
   * Whether `frame`, a `message` frame not marked `urgent`, goes at once as an urgent message
   * would: ahead of the audio and marks queued before it, of the writes waiting in the writable's
   * writers for room, and through a pause of sending ({@linkcode SerializerContext.pauseSending}).
   * For the command that ends what holds that audio back, which queued behind it would wait until
   * the pause's bound (Asterisk's `CONTINUE_MEDIA` while the bot's `PAUSE_MEDIA` keeps back the
   * `MEDIA_XON` that a `MEDIA_XOFF` waits for). `false`, or no such method: it keeps its place
   * after the audio before it. The audio before it still leaves in the order written, and what is
   * written after it stays behind that audio.
   *
   * Asked as the transport takes the frame (`send`, or a write; where writes wait for room, also
   * as it is written, and again when its turn comes if it waited), once sending has begun (the
   * serializer set up, the socket open, the far end's start come: see {@linkcode awaitsStart})
   * and until the session ends (after the bot's `end` is said no message leaves), and only where
   * no other `message` frame waits ahead of it, in the transport's queue, in a writer, or for this
   * serializer's asynchronous answer: messages are never reordered among themselves (a
   * `PAUSE_MEDIA` still queued would land after the `CONTINUE_MEDIA` and leave the far end
   * paused). The frame is serialized as written (not marked `urgent`). Asked per message frame,
   * maybe twice, never per audio chunk: answer synchronously, from what the frames serialized so
   * far and the far end's messages told. A throw is an "encode" error, counted in `encodeErrors`
   * and reported; the frame keeps its place. Optional.
   *
   * @example A far end's "RESUME" goes ahead of the audio its pause of sending holds
   * ```ts
   * import {
   *   type Frame,
   *   type FrameSerializer,
   *   type MessageFrame,
   *   type SerializerContext,
   *   WebSocketTransport,
   * } from "@x/ws-transport";
   * import { FakeClock, MemorySocketPair } from "@x/ws-transport/testing";
   * import assert from "node:assert/strict";
   *
   * class HoldingSerializer implements FrameSerializer {
   *   #context: SerializerContext | undefined;
   *   bind(context: SerializerContext) {
   *     this.#context = context;
   *   }
   *   overtakesQueue(frame: MessageFrame) {
   *     return frame.message === "RESUME"; // queued, it would wait for the pause it ends
   *   }
   *   serialize(frame: Frame) {
   *     if (frame.type === "message") return String(frame.message);
   *     return frame.type === "audio" ? frame.audio : null;
   *   }
   *   deserialize(data: string | Uint8Array) {
   *     if (data === "HOLD") this.#context?.pauseSending?.(true); // the far end's flow control
   *     if (data === "GO") this.#context?.pauseSending?.(false);
   *     return null;
   *   }
   * }
   * const clock = new FakeClock();
   * const { server, client } = new MemorySocketPair();
   * const transport = new WebSocketTransport(server, {
   *   serializer: new HoldingSerializer(),
   *   clock,
   *   audioOut: { sampleRate: 16000 },
   * });
   * transport.receive(() => {});
   * await clock.tick(10);
   * const second = new Uint8Array(32000); // 1 s at 16 kHz
   * void transport.send({ type: "audio", audio: second, sampleRate: 16000, channels: 1 });
   * client.send("HOLD");
   * await clock.tick(100);
   * transport.send({ type: "message", message: "RESUME" }); // not urgent: it overtakes all the same
   * assert.equal(server.sent.at(-1), "RESUME");
   * await transport.close();
   * ```
   */
  overtakesQueue?(frame: MessageFrame): boolean;
  /**
   * One outbound frame to zero, one or several messages. A serializer may send a frame's message
   * through the context instead ({@linkcode SerializerContext.send}, as Genesys does to number
   * them) and return `null`: the frame is sent (or, the socket not open, counted once in
   * `framesDroppedOnClose`). Otherwise, nothing sent or lost through the context during the
   * call, what `null` means depends on the frame:
   *
   * - `audio`: the serializer holds it, to send with later audio (whole frames, a resampler
   *   filling up); it counts as sent. Audio it drops instead it counts itself in
   *   `audioBytesRefused` (through the context), or in `audioBytesDroppedOnClose` where the
   *   session is closing, and the transport does not count it as sent.
   * - `interruption`: no message makes the far end drop what it holds (raw PCM), unless one was
   *   sent through the context; what was sent is then taken as heard, not dropped.
   * - `end`, `cancel`: the end needs no message (a hang-up through a REST API, the socket's close).
   * - any other frame: the protocol has no message for it. The frame is dropped, counted in
   *   `encodeErrors`, and reported once per frame type a session (an `"encode"` error), unless the
   *   serializer refused it and counted it itself (`context.count("encodeErrors")`).
   *
   * An empty array is nothing to send, on purpose, for any frame; `null` and `undefined` items of
   * an array are skipped. An answer that is no message (a number, a plain object, an
   * `ArrayBuffer`, an array holding one) is the frame's `"encode"` error, counted and reported as
   * below. A promise is waited for at most `sendTimeoutMs`: one not settled by then ends the
   * session (a fatal `"protocol"` error, 1011). Throws a `TransportError` with
   * code `"encode"` for a frame it cannot encode: counted in `encodeErrors` (an audio frame's
   * bytes in `audioBytesRefused` too) and reported, the same error again before any frame is
   * encoded only counted (a refusal repeated for every chunk is reported once a spell).
   */
  serialize(frame: Frame): SerializeResult;
  /**
   * A stretch of the bot's speech has ended: nothing more was queued for the transport's quiet
   * time after its last chunk (whether or not an end-of-speech mark goes then, and before one
   * that does), its held-back end has left (no more audio came within the quiet time), what a bot
   * that wrote ahead of real time sent has run out by the estimate with no more of it sent (its
   * next burst, written in time, carries the stream on instead), an `end` frame follows it, or
   * the outbound stream was closed. Called where a stretch ends, never per chunk, once (a
   * serializer told twice answers `null`, holding nothing), and not while a background mixer
   * fills every slot (its audio carries the stream on) unless an `end` or the close follows. For
   * a serializer that holds samples back
   * across chunks (a resampler's filter delay, a fraction of a millisecond): `playing`, the far
   * end plays the stretch on (by the estimate, as far behind it as the far end was measured to
   * play), and the messages returned carry the held end of it, sent at once after its last chunk
   * (binary ones through `fixedAudioPacketSize`'s packets, where they join the partial last one;
   * where the last packet left whole, `playing` is false: they would make a packet of padding of
   * their own); otherwise nothing of it plays any more, and the serializer drops what it holds
   * and returns `null`. Either way the next audio starts a stream of its own, rather than push
   * the old one's end out in front of it, however much later it comes.
   *
   * What leaves is counted in `messagesOut` and `bytesOut` only: the bot's bytes it was made from
   * were counted in `audioBytesSent` with their chunk. What is dropped is filter state, never
   * counted as queued audio lost. (The module's own Vonage and Asterisk serializers hold back a
   * partial frame of the bot's speech, not filter state: the transport has them drop it where the
   * socket is no longer open, counted in `audioBytesDroppedOnClose` (taken off `audioBytesSent`
   * where that counted it: without `fixedAudioPacketSize`; with it the frame was never counted
   * sent), and places the silence padding it where it plays. A serializer of your own has no such
   * means, nor has one that wraps theirs: the transport does not see through it, and counts its
   * held frame with its chunk, as any audio: dropped at the close it stays counted in
   * `audioBytesSent`, and with `fixedAudioPacketSize` an interruption or a cancel counts up to one
   * frame of it twice.) A throw or an answer that is no message is an "encode" error, as from
   * `serialize`. Optional: a serializer without it keeps what it holds for the next audio, as
   * before.
   *
   * @example A resampling serializer ends a reply with what its filter still holds
   * ```ts
   * import { TelephonyAudio } from "@x/ws-transport/telephony";
   * import assert from "node:assert/strict";
   *
   * const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 8000 });
   * const reply = new Uint8Array(960).fill(16); // 20 ms at 24 kHz
   * const first = audio.encode({ type: "audio", audio: reply, sampleRate: 24000, channels: 1 });
   * assert.equal(first?.length, 320); // 20 ms at 8 kHz, begun with the filter's delay as silence
   * const end = audio.endOutbound(true); // the reply plays on: its held end goes after it
   * assert.equal(end?.length, 4); // two samples at 8 kHz: 0.25 ms
   * assert.equal(audio.endOutbound(true), null); // nothing held any more
   * ```
   */
  audioEnds?(playing: boolean): SerializedMessage | SerializedMessage[] | null;
  /**
   * The transport sent `fixedAudioPacketSize`'s partial packet: the binary bytes this serializer
   * returned that it held (`bytes`, its padding not among them) left only now, not with the
   * chunk that brought them. Called wherever a partial packet leaves: at a stretch's end (after
   * {@linkcode audioEnds}), before an `end`, and mid-stream, padded, where background audio
   * carries the stream on past a reply's end (no `audioEnds` comes then). For a serializer that
   * keeps its own count of what a packet not yet whole holds (Genesys stamps audio when its packet
   * leaves): without it, such a count stays a packet out of step with the transport's. Never per
   * chunk; not for a packet dropped (see {@linkcode partialPacketDropped}). A throw is an
   * "encode" error, counted in `encodeErrors` and reported; the session goes on. Optional.
   */
  partialPacketSent?(bytes: number): void;
  /**
   * The transport dropped the last `bytes` bytes of the binary messages this serializer returned
   * before they left: `fixedAudioPacketSize`'s partial packet where a stretch of speech ends with
   * `lastPacket: "drop"` (all of a reply shorter than one packet), or where the far end is closing
   * the session (`peerCloses`). (The module's own Vonage and Asterisk serializers are told so
   * too at a change of the wire's format; a serializer of your own never is.) The far end never
   * got them. For a serializer that takes audio it returned as sent to the far end (Genesys's
   * goodbye waits for `playback_completed` only where audio went out since the last one): it
   * takes them back. Called only where such a packet is dropped, never per chunk, and before the
   * frame that follows is serialized (an `end` after the reply: it then knows what really went).
   * Not called where the packet is dropped with all the audio queued: an `interruption` or a
   * `cancel` (the serializer is given that frame next), or the session's close. A throw is an
   * "encode" error, counted in `encodeErrors` and reported; the session goes on. Optional: a
   * serializer that keeps no count of what it sent needs none.
   *
   * @example A reply shorter than one packet, dropped whole, is taken back
   * ```ts
   * import { type Frame, type FrameSerializer, WebSocketTransport } from "@x/ws-transport";
   * import { FakeClock, MemorySocketPair } from "@x/ws-transport/testing";
   * import assert from "node:assert/strict";
   *
   * class CountingSerializer implements FrameSerializer {
   *   wireBytes = 0;
   *   serialize(frame: Frame) {
   *     if (frame.type !== "audio") return null;
   *     this.wireBytes += frame.audio.length;
   *     return frame.audio;
   *   }
   *   partialPacketDropped(bytes: number) {
   *     this.wireBytes -= bytes; // never sent after all
   *   }
   *   deserialize() {
   *     return null;
   *   }
   * }
   * const serializer = new CountingSerializer();
   * const clock = new FakeClock();
   * const { server } = new MemorySocketPair();
   * const transport = new WebSocketTransport(server, {
   *   serializer,
   *   clock,
   *   audioOut: { sampleRate: 16000 },
   *   fixedAudioPacketSize: 1600, // 50 ms packets
   *   lastPacket: "drop",
   * });
   * const audio = new Uint8Array(640); // a reply of 20 ms at 16 kHz: less than one packet
   * void transport.send({ type: "audio", audio, sampleRate: 16000, channels: 1 });
   * await clock.tick(1000); // the reply has ended: its partial packet is dropped
   * assert.equal(serializer.wireBytes, 0);
   * await transport.close();
   * ```
   */
  partialPacketDropped?(bytes: number): void;
  /**
   * One inbound message to zero or more frames. Malformed input throws a `TransportError` with
   * code `"decode"`; the transport reports it and the session goes on. So too for what is no
   * frame (audio that is not a `Uint8Array` of whole samples, a mark with no name), and for a
   * promise not settled in `sendTimeoutMs`: given up, the messages after it read in order.
   */
  deserialize(data: string | Uint8Array): DeserializeResult;
  /**
   * The session is ending (the socket closed, or the transport began to close): the frames the
   * serializer still holds that no later message will release, handed to the bot before its
   * frames end. Media held behind a hole by a reorder window is the case: a far end that ends
   * with the socket's close rather than a message of its own (Plivo) would otherwise take the
   * caller's last audio with it, uncounted. Called at most once; what is no frame is a decode
   * error, as from `deserialize`, and so is a throw.
   */
  finish?(): Frame[] | null;
}

/**
 * How a pause of sending is bounded afresh ({@linkcode SerializerContext.pauseSending}'s second
 * argument): given while sending is paused, the pause ends itself `sendTimeoutMs` from that call,
 * not from its start; given as the pause starts, only its `reason` differs.
 */
export interface SendPauseOptions {
  /**
   * What the pause waits on, as the "timeout" error at its bound says it: the error reads
   * `<reason> within <sendTimeoutMs> ms: sending on`. A string, or a `TypeError` is thrown at
   * the serializer.
   *
   * @default {"the far end asked to pause sending and did not resume"}
   */
  reason?: string;
}

/**
 * What a serializer may do on its session besides returning frames and messages (see
 * {@linkcode FrameSerializer.bind}).
 */
export interface SerializerContext {
  /**
   * Sends a message on the socket at once, ahead of any queued audio and bypassing pacing. On a
   * socket still connecting it waits for the open (then leaves first, in order), not for the
   * set-up nor the far end's start (see {@linkcode FrameSerializer.awaitsStart}); once the socket
   * is closing, or it never opens, it is dropped, counted in `framesDroppedOnClose`. Serializers
   * that number their messages (AudioHook `seq`) send everything they originate through it, so
   * numbers leave in order.
   */
  send(message: SerializedMessage): void;
  /**
   * Adds `amount` (default 1) to one of the transport's counters: every inbound packet a
   * serializer drops or repairs (duplicates, late media, filled gaps) and every outbound byte it
   * refuses must reach `transport.stats`, never a counter of its own that nobody reads. `held`:
   * the bytes are audio the serializer took and held, and now drops (Vonage's and Asterisk's
   * partial frame, at an interruption, a cancel, a format change): the transport counted them
   * sent when the serializer took them, and moves them out of `audioBytesSent`.
   */
  count(counter: SerializerCounter, amount?: number, held?: boolean): void;
  /** Reports a problem as an "error" event; the session goes on unless the error is fatal. */
  report(error: TransportError): void;
  /**
   * Tells the session's observers of an inbound media packet as it arrives, before any frame made
   * from it (`SessionObserver.inboundPacket`): every packet received, in arrival order, those the
   * serializer then drops (duplicates, too late for its reorder window) too, so that a measure of
   * the network (RFC 3550 §6.4.1 interarrival jitter, which `SessionMetrics` keeps) sees what a
   * reorder stage hides. Synchronous, with no allocation: a serializer may pass one object it
   * reuses for every packet, which observers must copy. A time that is not a finite number is a
   * bug in the serializer: it throws a `RangeError`. `OrderedMedia` calls it; a serializer that
   * never does leaves its frames' `timestampMs` to be measured as they come instead. Optional:
   * a context made by hand may leave it out.
   */
  inboundPacket?(packet: Readonly<InboundPacketInfo>): void;
  /**
   * Hands frames on between messages, taken as a message's frames are (checked, then queued for
   * the bot): for what a serializer releases by time rather than by a message, as a reorder
   * window does with media it held past its wall-time bound (`OrderedMedia`), when the far end
   * sent nothing after a hole. In order after the frames of every message read so far; a
   * serializer that answers `deserialize` asynchronously calls it only between its answers.
   * Once the serializer has finished (`finish`) or the session is over, the frames are dropped,
   * counted in `inboundFramesDroppedOnClose`. Optional: a context made by hand may leave it out.
   */
  inboundFrames?(frames: Frame[]): void;
  /**
   * Pauses sending (`true`) or lets it go on (`false`), for protocols whose far end asks the
   * sender to stop for a while (Asterisk's `MEDIA_XOFF` / `MEDIA_XON`). While paused nothing
   * queued leaves, audio nor the frames queued behind it, and nothing is dropped: writers wait
   * for room as usual. Interruptions, urgent messages, the messages the serializer lets overtake
   * ({@linkcode FrameSerializer.overtakesQueue}) and {@linkcode send} still go at once.
   * Counted in `stats.sendPauses` and `stats.sendPausedMs`; a pause that lasts longer than the
   * transport's `sendTimeoutMs` ends itself with a "timeout" error ("the far end asked to pause
   * sending and did not resume within … ms: sending on"), so no far end holds a session for good.
   * A second `pauseSending(true)` while paused changes nothing. With `options` (see
   * {@linkcode SendPauseOptions}) it bounds the pause afresh instead: `sendTimeoutMs` from this
   * call, its error giving `options.reason` — for a pause whose end no longer waits on the far
   * end alone (Asterisk's `MEDIA_XOFF` while the bot's own `PAUSE_MEDIA` keeps back the
   * `MEDIA_XON`; then again when the bot's `CONTINUE_MEDIA` leaves). Each arming is bounded, but a
   * serializer that re-arms without end holds the session as long: re-arm only when what the
   * pause waits on changes. Optional: a context made by hand (in a test) may leave it out.
   */
  pauseSending?(paused: boolean, options?: SendPauseOptions): void;
  /**
   * The far end holds its playout (`true`): it plays silence and keeps what it is sent queued,
   * to play once it goes on (`false`), as Asterisk does from the bot's `PAUSE_MEDIA` to its
   * `CONTINUE_MEDIA`. The transport's playout estimate then takes none of that audio as heard
   * while it is held (`interrupt()`'s `heardMs`, the speaking events), and from `false` on places
   * it, and its pacing, from that moment: the hold is not read as the far end's delay, and
   * sending leads the far end by `sendAheadMs` again. Call it where the hold begins or ends (a
   * command sent, a refusal that shows it was not taken), not per chunk; the same value twice
   * changes nothing, and an interruption's clear does not end a hold. Optional: a context made by
   * hand may leave it out.
   */
  farEndHeld?(held: boolean): void;
  /**
   * The far end stopped the bot's speech by itself (ConversationRelay's `interrupt`: the caller
   * talked over it): the responses written so far are closed to late text and audio, as at
   * `transport.interrupt()`, but nothing is cleared, sent or counted as an interruption.
   * Optional: a context made by hand may leave it out.
   */
  farEndInterrupted?(): void;
  /**
   * The session's clock (`TransportOptions.clock`), for the bounds a serializer puts on its own
   * waits (a REST hang-up's timeout): on a test's `FakeClock` they pass in fake time. Optional: a
   * context made by hand may leave it out (real time, then).
   */
  readonly clock?: Clock;
  /**
   * The transport's `sendTimeoutMs`: how long a `serialize` answering with a promise may take
   * before the session ends (1011). A serializer that waits inside `serialize` (Genesys' goodbye,
   * for the far end's playback) keeps its wait under it. Optional, as `clock`.
   */
  readonly sendTimeoutMs?: number;
  /**
   * The transport's `closeTimeoutMs`: how long it waits for the far end's close after the bot's
   * `end`. A serializer that ends the session by a message of its own, where no `end` frame
   * brought it (Genesys' `disconnect`), bounds the far end's close by it too. Optional, as `clock`.
   */
  readonly closeTimeoutMs?: number;
  /**
   * Aborted when the session is over (the socket closed): for work a serializer runs on beyond
   * its `serialize`, which nobody waits for once the session has ended (a REST hang-up is not
   * sent after it; one already sent runs on to its own bound, as the call may outlive the
   * socket). Optional, as `clock`.
   */
  readonly signal?: AbortSignal;
  /**
   * The transport's `waitUntil`: hand it the promise of work that may run on after the session
   * (a REST hang-up), so that a runtime which cancels what is pending once a request is handled
   * (Cloudflare Workers) lets it finish. The promise should not reject: its failure is reported
   * where it happens. Absent when the transport was given none, and in a context made by hand.
   */
  readonly waitUntil?: (promise: Promise<unknown>) => void;
}
