/**
 * The socket-facing half of a transport's outbound path: a frame is serialized (audio first
 * wrapped in WAV when asked), binary audio messages are cut into fixed-size packets when asked,
 * messages are handed to the socket, and sending waits while the socket holds too much unsent.
 * Every frame that does not leave is counted.
 *
 * What the chunk's path does stays here, in one object (it is benchmarked: no call through
 * another object per chunk, no object made per chunk); the pieces with their own state and a
 * small surface live beside it: the check of a serializer's answer (`_serializer_answer.ts`), an
 * asynchronous serializer's answers, bounded, and a late one a clear overtook
 * (`_sender_late_answers.ts`), the share of the bot's speech a whole-frames serializer holds back
 * (`_outbound_held_frame.ts`), the frames with no message (`_no_message_reports.ts`), the wait
 * for a full socket to drain (`_drain_wait.ts`), a run of packets at a stretch's end or a mark
 * (`_packet_run.ts`), how audio handed over is counted (`_audio_counts.ts`), and the urgent frames
 * sent out of band, held until sending begins (`_sender_urgent.ts`, its host the sender itself).
 *
 * @module
 */

import { durationMs, type PcmFormat } from "./audio/pcm.ts";
import { wrapWav } from "./audio/wav.ts";
import type { Clock } from "./clock.ts";
import { TransportError } from "./errors.ts";
import type { AudioFrame, Frame } from "./frames.ts";
import type { FrameSerializer, SerializedMessage, SerializeResult } from "./serializer.ts";
import { ReadyState, type WebSocketLike } from "./socket.ts";
import type { Packetizer } from "./streams/packetizer.ts";
import type { SerializerCounter, TransportStats } from "./transport_stats.ts";
import { thrownText } from "./_thrown_text.ts";
import { countAudio, countMixed } from "./_audio_counts.ts";
import { DrainWait } from "./_drain_wait.ts";
import { NoMessageReports } from "./_no_message_reports.ts";
import { HeldFrameShare } from "./_outbound_held_frame.ts";
import { PacketRun } from "./_packet_run.ts";
import { dropUnsentAnswer, LateAnswers, UrgentLine } from "./_sender_late_answers.ts";
import { UrgentSender } from "./_sender_urgent.ts";
import {
  audioBytesOf,
  ENDED,
  messagesIn,
  NOT_A_MESSAGE,
  notAMessageReport,
  type Outcome,
  REFUSED,
  type Send,
  type Serialized,
  serializerName,
  STRETCH_END,
} from "./_serializer_answer.ts";
import type { ClearFate } from "./_playback_tracker.ts";
import { HELD_FRAME_ENDS } from "./serializers/_held_frame_ends.ts";
import { FAR_END_HOLDS, type FarEndHold } from "./serializers/_far_end_holds.ts";
import { isMidSpeechMark } from "./serializers/_mid_speech_mark.ts";

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
  /**
   * How long sending may wait for the socket to drain before the peer is given up, and for an
   * asynchronous serializer's answer before the session ends.
   */
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
  /**
   * Whether the serializer's `peerCloses` was true already when the session began: a far end
   * that closes after our `end`, said once for the session (a fixed `true`), not one closing now
   * (Genesys's turns true only once its closing transaction has begun). Only the latter drops the
   * partial packet (see {@linkcode flushPackets}).
   */
  readonly #peerClosesFromStart: boolean;
  readonly #stats: TransportStats;
  readonly #addWavHeader: boolean;
  readonly #packetizer: Packetizer | undefined;
  readonly #maxBufferedBytes: number;
  readonly #onError: (error: TransportError) => void;
  /** For the parts made on first use: `#drainWait`, `#lateAnswers`. */
  readonly #clock: Clock;
  readonly #signal: AbortSignal;
  readonly #sendTimeoutMs: number;
  /**
   * At least the socket's `bufferedAmount` (but for an adapter's keep-alive ping, a few bytes):
   * what it said when last asked, plus everything sent since with its frame header; it only
   * shrinks as the socket writes. Reading it is a call into the runtime, and while this bound is
   * under the limit the real figure is too, so a send reads it only when the bound is over.
   */
  #unsentBound = 0;
  /**
   * Waits for the socket to drain once it is over the limit (see `#drain`). This, `#noMessages`
   * and `#lateAnswers` are made at their first use, off the per-chunk path: a session
   * whose socket keeps up, whose frames all have a message and whose serializer answers at once
   * (most) holds none of them, nor their callbacks (about 0.8 KB together).
   */
  #drainWait: DrainWait | undefined;
  /**
   * The format of the last chunk packetized: the format `#heldPcm` is in. The format alone, not
   * the chunk: its audio is a view of the bot's buffer (a frame sent as written) or of the
   * queue's one copy of a whole write, which a kept chunk would hold for as long as the
   * transport is kept, the session long over (an application's list of recent sessions).
   */
  #packetedFormat: PcmFormat | undefined;
  /**
   * The PCM bytes whose packets the packetizer holds: not sent yet, so not counted yet (they are
   * when their packet leaves, is refused, or is dropped by an interruption or the close). Never
   * the share of a chunk the serializer keeps as a partial frame (`#heldFrame`): that made no
   * wire bytes, and waits there (see `HeldFrameShare`), until the frame goes into packets with a
   * later chunk or the stretch's end.
   */
  #heldPcm = 0;
  /**
   * The part of `#heldPcm` a serializer's partial frame brought (`#heldFrame`, gone into packets):
   * placed on the playout timeline as sent with the chunk it came from, so not in
   * {@linkcode pendingPacketMs}.
   */
  #heldFramePcm = 0;
  /**
   * Chunks none of whose audio has left: wholly in the packetizer's partial packet (`#heldPcm`).
   * They count in `audioChunksSent` as the packet with their first bytes leaves (a chunk's are in
   * the first packet its push makes), never where it is dropped (see `TransportStats`).
   */
  #heldChunks = 0;
  /** The silence the last {@linkcode flushPackets} padded its packet with (see `paddedMs`). */
  #paddedMs = 0;
  /**
   * PCM bytes per wire byte of the last chunk packetized: what a packet's padding plays for.
   * Not the held packet's own ratio, which is none where it holds only the end of a stretch
   * (see {@linkcode audioEnds}), whose bytes carry no PCM of their own.
   */
  #pcmPerWireByte = 1;
  /**
   * Messages the socket refused or was found closed for, and their bytes, since the session began:
   * a caller compares them before and after its sends to count what it lost by what it carried.
   */
  #lostMessages = 0;
  #lostBytes = 0;
  /** Of `#lostBytes`, those of binary (audio) messages: a held frame's share of a loss. */
  #lostAudioBytes = 0;
  /**
   * The last encode error reported, while no frame has been encoded since: the same refusal
   * again (Twilio's before its start message, for every chunk) is counted, not reported again.
   */
  #refusal: string | undefined;
  /** The frames the protocol had no message for: counted, each type reported once. */
  #noMessages: NoMessageReports | undefined;
  /** The serializer's name, for reports. */
  readonly #serializerName: string;
  /** An asynchronous serializer's answers, each bounded by `sendTimeoutMs` (see `LateAnswers`). */
  #lateAnswers: LateAnswers | undefined;
  /**
   * The urgent frames whose answers are due, or come and waiting behind one that is, in the order
   * taken (see `UrgentLine`); `undefined` while none is (the usual case: then nothing waits).
   * Everything sent meanwhile leaves behind them.
   */
  #urgentLine: UrgentLine | undefined;
  /**
   * The urgent frames (held until sending begins, then sent out of band), and the serializer's
   * own messages held for the open: made with the sender, which is its host (see `UrgentSender`).
   */
  readonly #urgent: UrgentSender;
  /**
   * Messages the serializer has handed its context (`sendMessage`), whatever became of them (sent,
   * lost, held for the open or behind `#urgentLine`): read before a frame's `serialize` and once
   * its answer is taken, it tells whether the serializer sent one for the frame itself (see
   * `#transmitFrame`'s `sentItself`). For an answer that came later, any sent meanwhile counts:
   * a wrapper's inner serializer sends the frame's message so as the answer comes, and nothing
   * says whose a message is; a frame with no message is then not reported, rather than one whose
   * message left reported dropped.
   */
  #contextSends = 0;
  /**
   * A cancel was taken ({@linkcode sendFrame}): the session's end told the observers that the
   * chunk whose answer was due never leaves, so it does not (see `#audioAnswered`).
   */
  #cancelTaken = false;
  /** See {@linkcode messageFramesTaken}. */
  #messageFramesTaken = 0;
  /** See {@linkcode messageAnswersDue}. */
  #messageAnswersDue = 0;
  /** The last audio chunk's late answer refused it (see {@linkcode refusedLate}). */
  #refusedLate = false;
  /**
   * The serializer holds back a partial frame of the bot's speech (Vonage, Asterisk): what it
   * sends where a stretch ends is speech and padding, not filter state (see `HeldFrameEnds`), and
   * the share of each chunk it keeps is accounted apart (see `HeldFrameShare`).
   */
  readonly #heldFrame: HeldFrameShare | undefined;
  /** What the last stretch end sent plays beyond the audio placed with its chunks (`endExtraMs`). */
  #endExtraMs = 0;
  /**
   * Wire bytes of what the last stretch end sent beyond the held audio (`endExtraMs`) that the
   * packetizer's partial packet holds, and the bytes handed to the socket by then: the partial
   * packet that leaves with nothing handed over since (no chunk's packet took them) plays them.
   */
  #endExtraHeld = 0;
  #endExtraHeldAt = 0;
  /** What the last {@linkcode flushPackets} sent of that and its padding (`flushedPaddingMs`). */
  #flushedPaddingMs = 0;
  /** What the last bot's mark padded its partial frame with, sent (`takeMarkPaddedMs`). */
  #markPaddedMs = 0;
  /**
   * Milliseconds of the chunk an asynchronous serializer's answer is due for (0: none): placed on
   * the timeline and told to the observers as its send began, it never leaves where the session's
   * end comes first, nor, if it is speech (`#answerDueClears`), where an interruption's clear does
   * (see {@linkcode answerDueMs}). One at most: nothing after it is sent until it is answered.
   */
  #answerDueMs = 0;
  /** The chunk of `#answerDueMs` is dropped by an interruption's clear (`sendAudio`'s `clearDrops`). */
  #answerDueClears = false;
  /**
   * The bot's audio bytes the serializer counted dropped itself (`countDropped`): a chunk it
   * answers with no message is not sent where this grew meanwhile. Its own count alone: the
   * transport's drops (the queue a close or cancel drops while an asynchronous answer waits)
   * tell nothing of that chunk.
   */
  #serializerDropped = 0;
  /** Where the serializer's far end holds audio back after it left (see `FarEndHold`). */
  readonly farEndHold: FarEndHold | undefined;
  /** Clears of the far end's buffer so far (see {@linkcode farEndCleared}). */
  #farEndClears = 0;

  /** Makes a sender for one session. */
  constructor(options: OutboundSenderOptions) {
    const { socket, clock, stats, signal, sendTimeoutMs, onError } = options;
    this.#socket = socket;
    this.#serializer = options.serializer;
    this.#peerClosesFromStart = options.serializer.peerCloses === true;
    this.#stats = stats;
    this.#addWavHeader = options.addWavHeader;
    this.#packetizer = options.packetizer;
    this.#maxBufferedBytes = options.maxBufferedBytes;
    this.#onError = onError;
    this.#clock = clock;
    this.#signal = signal;
    this.#sendTimeoutMs = sendTimeoutMs;
    const heldFrameEnds = HELD_FRAME_ENDS.get(options.serializer);
    if (heldFrameEnds !== undefined) {
      this.#heldFrame = new HeldFrameShare(heldFrameEnds, {
        stats,
        packetizes: this.#packetizer !== undefined,
        onWireChangeDrop: (ms) => this.#wireChangeDropped(ms),
      });
      if (this.#packetizer !== undefined) {
        heldFrameEnds.partialPacketAtChange = this.#partialPacketAtChange;
      }
    }
    this.farEndHold = FAR_END_HOLDS.get(options.serializer);
    this.#serializerName = serializerName(options.serializer);
    this.#urgent = new UrgentSender(this);
  }

  /** The asynchronous serializer's answers, made at the first. */
  #answersLater(): LateAnswers {
    return this.#lateAnswers ??= new LateAnswers({
      clock: this.#clock,
      signal: this.#signal,
      sendTimeoutMs: this.#sendTimeoutMs,
      serializerName: this.#serializerName,
      closing: () => this.closing,
      checked: (result, frame) => this.#checked(result, frame),
      failed: (cause) => this.#encodeFailed(cause),
    });
  }

  /**
   * Serializes one audio chunk and sends it, packetized when a packetizer is set. Returns `false`
   * when it did not leave: the socket is not open, or the serializer refused it at once (its bytes
   * are counted in `audioBytesRefused`, the frame in `encodeErrors`). `clearDrops`: an
   * interruption's clear that leaves before the serializer's answer drops the chunk (see
   * {@linkcode farEndCleared}); false for background, which plays on through interruptions.
   */
  sendAudio(chunk: AudioFrame, clearDrops = true): Promise<void> | false | void {
    const stats = this.#stats;
    // Of this chunk only: a send answered at once may wait too (for the socket to drain), and a
    // refusal a late answer made earlier is no word on it (see `refusedLate`).
    this.#refusedLate = false;
    if (this.#socket.readyState !== ReadyState.OPEN) {
      stats.audioBytesDroppedOnClose += chunk.audio.length;
      return false;
    }
    const frame = this.#addWavHeader ? { ...chunk, audio: wrapWav(chunk.audio, chunk) } : chunk;
    // A serializer that drops audio itself counts it in `audioBytesRefused` (Genesys with no
    // session open) or `audioBytesDroppedOnClose` (Genesys's closing): such a chunk is not sent.
    const refused = this.#serializerDropped;
    // Background (no clear drops it) is told to the far end's hold while the serializer takes it
    // (see `FarEndHold.sendingBackground`); a chunk of speech pays a test, no call more.
    const hold = clearDrops ? undefined : this.farEndHold;
    const result = hold === undefined
      ? this.#serialize(frame)
      : this.#serializeBackground(frame, hold);
    if (result instanceof Promise) return this.#audioAnswered(chunk, result, clearDrops, refused);
    if (result === REFUSED) {
      stats.audioBytesRefused += chunk.audio.length;
      return false;
    }
    // Behind the urgent frames whose answers are due (see `#urgentLine`): it leaves after them,
    // as an answer that comes later does. Only there: on the usual path, one field read.
    if (this.#urgentLine !== undefined) {
      return this.#audioAnswered(chunk, result, clearDrops, refused);
    }
    return this.#transmitAudio(chunk, result, this.#put, refused);
  }

  /**
   * Sends `chunk` once the serializer's `answer` comes (see `sendAudio`), and once the urgent
   * frames taken before it have left (`#urgentLine` as it is taken: one taken later jumps ahead
   * of it only where its answer comes first), unless an interruption's clear overtook it and
   * `clearDrops` (see `dropClearedAnswer`); tells the far end's hold, and keeps the chunk's
   * milliseconds as due ({@linkcode answerDueMs}) meanwhile.
   */
  #audioAnswered(
    chunk: AudioFrame,
    answer: Promise<Outcome> | Serialized,
    clearDrops: boolean,
    refused: number,
  ): Promise<void> {
    const clears = this.#farEndClears;
    // What the serializer counted for it reaches its far end only with the answer, if at all.
    const hold = this.farEndHold;
    hold?.answerDue();
    // Background too: its answer, as speech's, never leaves once the session has ended.
    this.#answerDueMs = durationMs(chunk.audio.length, chunk);
    this.#answerDueClears = clearDrops;
    // Taken behind urgent frames whose answers are due: it leaves after them.
    const line = this.#urgentLine;
    const answered = (messages: Outcome): Promise<void> | void =>
      line === undefined ? leaves(messages) : line.behind(() => leaves(messages));
    const leaves = (messages: Outcome): Promise<void> | void => {
      this.#answerDueMs = 0;
      // Refused now (or the session ended): placed on the timeline as its send began, it
      // never left (see `refusedLate`).
      this.#refusedLate = messages === REFUSED || messages === ENDED;
      hold?.answered(this.#refusedLate);
      // At the close, it is lost as any late answer is (`#transmitAudio` counts it).
      if (
        messages !== REFUSED && messages !== ENDED && this.#socket.readyState === ReadyState.OPEN
      ) {
        // A cancel was taken while it waited (behind an urgent answer due, or for its own): the
        // session's end told it never left, and it is not an interruption's to count.
        if (this.#cancelTaken) {
          return dropUnsentAnswer(this.#stats, "audioBytesDroppedOnClose", chunk, messages, hold);
        }
        // An interruption's clear left while the serializer worked: dropped.
        if (clearDrops && this.#farEndClears !== clears) {
          return dropUnsentAnswer(this.#stats, "audioBytesInterrupted", chunk, messages, hold);
        }
      }
      return this.#transmitAudio(chunk, messages, this.#transmit, refused);
    };
    // Only an answer that came later, or one now behind `#urgentLine`: a promise either way.
    return answer instanceof Promise ? answer.then(answered) : answered(answer) as Promise<void>;
  }

  /**
   * Whether the last audio chunk, whose {@linkcode sendAudio} returned a promise, was refused by
   * the serializer's late answer (its promise rejected, or answered with no message; counted in
   * `audioBytesRefused` and `encodeErrors`) or dropped by the session's end before it: placed on
   * the playout timeline as its send began, it never left. Read once that send is over (the
   * pump's `#leftOnAnswer`); false until then, for such a chunk that left, and for a chunk the
   * serializer answered at once (whose send may still wait, for the socket to drain).
   */
  get refusedLate(): boolean {
    return this.#refusedLate;
  }

  /** Whether the serializer takes the end of a stretch of audio (`FrameSerializer.audioEnds`). */
  get takesAudioEnds(): boolean {
    return this.#serializer.audioEnds !== undefined;
  }

  /**
   * A stretch of the bot's audio has ended (see `FrameSerializer.audioEnds`; `playing`: the far
   * end plays it on): the serializer's last messages for it leave at once, after its last chunk,
   * binary ones through the packetizer, where they join the packet that chunk began. They carry
   * what it held of chunks counted sent as they left: counted in messages and bytes out like any
   * message, not again in `audioBytesSent`; where the socket is not open the serializer is told
   * nothing plays on and drops it, filter state, not queued audio lost. But for a serializer that
   * holds back a partial frame of the bot's speech (Vonage, Asterisk: `HeldFrameEnds`): it drops
   * that frame itself, counted in `audioBytesDroppedOnClose` (moved off `audioBytesSent`, which
   * counted it with its chunk). Never waits for the socket to drain: the next send looks (they
   * are a few bytes).
   */
  audioEnds(playing: boolean): void {
    this.#endExtraMs = 0;
    const open = this.#socket.readyState === ReadyState.OPEN;
    const heldFrame = this.#heldFrame;
    if (!open && heldFrame !== undefined) return heldFrame.ends.dropEnd();
    let result: unknown;
    try {
      result = this.#serializer.audioEnds?.(playing && open) ?? null;
    } catch (cause) {
      this.#encodeFailed(cause, "end a stretch of audio (audioEnds)");
      return;
    }
    const messages = this.#checked(result, STRETCH_END);
    if (messages === REFUSED || messages === null || !open) return;
    // The partial frame the serializer held goes with them (`HeldFrameShare`).
    const stats = this.#stats;
    const released = heldFrame === undefined ? 0 : heldFrame.released();
    const lost = this.#lostBytes;
    const packetizer = this.#packetizer;
    if (packetizer === undefined) {
      const lostAudio = this.#lostAudioBytes;
      if (Array.isArray(messages)) { for (const message of messages) this.#put(message); }
      else this.#put(messages);
      // Counted sent with its chunk: what of it the socket refused was not.
      this.#countReleased(released, messages, lostAudio);
      // Gone straight to the socket: its padding plays after the stretch (see `endExtraMs`).
      if (this.#lostAudioBytes === lostAudio) {
        this.#endExtraMs = heldFrame?.ends.endExtraMs() ?? 0;
      }
      return;
    }
    const pending = packetizer.pendingBytes;
    const heldPcm = this.#heldPcm;
    const run = this.#packetRun(this.#put);
    let pushed = 0;
    if (Array.isArray(messages)) {
      for (const message of messages) pushed += this.#transmitAudioMessage(message, run.send);
    } else {
      pushed = this.#transmitAudioMessage(messages, run.send);
    }
    // No binary message: no partial frame went (nothing was released), or, were one to go as
    // text, it has left.
    if (pushed === 0) {
      stats.audioBytesSent += released;
      return;
    }
    const heldFrames = heldFrame?.ends;
    if (heldFrames !== undefined && this.#lostBytes === lost) {
      // What they send beyond the held audio ends them: the part of it the packetizer holds
      // goes with its partial packet (see `flushedPaddingMs`), the rest left in whole packets.
      const extra = heldFrames.endExtraBytes();
      const held = Math.min(extra, packetizer.pendingBytes);
      this.#endExtraMs = heldFrames.wireMs(extra - held);
      this.#endExtraHeld = held;
      this.#endExtraHeldAt = stats.bytesOut + this.#lostBytes;
    }
    // No chunk's PCM comes with them but the partial frame's, uncounted yet: a packet they
    // complete takes the PCM held for it.
    const padded = heldFrames?.endPaddedBytes() ?? 0;
    const leaving = this.#leavingPcm(
      released,
      released,
      pushed,
      pending,
      packetizer.pendingBytes,
      padded,
    );
    if (leaving === 0) return;
    // The packets carry the audio the packetizer held (`heldPcm` in its `pending` bytes), then
    // the partial frame's speech (`released`), then padding: each part loses its refused bytes.
    const speechEnd = pending + pushed - padded;
    const lostHeld = pending > 0 ? (run.lostWithin(0, pending) * heldPcm) / pending : 0;
    const lostSpeech = speechEnd > pending
      ? (run.lostWithin(pending, speechEnd) * released) / (speechEnd - pending)
      : 0;
    const dropped = Math.min(leaving, Math.round(lostHeld + lostSpeech));
    // The chunks the packetizer held whole began the first packet that left.
    countAudio(stats, leaving, leaving - dropped, dropped, this.#takeHeldChunks());
  }

  /**
   * Whether the serializer pads and sends the partial frame it holds of the bot's speech
   * (`HeldFrameEnds`) as it answers `frame`: a mark that is not one of the transport's
   * mid-speech playout marks (see `isMidSpeechMark`). Its messages go straight to the socket.
   */
  padsHeldFrameAt(frame: Frame): boolean {
    return this.#heldFrame !== undefined && frame.type === "mark" &&
      !isMidSpeechMark(frame.name);
  }

  /**
   * Whether the serializer holds back a partial frame of the bot's speech (Vonage, Asterisk:
   * `HeldFrameEnds`), which it pads and sends at a mark that is not mid-speech, or at a stretch's
   * end ({@linkcode audioEnds}).
   */
  get holdsPartialFrames(): boolean {
    return this.#heldFrame !== undefined;
  }

  /**
   * Milliseconds the messages of the last {@linkcode audioEnds} play at the far end beyond the
   * audio placed on the timeline with their chunks: the silence a whole-frame serializer padded
   * its last frame with (and its resampler's end), where they went straight to the socket or
   * in whole packets (the part the packetizer's partial packet holds: `flushedPaddingMs`); 0
   * otherwise (nothing sent, or lost).
   */
  get endExtraMs(): number {
    return this.#endExtraMs;
  }

  /**
   * The session is over: a serializer that holds back a partial frame of the bot's speech drops
   * it, counted in `audioBytesDroppedOnClose` (see {@linkcode audioEnds}); it never leaves now.
   */
  dropHeldFrames(): void {
    this.#heldFrame?.ends.dropEnd();
  }

  /**
   * The serializer drops audio it took and held (`SerializerContext.count` with `held`), `amount`
   * of the bot's bytes by its count: counted in `counter`, and taken off `audioBytesSent`, which
   * counted it as the serializer took it. For a serializer that holds back a partial frame of the
   * bot's speech (`HeldFrameEnds`), exactly the bytes taken for it (see
   * `HeldFrameShare.countDrop`). Another serializer's figure is taken as it is (never below none
   * sent).
   */
  countHeldDrop(counter: SerializerCounter, amount: number): void {
    if (this.#heldFrame !== undefined) return this.#heldFrame.countDrop(counter);
    const stats = this.#stats;
    stats[counter] += amount;
    stats.audioBytesSent -= Math.min(amount, stats.audioBytesSent);
  }

  /**
   * The serializer counts `amount` bytes of the bot's audio it was handed as dropped (`counter`:
   * `audioBytesRefused`, `audioBytesDroppedOnClose`), not from what it held: see
   * `#serializerDropped`.
   */
  countDropped(counter: "audioBytesRefused" | "audioBytesDroppedOnClose", amount: number): void {
    this.#stats[counter] += amount;
    this.#serializerDropped += amount;
  }

  /**
   * Counts the `released` bytes of the serializer's partial frame a frame's messages carried
   * (`HeldFrameShare.released`) by what became of them; `lostAudio`: `#lostAudioBytes` before
   * they went.
   */
  #countReleased(released: number, messages: Serialized | symbol, lostAudio: number): void {
    if (released > 0) {
      this.#heldFrame!.countReleased(released, messages, this.#lostAudioBytes - lostAudio);
    }
  }

  /**
   * Told the milliseconds of audio placed on the playout timeline with their chunks that will
   * never leave, at a change of the wire's format (see `#partialPacketAtChange`): set by the pump,
   * which takes them off it.
   */
  heldAudioDropped: (ms: number) => void = () => {};

  /**
   * Told `ms` of audio placed on the playout timeline with its chunks (observers told of it with
   * them) will never leave: the packetizer's partial packet dropped (`lastPacket` "drop", a far
   * end closing the session, a change of the wire's format). Called before the timeline takes it
   * back, so the dropped audio is the last `ms` sent: set by the outbound path, which tells the
   * observers that nothing past it was heard (`SessionObserver.outboundDropped`: else a recorder
   * has it where it never played, and the next audio is told at the positions it held).
   */
  placedAudioDropped: (ms: number) => void = () => {};

  /**
   * The wire's format changes mid-call (`HeldFrameEnds.partialPacketAtChange`): the packetizer's
   * partial packet, in the old format, is taken back rather than left to play in the new one.
   * `carried`: its bytes go back to the serializer, in front of its partial frame, so its PCM
   * joins that frame's share (`HeldFrameShare`), placed on the timeline as it was (the serializer
   * makes it as long in the new format). Otherwise it is dropped, counted in `audioBytesRefused`,
   * and comes off the timeline with the frame the serializer drops with it (`heldAudioDropped`).
   */
  #partialPacketAtChange = (carried: boolean): Uint8Array => {
    let bytes = NO_BYTES;
    // "short": the bytes as they are, taken rather than sent.
    this.#packetizer!.flush((rest) => bytes = rest.slice(), "short");
    const pcm = this.#heldPcm;
    const heldMs = this.heldAudioMs;
    this.#heldPcm = this.#heldFramePcm = this.#endExtraHeld = 0;
    if (carried) {
      this.#heldFrame!.bytes += pcm;
      return bytes;
    }
    this.#stats.audioBytesRefused += pcm;
    this.#heldChunks = 0; // dropped whole: never sent (carried, they go with the next packet)
    this.#packetDropped(bytes.length);
    this.#wireChangeDropped(heldMs);
    return NO_BYTES;
  };

  /**
   * `ms` of audio placed on the timeline with their chunks are dropped at a change of the wire's
   * format: the last placed (what the serializer and the packetizer held back). The observers
   * are told, and the pump takes them off the timeline.
   */
  #wireChangeDropped(ms: number): void {
    if (!(ms > 0)) return;
    this.placedAudioDropped(ms);
    this.heldAudioDropped(ms);
  }

  /**
   * Tells the serializer that the last `bytes` of the binary messages it returned never left
   * (`FrameSerializer.partialPacketDropped`): one that counts what it sent (Genesys) takes them
   * back. Only where a partial packet is dropped: nothing per chunk.
   */
  #packetDropped(bytes: number): void {
    const serializer = this.#serializer;
    if (bytes === 0 || serializer.partialPacketDropped === undefined) return;
    try {
      serializer.partialPacketDropped(bytes);
    } catch (cause) {
      this.#encodeFailed(cause, "take back a dropped packet (partialPacketDropped)");
    }
  }

  /**
   * `message` frames {@linkcode sendFrame} has taken: all come from the transport's queue, in
   * order, so fewer than were queued means one still waits there (`OutboundPath.overtakes`).
   */
  get messageFramesTaken(): number {
    return this.#messageFramesTaken;
  }

  /**
   * The session is over, or its socket closing (closed from this side, or after a set-up that
   * failed): nothing handed over now can leave. An urgent frame taken now, before any could
   * leave (see {@linkcode urgentMayLeave}), is too late, dropped before the serializer sees it.
   */
  get closing(): boolean {
    const state = this.#socket.readyState;
    return this.#signal.aborted || state === ReadyState.CLOSING || state === ReadyState.CLOSED;
  }

  /**
   * `message` frames taken ({@linkcode sendFrame}, {@linkcode sendUrgent}) whose asynchronous
   * serializer's answer has not come: they have not left, and a message sent at once meanwhile
   * would land before them where its answer came first (`OutboundPath.overtakes`). Every answer
   * comes (`LateAnswers.of` settles on the answer, a rejection, its bound or the session's end).
   */
  get messageAnswersDue(): number {
    return this.#messageAnswersDue;
  }

  /** Serializes a frame that keeps its place after the audio before it, and sends it. */
  sendFrame(frame: Frame): Promise<void> | void {
    const message = frame.type === "message";
    if (message) this.#messageFramesTaken++;
    if (this.#socket.readyState !== ReadyState.OPEN) {
      this.#stats.framesDroppedOnClose++;
      return;
    }
    // A cancel hangs up now, dropping what is queued: it waits for no urgent answer still due (up
    // to `sendTimeoutMs`, to end the session with that bound's 1011, not its own close code).
    // Those are dropped, counted; what they held back leaves before it, as it would have before
    // any such wait (see `UrgentLine.dropDue`).
    if (frame.type === "cancel") {
      this.#cancelTaken = true;
      this.#urgentLine?.dropDue();
      // The answers due never leave now: their `sendTimeoutMs` bounds go with them (else one
      // passing while the cancel's close waits reports a dropped frame as a serializer failure).
      this.#lateAnswers?.dropDue();
    }
    const counted = this.#stats.encodeErrors;
    const sends = this.#contextSends;
    const result = this.#serialize(frame);
    if (result instanceof Promise) {
      if (message) this.#messageAnswersDue++;
      const leaves = (messages: Outcome): Promise<void> | void => {
        if (message) this.#messageAnswersDue--;
        // Read once it has answered: it may only then have taken the frame it held.
        const released = this.#heldFrame?.released() ?? 0;
        // Read as it answered: its message may have gone through the context as it came.
        const sentItself = this.#contextSends !== sends;
        if (this.#transmitAnswer(frame, messages, this.#transmit, counted, sentItself, released)) {
          return this.#drain();
        }
      };
      // Taken behind urgent frames whose answers are due: it leaves after them (`#urgentLine`).
      const line = this.#urgentLine;
      if (line === undefined) return result.then(leaves);
      return result.then((messages) => line.behind(() => leaves(messages)));
    }
    const sentItself = this.#contextSends !== sends;
    // A mark's or an `end`'s padded partial frame: counted once its messages are handed over.
    const released = this.#heldFrame?.released() ?? 0;
    const line = this.#urgentLine;
    if (line !== undefined && result !== REFUSED) {
      // Behind the urgent frames whose answers are due: it leaves after them, as a later answer.
      if (message) this.#messageAnswersDue++;
      return line.behind(() => {
        if (message) this.#messageAnswersDue--;
        if (this.#transmitAnswer(frame, result, this.#transmit, counted, sentItself, released)) {
          return this.#drain();
        }
      });
    }
    if (this.#transmitAnswer(frame, result, this.#put, counted, sentItself, released)) {
      return this.#drain();
    }
  }

  /**
   * Sends the serializer's answer to `frame`, now or later alike (`send`: `#put` for an answer
   * now, `#transmit` for one that came later), and counts the partial frame it carries
   * (`released`); returns whether any message was handed to the socket. A bot's mark's padded
   * frame goes in packets where a packetizer is set; the padding that left is told in
   * {@linkcode takeMarkPaddedMs}.
   */
  #transmitAnswer(
    frame: Frame,
    messages: Outcome,
    send: Send,
    counted: number,
    sentItself: boolean,
    released: number,
  ): boolean {
    const padsHeldFrame = released > 0 && this.padsHeldFrameAt(frame);
    if (padsHeldFrame && this.#packetizer !== undefined) {
      return this.#transmitPaddedFrame(frame, messages, send, counted, sentItself, released);
    }
    const lostAudio = this.#lostAudioBytes;
    const sent = this.#transmitFrame(frame, messages, send, counted, sentItself);
    this.#countReleased(released, messages, lostAudio);
    // A mark's padding plays after the speech before it, unless the socket refused it.
    if (padsHeldFrame && sent && this.#lostAudioBytes === lostAudio) {
      const ends = this.#heldFrame!.ends;
      this.#markPaddedMs = ends.wireMs(ends.endPaddedBytes());
    }
    return sent;
  }

  /**
   * Milliseconds of silence the serializer padded its partial frame with at a bot's mark
   * (`padsHeldFrameAt`), sent and not taken yet: they play after the speech before the mark,
   * ahead of whatever follows. Taken once (0 after), once the mark's answer has left: at once,
   * or later from a serializer that answers later.
   */
  takeMarkPaddedMs(): number {
    const ms = this.#markPaddedMs;
    this.#markPaddedMs = 0;
    return ms;
  }

  /**
   * A bot's mark's messages where a packetizer is set (`padsHeldFrameAt`): the serializer's
   * padded frame goes in fixed-size packets, as all binary audio does, its last packet padded
   * (a mark ends no reply: never dropped) before the mark's own text, which follows all the
   * audio before it. The packet the audio before it waited in went first (the pump flushed it).
   * The bot's `released` bytes the frame carries are counted by what became of the packets that
   * carry them, and the padding that left is told in `takeMarkPaddedMs`.
   */
  #transmitPaddedFrame(
    frame: Frame,
    messages: Outcome,
    send: Send,
    counted: number,
    sentItself: boolean,
    released: number,
  ): boolean {
    if (messages === REFUSED || messages === ENDED || messages === null) {
      const sent = this.#transmitFrame(frame, messages, send, counted, sentItself);
      this.#countReleased(released, messages, this.#lostAudioBytes);
      return sent;
    }
    const packetizer = this.#packetizer!;
    const lost = this.#lostMessages;
    // The bot's speech is the front of the frame's wire bytes, padding the rest.
    const ends = this.#heldFrame!.ends;
    const speech = audioBytesOf(messages) - ends.endPaddedBytes();
    const run = this.#packetRun(send);
    for (const message of Array.isArray(messages) ? messages : [messages]) {
      if (typeof message !== "string") {
        packetizer.push(message, run.send);
        continue;
      }
      packetizer.flush(run.send, "pad");
      send(message);
    }
    packetizer.flush(run.send, "pad");
    if (this.#lostMessages !== lost) this.#stats.framesDroppedOnClose++;
    const lostSpeech = run.lostWithin(0, speech);
    countAudio(this.#stats, released, speech - lostSpeech, lostSpeech, this.#takeHeldChunks());
    // Its padding and its last packet's play after the speech before the mark, but for what
    // the socket refused.
    const padding = run.bytes - speech - run.lostWithin(speech, run.bytes);
    this.#markPaddedMs = ends.wireMs(padding);
    return true;
  }

  /**
   * A send for a run of packets whose parts count their refused bytes apart (see `PacketRun`):
   * at a stretch's end or a bot's mark only, never per chunk. `send`: `#put`, or `#transmit` for
   * an answer that came later.
   */
  #packetRun(send: Send): PacketRun {
    return new PacketRun(send, () => this.#lostAudioBytes);
  }

  /** See `UrgentSender.sendUrgent`. */
  sendUrgent(frame: Frame): boolean {
    return this.#urgent.sendUrgent(frame);
  }

  /** See `UrgentSender.sendClear`. */
  sendClear(): boolean | Promise<ClearFate> {
    return this.#urgent.sendClear();
  }

  /** Every urgent answer in `line` has left: what is sent now leaves at once again. */
  #urgentLineDrained(line: UrgentLine): void {
    if (this.#urgentLine === line) this.#urgentLine = undefined;
  }

  /** The socket has not opened yet: nothing sent on it now could leave. */
  get connecting(): boolean {
    return this.#socket.readyState === ReadyState.CONNECTING;
  }

  /** See `UrgentSender.urgentMayLeave`. */
  get urgentMayLeave(): boolean {
    return this.#urgent.urgentMayLeave;
  }

  /** See `UrgentSender.releaseUrgent`. */
  releaseUrgent(): void {
    this.#urgent.releaseUrgent();
  }

  /** See `UrgentSender.dropHeldUrgent`. */
  dropHeldUrgent(): void {
    this.#urgent.dropHeldUrgent();
  }

  /**
   * Sends one serialized message at once (a serializer's own, through its context); counted lost
   * if it is. On a socket still connecting it waits for the open (see `UrgentSender`). While urgent
   * answers are due (`#urgentLine`) it waits in that line, after all taken before it
   * (`UrgentLine.own`): it never overtakes an answer made before it and still in the line (a
   * wrapper whose inner serializer, called once the wrapper's own work is done, returns one
   * frame's message and sends the next one's through the context, as Genesys does), nor an urgent
   * frame taken before it; the serializer's messages keep the order it made them in. Whose message
   * it is, nothing says: where the serializer makes a frame's message only after the urgent frames
   * taken after that frame (a wrapper that answers out of order), it leaves after them.
   */
  sendMessage(message: SerializedMessage): void {
    this.#contextSends++;
    this.#urgent.sendOwn(message);
  }

  /**
   * Sends the packetizer's partial last packet as its `lastPacket` policy says; dropped by that
   * policy, its PCM bytes are counted in `audioBytesDroppedOnClose`. Dropped so too once the far
   * end is closing the session itself (`peerCloses` turned true: Genesys after its `close`,
   * answered): no audio may follow the close transaction, and the packet was serialized before
   * it. A `peerCloses` true from the session's start drops nothing here.
   * Returns the milliseconds of audio dropped so (0: sent, or nothing held): they were placed on
   * the timeline with their chunk, and never leave, so the caller takes them off it again.
   * `midSpeech`: a bot's mark ends the packet, not the stretch: padded where the policy drops
   * (`"drop"` is for a stretch's end; the serializer pads its own partial frame there too).
   */
  flushPackets(midSpeech = false): number {
    this.#paddedMs = this.#flushedPaddingMs = 0;
    const packetizer = this.#packetizer;
    if (packetizer === undefined || packetizer.pendingBytes === 0) return 0;
    const endExtra = this.#stats.bytesOut + this.#lostBytes === this.#endExtraHeldAt
      ? this.#endExtraHeld
      : 0;
    this.#endExtraHeld = 0;
    // All of its PCM, a partial frame's share too: each was placed on the timeline with its chunk.
    const format = this.#packetedFormat;
    const pcm = this.#heldPcm;
    const heldMs = format === undefined ? 0 : durationMs(pcm, format);
    this.#heldPcm = this.#heldFramePcm = 0;
    // Fixed from the start it says only what follows our `end`: no reason to drop the audio of a
    // reply mid-call (the packet before an `end` is flushed before the `end` is serialized).
    if (this.#serializer.peerCloses === true && !this.#peerClosesFromStart) {
      const bytes = packetizer.pendingBytes;
      packetizer.clear();
      this.#heldChunks = 0;
      this.#packetDropped(bytes);
      this.#stats.audioBytesDroppedOnClose += pcm;
      if (heldMs > 0) this.placedAudioDropped(heldMs);
      return heldMs;
    }
    const left = this.#stats.bytesOut;
    const lost = this.#lostBytes;
    const heldBytes = packetizer.pendingBytes;
    let paddingBytes = 0;
    const dropped = packetizer.flush((packet) => {
      // The wire's bytes past the audio's are padding, as long to play, byte for byte, as the
      // audio's (the held bytes may be a stretch's end alone, with no PCM counted for them).
      paddingBytes = packet.length - heldBytes;
      if (paddingBytes > 0 && format !== undefined) {
        this.#paddedMs = durationMs(paddingBytes * this.#pcmPerWireByte, format);
      }
      this.#transmit(packet);
    }, midSpeech && packetizer.lastPacket === "drop" ? "pad" : undefined);
    if (dropped > 0) {
      this.#heldChunks = 0;
      this.#packetDropped(dropped);
      this.#stats.audioBytesDroppedOnClose += pcm;
      if (heldMs > 0) this.placedAudioDropped(heldMs);
      return heldMs;
    }
    const chunks = this.#takeHeldChunks();
    countAudio(this.#stats, pcm, this.#stats.bytesOut - left, this.#lostBytes - lost, chunks);
    // Refused, the packet played nothing: none of its silence is placed.
    if (this.#lostBytes !== lost) return 0;
    // The serializer's bytes it held left now: mid-stream too, where background audio carries
    // the stream on and no `audioEnds` told it a stretch ended (Genesys stamps audio as its
    // packet leaves, and would otherwise stay a packet out of step).
    if (this.#serializer.partialPacketSent !== undefined) {
      try {
        this.#serializer.partialPacketSent(heldBytes);
      } catch (cause) {
        this.#encodeFailed(cause, "take a partial packet as sent (partialPacketSent)");
      }
    }
    if (this.#heldFrame !== undefined) {
      this.#flushedPaddingMs = this.#heldFrame.ends.wireMs(endExtra + paddingBytes);
    } else if (this.#serializer.playbackReports !== true) {
      this.#flushedPaddingMs = this.#paddedMs;
    }
    return 0;
  }

  /**
   * Milliseconds of silence the last {@linkcode flushPackets} sent in the packetizer's partial
   * packet, to be placed on the timeline after the audio placed with its chunks, which the far
   * end plays before anything sent next: the packet's own padding (`lastPacket` "pad", or at a
   * bot's mark) and, from a serializer that holds back a partial frame of the bot's speech
   * (`HeldFrameEnds`), what its last stretch end sent beyond the held audio (its padding: see
   * `endExtraMs`), if the packet held it. 0 if none, or if the socket refused the packet. Not
   * from a serializer whose far end reports its own playback (`playbackReports`): the tracker
   * takes its padding from `paddedMs`, and matches a report of the end of what left to the end of
   * a response's audio, which placed padding would move.
   */
  get flushedPaddingMs(): number {
    return this.#flushedPaddingMs;
  }

  /**
   * Milliseconds of silence the last flush of the packetizer's partial packet padded it with
   * (`lastPacket` "pad"), played after the audio it held; 0 if it padded none. A far end that
   * reports where its playback ran dry says so that much after the audio's end.
   */
  get paddedMs(): number {
    return this.#paddedMs;
  }

  /** Bytes held by the packetizer for a packet not yet whole. */
  get pendingPacketBytes(): number {
    return this.#packetizer?.pendingBytes ?? 0;
  }

  /**
   * Whether everything sent so far has left the process: the socket holds nothing unsent. Node's
   * `ws` writes a message as it is sent, the memory socket as the code that sent it yields;
   * Deno's socket holds it until the task that sent it ends, after every timer due in the same
   * millisecond has run. False where the socket does not say (no `bufferedAmount`: Workers' own
   * socket), and while a slow peer keeps bytes waiting: what was sent is then taken as still held.
   * (Hono's socket on Workers says 0: harmless, for the Workers clock stands still while code
   * runs, so no work there is ever long enough to ask.) A call into the runtime, so asked only
   * where a clock reading cannot tell (see `OutboundPump`).
   */
  get sentHasLeft(): boolean {
    return this.#socket.bufferedAmount === 0;
  }

  /** Whether binary audio messages are cut into fixed-size packets. */
  get packetizes(): boolean {
    return this.#packetizer !== undefined;
  }

  /** Whether the packetizer's partial packet plays once sent (`lastPacket` not "drop"). */
  get partialPacketPlays(): boolean {
    return this.#packetizer !== undefined && this.#packetizer.lastPacket !== "drop";
  }

  /** Milliseconds of audio in the packetizer's partial packet: its PCM bytes, in their format. */
  get pendingPacketMs(): number {
    const format = this.#packetedFormat;
    return format === undefined ? 0 : durationMs(this.#heldPcm - this.#heldFramePcm, format);
  }

  /**
   * Milliseconds of the bot's audio held back for the packetizer's partial packet: its PCM and,
   * behind it, the share of a chunk the serializer keeps as a partial frame (`HeldFrameShare`), which
   * goes out in packets after it. All of it was placed on the playout timeline with its chunks,
   * back to back before the next: where a packet leaves, what it held is placed anew from this.
   */
  get heldAudioMs(): number {
    const format = this.#packetedFormat;
    if (format === undefined) return 0;
    const heldFrame = this.#heldFrame;
    return durationMs(
      heldFrame === undefined ? this.#heldPcm : this.#heldPcm + heldFrame.bytes,
      format,
    );
  }

  /**
   * Milliseconds of the bot's audio placed on the playout timeline with its chunks (the observers
   * told of it with them) that has not left, at its end: {@linkcode heldAudioMs}; without a
   * packetizer the serializer's partial frame (`HeldFrameEnds`), which `heldAudioMs` leaves out;
   * and the partial frame the serializer dropped since {@linkcode neverLeftTold} (an interruption's
   * clear, a cancel: it drops it as it serializes them, before the transport reads this).
   * Read where what is held is dropped, to tell the observers what never left (a recorder erases
   * it, `voice.outbound.audio` takes it back, as `audioBytesSent` did).
   */
  get neverLeftMs(): number {
    const heldFrame = this.#heldFrame;
    return heldFrame === undefined ? this.heldAudioMs : this.heldAudioMs + heldFrame.unsentMs;
  }

  /**
   * Milliseconds of the chunk whose asynchronous answer is still due, speech or background: the
   * last placed on the playout timeline, after {@linkcode neverLeftMs}. It never leaves where the
   * session ends first (the answer comes to a closed socket); the pump's wait for it then ends at
   * the cut, untold, so the one who cuts tells it. An interruption's clear drops only speech's:
   * {@linkcode clearedAnswerDueMs}.
   */
  get answerDueMs(): number {
    return this.#answerDueMs;
  }

  /**
   * Of {@linkcode answerDueMs}, what an interruption's clear that goes first drops (the answer is
   * dropped as it comes: `farEndCleared`): a speech chunk's; 0 for background, which plays on.
   */
  get clearedAnswerDueMs(): number {
    return this.#answerDueClears ? this.#answerDueMs : 0;
  }

  /**
   * The observers were told of {@linkcode neverLeftMs} (a partial frame dropped is told once),
   * and, `answerDue`, of {@linkcode answerDueMs}.
   */
  neverLeftTold(answerDue: boolean): void {
    if (this.#heldFrame !== undefined) this.#heldFrame.droppedMs = 0;
    if (answerDue) this.#answerDueMs = 0;
  }

  /**
   * An interruption's clear has gone to the far end, which drops what it had buffered: an
   * asynchronous serializer's answer for audio asked for before it is dropped when it comes
   * (counted in `audioBytesInterrupted`), unless that audio goes on regardless (`sendAudio`'s
   * `clearDrops` false: background).
   */
  farEndCleared(): void {
    this.#farEndClears++;
  }

  /** The chunks the packetizer held whole (`#heldChunks`), now that their first bytes left. */
  #takeHeldChunks(): number {
    const chunks = this.#heldChunks;
    this.#heldChunks = 0;
    return chunks;
  }

  /**
   * Drops the packetizer's partial packet (on interruption, at the close); returns the PCM bytes
   * it held, for the caller to count as it drops them.
   */
  clearPackets(): number {
    this.#packetizer?.clear();
    this.#endExtraHeld = this.#heldChunks = 0;
    const pcm = this.#heldPcm;
    this.#heldPcm = this.#heldFramePcm = 0;
    return pcm;
  }

  /**
   * Sends a chunk's messages and counts its PCM bytes once they left (see `countAudio`); the
   * bytes of a packet not yet whole wait in `#heldPcm`. A chunk the serializer answered with no
   * message it holds (whole frames, a resampler filling up) and sends with later audio: it counts
   * as sent now, unless the serializer counted it dropped (`refused`: `#serializerDropped`
   * before).
   */
  #transmitAudio(
    chunk: AudioFrame,
    messages: Outcome,
    send: Send,
    refused: number,
  ): Promise<void> | void {
    const stats = this.#stats;
    let pcm = chunk.audio.length;
    if (messages === REFUSED) {
      stats.audioBytesRefused += pcm;
      return;
    }
    if (messages === ENDED) {
      stats.audioBytesDroppedOnClose += pcm;
      return;
    }
    // The share the serializer keeps as a partial frame (`HeldFrameEnds`) made no wire bytes:
    // never among the packetizer's, or it would be counted again where the serializer drops the
    // frame (an interruption, a cancel) as the packetizer's are. Without a packetizer it counts
    // sent now, with its chunk; with one it waits, uncounted, and joins this chunk's bytes when
    // it goes out with them (see `HeldFrameShare`).
    let heldBefore = 0;
    const heldFrame = this.#heldFrame;
    if (heldFrame !== undefined) {
      heldBefore = heldFrame.bytes;
      pcm -= heldFrame.take(chunk, pcm);
    }
    if (messages === null) {
      if (this.#serializerDropped === refused) countAudio(stats, pcm, 0, 0, 1);
      return;
    }
    const left = stats.bytesOut;
    const lost = this.#lostBytes;
    // Read for a list of messages alone (text may come with the audio): see `countMixed`.
    let lostAudio = 0;
    let leaving = pcm;
    let pending = 0;
    let pushed = 0;
    // This chunk, and those the packetizer held whole: see `#heldChunks`.
    let chunks = 1;
    const packetizer = this.#packetizer;
    if (packetizer === undefined) {
      if (Array.isArray(messages)) {
        lostAudio = this.#lostAudioBytes;
        for (const message of messages) send(message);
      } else send(messages);
    } else {
      const format = this.#packetedFormat; // a new object only where the format changes
      if (format?.sampleRate !== chunk.sampleRate || format.channels !== chunk.channels) {
        this.#packetedFormat = { sampleRate: chunk.sampleRate, channels: chunk.channels };
      }
      pending = packetizer.pendingBytes;
      if (Array.isArray(messages)) {
        lostAudio = this.#lostAudioBytes;
        for (const message of messages) pushed += this.#transmitAudioMessage(message, send);
      } else {
        pushed = this.#transmitAudioMessage(messages, send);
      }
      if (pushed > 0) {
        this.#pcmPerWireByte = pcm / pushed;
        // The frame held before goes first (whole frames are only made once it is filled).
        const frame = Math.min(heldBefore, pcm);
        const held = packetizer.pendingBytes; // read once: a getter, on every chunk's path
        leaving = this.#leavingPcm(pcm, frame, pushed, pending, held);
        if (held === pending + pushed) {
          this.#heldChunks++; // no packet left: none of it has
          chunks = 0;
        } else if (this.#heldChunks !== 0) {
          // As `#takeHeldChunks`, inline: no call on every chunk's path for the rare case.
          chunks += this.#heldChunks;
          this.#heldChunks = 0;
        }
      }
    }
    const lostNow = this.#lostBytes - lost;
    if (lostNow !== 0 && Array.isArray(messages)) {
      // The binary bytes handed to the socket: the packets that left the packetizer, if any.
      const handed = packetizer === undefined
        ? audioBytesOf(messages)
        : pending + pushed - packetizer.pendingBytes;
      const lostBinary = this.#lostAudioBytes - lostAudio;
      countMixed(stats, leaving, handed, lostBinary, stats.bytesOut - left, lostNow, chunks);
    } else countAudio(stats, leaving, stats.bytesOut - left, lostNow, chunks);
    return this.#drain();
  }

  /**
   * Of `pcm` bytes whose message of `pushed` bytes went to the packetizer (holding `pending`
   * before, `held` now), the PCM bytes whose packets left now; the rest waits in `#heldPcm`.
   * `framePcm`: the part of `pcm` a serializer's partial frame brought, at its front.
   * `padded`: the silence at the message's end (a stretch end's padded frame), which carries none
   * of `pcm`: a remainder of padding alone holds no PCM (dropped by `lastPacket` "drop", it is
   * not the bot's audio).
   * Packets go out in order and the remainder is shorter than a packet: once one left, what the
   * packetizer held before has, and what it holds now is all of this message.
   */
  #leavingPcm(
    pcm: number,
    framePcm: number,
    pushed: number,
    pending: number,
    held: number,
    padded = 0,
  ): number {
    if (held === pending + pushed) {
      this.#heldPcm += pcm;
      this.#heldFramePcm += framePcm;
      return 0;
    }
    // Padding ends the message: the bytes held carry the PCM only beyond it.
    const audio = pushed - padded;
    const heldPcm = audio > 0 ? Math.round((Math.max(0, held - padded) * pcm) / audio) : 0;
    const leaving = this.#heldPcm + pcm - heldPcm;
    this.#heldPcm = heldPcm;
    // The frame's bytes came first: what is left of the message is the chunk's own, and only
    // then the frame's.
    this.#heldFramePcm = Math.max(0, heldPcm - (pcm - framePcm));
    return leaving;
  }

  /** Sends one audio message, binary ones through the packetizer; returns the bytes packetized. */
  #transmitAudioMessage(message: SerializedMessage, send: Send): number {
    // Only binary audio is packetized: cutting a text (JSON) message would corrupt it.
    if (typeof message !== "string") {
      this.#packetizer!.push(message, send);
      return message.length;
    }
    send(message);
    return 0;
  }

  /**
   * Sends a frame's messages; returns whether any were handed to the socket. One the socket
   * refused, or found closed, counts the frame in `framesDroppedOnClose`; a frame the protocol
   * has no message for is counted and reported (see `NoMessageReports`). `counted`: the encode
   * errors before the frame was serialized; `sentItself`: the serializer sent a message for it
   * through its context (Genesys numbers its messages so), or lost one there, counted by
   * `sendMessage`.
   */
  #transmitFrame(
    frame: Frame,
    messages: Outcome,
    send: Send,
    counted: number,
    sentItself: boolean,
  ): boolean {
    if (messages === REFUSED) return false;
    if (messages === ENDED) {
      this.#stats.framesDroppedOnClose++;
      return false;
    }
    if (messages === null) {
      if (!sentItself) {
        this.#noMessages ??= new NoMessageReports({
          stats: this.#stats,
          serializerName: this.#serializerName,
          onError: this.#onError,
        });
        this.#noMessages.noMessage(frame, counted);
      }
      return false;
    }
    const lost = this.#lostMessages;
    if (Array.isArray(messages)) { for (const message of messages) send(message); }
    else send(messages);
    if (this.#lostMessages !== lost) this.#stats.framesDroppedOnClose++;
    return true;
  }

  /**
   * {@linkcode #serialize} for a chunk of background audio, `hold` told so while the serializer
   * takes it (see `FarEndHold.sendingBackground`).
   */
  #serializeBackground(
    frame: Frame,
    hold: FarEndHold,
  ): Serialized | typeof REFUSED | Promise<Outcome> {
    hold.sendingBackground = true;
    try {
      return this.#serialize(frame);
    } finally {
      hold.sendingBackground = false; // an error listener that threw must not leave it set
    }
  }

  /**
   * The serializer's messages for `frame`, now when the serializer answers at once. A frame it
   * cannot encode, or answers with what is no message, is reported and counted: `REFUSED`, now or
   * later. Later, `ENDED` too: the session ended before the answer came.
   */
  #serialize(
    frame: Frame,
  ): Serialized | typeof REFUSED | Promise<Outcome> {
    let result: SerializeResult;
    try {
      // `?? null`: a serializer written in JavaScript may fall off its switch with `undefined`.
      result = this.#serializer.serialize(frame) ?? null;
    } catch (cause) {
      this.#encodeFailed(cause);
      return REFUSED;
    }
    // The usual answer, one message, known by a type check and no more.
    if (typeof result === "string" || result instanceof Uint8Array) {
      this.#refusal = undefined;
      return result;
    }
    if (result instanceof Promise) return this.#answersLater().of(result, frame);
    return this.#checked(result, frame);
  }

  /**
   * What the serializer answered, unless it is no message (see `messagesIn`): that is the
   * frame's encode error, reported and counted: `REFUSED`.
   */
  #checked(result: unknown, frame: Frame | typeof STRETCH_END): Serialized | typeof REFUSED {
    const messages = messagesIn(result);
    if (messages === NOT_A_MESSAGE) {
      this.#encodeFailed(
        new TransportError(
          "encode",
          notAMessageReport(result, { serializerName: this.#serializerName, frame }),
        ),
      );
      return REFUSED;
    }
    this.#refusal = undefined;
    return messages;
  }

  /** `failed`: what the serializer was asked to do (the report names it). */
  #encodeFailed(cause: unknown, failed = "write a frame"): void {
    this.#stats.encodeErrors++;
    // The frame is lost (counted); the session and the frames after it are not.
    const error = cause instanceof TransportError
      ? cause
      : new TransportError("encode", `serializer failed to ${failed}: ${thrownText(cause)}`, {
        cause,
      });
    // Refused again for the same reason, with nothing encoded since: one report a spell.
    if (error.message === this.#refusal) return;
    this.#refusal = error.message;
    this.#onError(error);
  }

  /**
   * Sends one message if the socket is still open, else notes it lost (its caller counts it, by
   * what it carried): for a message whose frame was checked in an earlier turn (an asynchronous
   * serializer's answer, a packet held back) or never (an urgent frame, a serializer's own reply).
   */
  #transmit = (message: SerializedMessage): void => {
    if (this.#socket.readyState !== ReadyState.OPEN) {
      this.#lost(message);
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
      // Refused (Bun's adapter throws when Bun drops a message): lost, as at the close.
      this.#lost(message);
      this.#onError(new TransportError("closed", `send failed: ${thrownText(cause)}`, { cause }));
      return;
    }
    this.#stats.messagesOut++;
    this.#stats.bytesOut += message.length;
  };

  /** Notes a message the socket refused or was found closed for. */
  #lost(message: SerializedMessage): void {
    this.#lostMessages++;
    this.#lostBytes += message.length;
    if (typeof message !== "string") this.#lostAudioBytes += message.length;
  }

  /**
   * Waits while the socket holds more than `maxBufferedBytes` unsent, at most `sendTimeoutMs`;
   * past that the peer is taken to have stopped reading and the session ends.
   */
  #drain(): Promise<void> | void {
    if (this.#unsentBound <= this.#maxBufferedBytes) return;
    const unsent = this.#socket.bufferedAmount ?? 0;
    this.#unsentBound = unsent;
    if (unsent <= this.#maxBufferedBytes) return;
    this.#drainWait ??= new DrainWait({
      socket: this.#socket,
      clock: this.#clock,
      signal: this.#signal,
      maxBufferedBytes: this.#maxBufferedBytes,
      sendTimeoutMs: this.#sendTimeoutMs,
      // The bound is the sender's: every message it puts adds to it (see `#put`).
      unsent: {
        read: () => this.#unsentBound,
        renew: (bytes) => {
          this.#unsentBound = bytes;
        },
      },
      onError: this.#onError,
    });
    return this.#drainWait.wait();
  }

  // The members below named `urgent…` are for `UrgentSender` only (see `UrgentHost`): it reaches
  // the sender's state through them, with no closure made per session.

  /** For `UrgentSender` only. */
  get urgentStats(): TransportStats {
    return this.#stats;
  }

  /** For `UrgentSender` only. */
  get urgentSocket(): WebSocketLike {
    return this.#socket;
  }

  /** For `UrgentSender` only. */
  get urgentAborted(): boolean {
    return this.#signal.aborted;
  }

  /** For `UrgentSender` only. */
  get urgentContextSends(): number {
    return this.#contextSends;
  }

  /** For `UrgentSender` only. */
  get urgentLostMessages(): number {
    return this.#lostMessages;
  }

  /** For `UrgentSender` only. */
  get urgentLostAudioBytes(): number {
    return this.#lostAudioBytes;
  }

  /** For `UrgentSender` only. */
  get urgentLine(): UrgentLine | undefined {
    return this.#urgentLine;
  }

  /** For `UrgentSender` only. */
  urgentLineTaken(): UrgentLine {
    const line: UrgentLine = this.#urgentLine ??= new UrgentLine(() =>
      this.#urgentLineDrained(line)
    );
    return line;
  }

  /** For `UrgentSender` only. */
  urgentAnswersDue(change: 1 | -1): void {
    this.#messageAnswersDue += change;
  }

  /** For `UrgentSender` only. */
  urgentSerialize(frame: Frame): Serialized | typeof REFUSED | Promise<Outcome> {
    return this.#serialize(frame);
  }

  /** For `UrgentSender` only. */
  urgentReleased(): number {
    return this.#heldFrame?.released() ?? 0;
  }

  /** For `UrgentSender` only. */
  urgentTransmit(frame: Frame, messages: Outcome, counted: number, sentItself: boolean): boolean {
    return this.#transmitFrame(frame, messages, this.#transmit, counted, sentItself);
  }

  /** For `UrgentSender` only. */
  urgentCountReleased(released: number, messages: Serialized | symbol, lostAudio: number): void {
    this.#countReleased(released, messages, lostAudio);
  }

  /** For `UrgentSender` only. */
  urgentDrain(): Promise<void> | void {
    return this.#drain();
  }

  /**
   * For `UrgentSender` only: hands a serializer's own message to the socket, the frame counted
   * dropped if it is lost.
   */
  urgentPutOwn(message: SerializedMessage): void {
    const lost = this.#lostMessages;
    this.#transmit(message);
    if (this.#lostMessages !== lost) this.#stats.framesDroppedOnClose++;
  }
}

/** No bytes: the partial packet, dropped or not held. */
const NO_BYTES = new Uint8Array(0);
