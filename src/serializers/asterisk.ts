/**
 * Asterisk's WebSocket channel driver, `chan_websocket` (Asterisk 20.16, 21.11, 22.6, 23.0 and
 * later): {@linkcode AsteriskSerializer}.
 *
 * @module
 */

import type { DtmfFrame, Frame, MarkFrame, MessageFrame, StartFrame } from "../frames.ts";
import type {
  FrameSerializer,
  SerializedMessage,
  SerializerAudioSetup,
  SerializerContext,
} from "../serializer.ts";
import { TransportError } from "../errors.ts";
import { isKeypadDigit } from "../_keypad_digits.ts";
import { isMidSpeechMark } from "./_mid_speech_mark.ts";
import { PLAYOUT_MARK_PREFIX } from "../playback.ts";
import {
  type AsteriskEvent,
  type AsteriskFormat,
  asteriskFormat,
  channelVariables,
  countField,
  optionalTextField,
  readAsteriskEvent,
  textField,
} from "./_asterisk_events.ts";
import { type AsteriskMediaDirection, AsteriskMediaPause } from "./_asterisk_media_pause.ts";
import { botCommand, commandText } from "./_asterisk_commands.ts";
import { describe, isObject } from "./telephony/_json_value.ts";
import { registerHeldFrames } from "./_held_frame_ends.ts";
import { type Silence, WholeFrames } from "./_whole_frames.ts";
import { type WireFormat, WrittenBytes } from "./_written_bytes.ts";
import { TelephonyAudio } from "./telephony/telephony_audio.ts";

export { ASTERISK_FORMATS, type AsteriskFormat } from "./_asterisk_events.ts";

const PROVIDER = "Asterisk";
/** "The maximum websocket message size the underlying websocket code can handle is 65500 bytes." */
const MAX_MESSAGE_BYTES = 65_500;
/** Mark names sent as they are; others travel under an id of ours (which starts with `#`). */
const PLAIN_ID = /^[A-Za-z0-9_.:\-]{1,64}$/;
/** How a passthrough channel (`p` dial option) refuses a command (chan_websocket.c `handle_command`). */
const PASSTHROUGH_REFUSAL = /not supported in passthrough mode/;
/**
 * How a channel whose media direction is "in" (the `d(in)` dial option, or `SET_MEDIA_DIRECTION`)
 * refuses the buffering, mark and pause commands (chan_websocket.c `handle_command`,
 * `ERROR_ON_INVALID_MEDIA_DIRECTION_RTN`; docs.asterisk.org, WebSocket, `SET_MEDIA_DIRECTION`).
 */
const DIRECTION_REFUSAL = /not supported while media direction is 'in'/;
/** Such a refusal of the command that carries a mark's id. */
const MARK_REFUSAL = /^(?:MARK_MEDIA|STOP_MEDIA_BUFFERING) /;
/**
 * Marks kept waiting for Asterisk's answer: the transport marks every `markIntervalMs` (250 by
 * default) of paced audio, so this is many seconds past what Asterisk has queued. Past it a far
 * end that never answers (a passthrough channel refuses every mark) would grow the list for the
 * whole call: the oldest is forgotten (a bot's counted, see `#forget`), and its answer, should it
 * come, is a `message` frame as any correlation id we did not send.
 */
const MAX_PENDING_MARKS = 64;
/**
 * Flushes kept waiting for the mark that confirms them (each holding the marks it discarded); past
 * it the oldest is forgotten, its marks with it (the bot's counted, see `#forget`), and its
 * confirmation is nothing for the bot.
 */
const MAX_PENDING_FLUSHES = 16;
/**
 * Mark commands kept waiting for the refusal they may draw: as many as marks and flush
 * confirmations are awaited (a passthrough channel refuses them with another error, so they stay).
 */
const MAX_REFUSABLE = MAX_PENDING_MARKS + MAX_PENDING_FLUSHES;
/**
 * What the transport's pause of sending waits on while the bot's `PAUSE_MEDIA` keeps back the
 * `MEDIA_XON` (see `#xonWaitChanged`), as its "timeout" error says: "… within <sendTimeoutMs> ms:
 * sending on".
 */
const CONTINUE_AWAITED = `${PROVIDER}: the bot's PAUSE_MEDIA held Asterisk's queue under ` +
  `MEDIA_XOFF (no MEDIA_XON comes before CONTINUE_MEDIA, and media past 1,000 queued frames is ` +
  `dropped) and no CONTINUE_MEDIA left`;
/** G.722's bytes a second: 64 kbit/s, one byte per tick of its 8 kHz RTP clock (RFC 3551 §4.5.2). */
const G722_BYTE_RATE = 8000;

/** How marks are acknowledged: see {@linkcode AsteriskSerializerOptions.marks}. */
export type AsteriskMarks = "auto" | "mark-media" | "buffering";

/** Options for {@linkcode AsteriskSerializer}. */
export interface AsteriskSerializerOptions {
  /**
   * The channel's format (`c(<format>)` in the dial string) until `MEDIA_START` names it: one of
   * {@linkcode ASTERISK_FORMATS}.
   *
   * @default {"ulaw"}
   */
  format?: string;
  /**
   * The control message format to write commands in: as Asterisk writes its events
   * (`"auto"`: plain text until `MEDIA_START`, then whatever it came in), or one from the start,
   * for commands sent before `MEDIA_START`. From `MEDIA_START` on commands go in its form either
   * way (Asterisk reads them only in the channel's): a forced one that differs is reported (a
   * "protocol" error).
   *
   * @default {"auto"}
   */
  controlFormat?: "auto" | "plain-text" | "json";
  /**
   * How outbound marks ask Asterisk to say when the audio before them has played:
   * - `"mark-media"`: `MARK_MEDIA <id>`, answered by `MEDIA_MARK_PROCESSED` (Asterisk 20.18,
   *   22.8, 23.2 and later);
   * - `"buffering"`: the audio between marks is a bulk transfer (`START_MEDIA_BUFFERING` …
   *   `STOP_MEDIA_BUFFERING <id>`), answered by `MEDIA_BUFFERING_COMPLETED` (every version
   *   with `chan_websocket`);
   * - `"auto"`: `"mark-media"` when Asterisk speaks JSON (which came in the same releases as
   *   `MARK_MEDIA`), `"buffering"` in plain text (the version cannot be told), and `"buffering"`
   *   too where the transport's `fixedAudioPacketSize` is not a multiple of the channel's
   *   `optimal_frame_size`: outside a bulk transfer Asterisk drops each packet's part of a frame.
   *
   * @default {"auto"}
   */
  marks?: AsteriskMarks;
  /**
   * Send `ANSWER` when `MEDIA_START` arrives, for channels dialled with the `n` option (no
   * auto-answer).
   *
   * @default {false}
   */
  answer?: boolean;
  /**
   * Send `HANGUP` on an `end` (after the audio has played) or `cancel` frame: Asterisk hangs up
   * the WebSocket channel and closes the socket. Off, the socket just closes, which hangs the
   * channel up as well.
   *
   * @default {true}
   */
  hangUp?: boolean;
}

/** One mark waiting for Asterisk: the name the bot gave it and the id it travels under. */
interface PendingMark {
  id: string;
  name: string;
  /**
   * Its command was refused for the media direction "in", and that refusal told of it (reported
   * or counted, see `#refused`; matched to it by `#refusedMark`): giving it up past a bound counts
   * it no more.
   */
  refused: boolean;
}

/**
 * Frames ⇄ Asterisk `chan_websocket` messages, as docs.asterisk.org describes the driver
 * (Configuration → Channel Drivers → WebSocket, February 2026), for either direction of the
 * connection: Asterisk dialling the bot (`Dial(WebSocket/<client>/c(ulaw))`, ARI
 * `externalMedia` with `transport=websocket`) or the bot connecting to Asterisk's `/media/<id>`.
 *
 * Inbound: BINARY messages are media in the channel's format (μ-law, A-law, G.722 — 16 kHz audio in
 * 160-byte 20 ms frames, one codec state per direction for the call — or signed linear at 8, 12,
 * 16, 24, 32, 44.1, 48, 96 or 192 kHz), decoded and resampled to the transport's input rate; TEXT
 * messages are control events, in the plain-text format or the JSON one (`control_message_format`,
 * Asterisk 20.18 / 22.8 / 23.2 and later), told apart per message. `MEDIA_START` → a `start` frame
 * (`streamId` the connection id, `callId` the channel's unique id, `params` the JSON form's
 * channel variables plus `channel`, `format`, `optimal_frame_size` and `ptime`) and sets the
 * format and frame size; a format this serializer cannot carry (opus, speex, …) is a decode
 * error naming the ones it can. `DTMF_END` → `dtmf`; `MEDIA_MARK_PROCESSED` and
 * `MEDIA_BUFFERING_COMPLETED` for one of our marks → that `mark`; `MEDIA_XOFF` / `MEDIA_XON`
 * pause and resume the transport's sending (nothing is dropped; counted in
 * `stats.sendPauses`); `ERROR` is reported as a "protocol" error (a passthrough channel's refusals
 * once, those of a channel whose media direction is "in" once a spell, the rest counted in
 * `stats.encodeErrors`); anything else (`STATUS`,
 * `QUEUE_DRAINED`, later events) → a `message` frame holding the event and its parameters.
 * Asterisk sends no goodbye: the socket closing is the end of the call (the caller's last samples
 * the resampler held back are handed on then, and before a `MEDIA_START` that changes the rate).
 *
 * Outbound: `audio` → BINARY messages of whole frames of `optimal_frame_size` (Asterisk drops
 * what does not fill a frame), at most 65,500 bytes each; a partial frame waits for the next
 * audio, and `end` pads it with silence. `interruption` → `FLUSH_MEDIA` (what Asterisk had
 * queued is discarded, and the partial frame here too, counted in `stats.audioBytesInterrupted`
 * as the bot's PCM16 bytes; a `cancel`, or the socket's close before it could leave, drops it
 * counted in `stats.audioBytesDroppedOnClose`);
 * marks that were waiting come back as `mark` frames once Asterisk has confirmed the flush (it
 * discards queued marks silently); after a bot's `PAUSE_MEDIA`, `CONTINUE_MEDIA` follows the
 * flush, which the docs say ends the pause and chan_websocket.c does not. A pause command Asterisk
 * refuses (passthrough, or the media direction "in") leaves its queue as it was: a
 * `CONTINUE_MEDIA` refused while the direction is "in" leaves the pause in place after the
 * direction is "both" again, ended then by an interruption or the bot's `CONTINUE_MEDIA`.
 * The bot's `PAUSE_MEDIA` holds Asterisk's queue, and while it does Asterisk sends no `MEDIA_XON`
 * (chan_websocket.c `dequeue_frame`): a `MEDIA_XOFF` then holds the transport's sending until the
 * bot's `CONTINUE_MEDIA` and the queue's drain. That `CONTINUE_MEDIA` goes at once, urgent or not,
 * ahead of the audio held (see {@linkcode AsteriskSerializer.overtakesQueue}), unless a `message`
 * written before it waits still. The wait is bounded in two parts, each by `sendTimeoutMs`: the
 * bot's pause, from when it began holding the XON (a "timeout" error naming `PAUSE_MEDIA`;
 * sending then goes on, and Asterisk drops what overflows its queue), and the far end's drain,
 * from the `CONTINUE_MEDIA` (sending waits for the XON then even where the bot's bound ran out:
 * the queue is over its XON level still).
 * `mark` → `MARK_MEDIA` or `STOP_MEDIA_BUFFERING` (see {@linkcode AsteriskSerializerOptions.marks});
 * `end` / `cancel` → `HANGUP`; `message` → a TEXT command, for `GET_STATUS`, `PAUSE_MEDIA` and
 * the like: a command's name (`"GET_STATUS"`) or an object `{ command, ...parameters }`. Commands
 * leave in the control format Asterisk uses; plain text carries a command's name alone, so
 * parameters (`SET_MEDIA_DIRECTION`'s `direction`) need the JSON format. The commands sent here
 * by other frames (`FLUSH_MEDIA`, `MARK_MEDIA`, `START_MEDIA_BUFFERING`, `STOP_MEDIA_BUFFERING`,
 * `HANGUP`) are an encode error naming the frame to send: sent past the serializer, what they
 * do would escape the count it keeps of Asterisk's marks, bulk transfer and partial frame, and
 * the transport's of what played.
 * Answers are awaited for the last 64 marks and the last 16 flushes: a far end that never answers
 * leaves the older ones forgotten, their late answers `message` frames like any unknown id; each
 * bot's mark so given up is counted in `stats.encodeErrors`, the first of each bound reported
 * (a "protocol" error), but on a passthrough channel, or one sent while the media direction was
 * "in": the refusal of its command counted it.
 *
 * @example A μ-law call in the plain-text format
 * ```ts
 * import { AsteriskSerializer } from "@x/ws-transport/asterisk";
 * import type { SerializedMessage } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const asterisk = new AsteriskSerializer();
 * asterisk.setup({ inputSampleRate: 8000, inputChannels: 1, outputSampleRate: 8000, outputChannels: 1 });
 * const start = asterisk.deserialize(
 *   "MEDIA_START connection_id:c1 channel:WebSocket/c1/0x1 channel_id:1761245643.1 format:ulaw optimal_frame_size:160 ptime:20",
 * );
 * assert.deepEqual(start, {
 *   type: "start",
 *   streamId: "c1",
 *   callId: "1761245643.1",
 *   params: { channel: "WebSocket/c1/0x1", format: "ulaw", optimal_frame_size: "160", ptime: "20" },
 * });
 * assert.deepEqual(asterisk.deserialize("DTMF_END digit:5 channel_id:1761245643.1"), { type: "dtmf", digit: "5" });
 * // 30 ms of audio opens a bulk transfer: one whole 20 ms frame leaves, 10 ms waits for more.
 * const out = asterisk.serialize({ type: "audio", audio: new Uint8Array(480), sampleRate: 8000, channels: 1 });
 * const shown = (m: SerializedMessage) => typeof m === "string" ? m : m.length;
 * assert.deepEqual((out as SerializedMessage[]).map(shown), ["START_MEDIA_BUFFERING", 160]);
 * // A mark ends the bulk transfer (the 10 ms waiting go first, padded to a frame); Asterisk
 * // answers once its last frame has gone out.
 * const marked = asterisk.serialize({ type: "mark", name: "hello" }) as SerializedMessage[];
 * assert.deepEqual(marked.map(shown), [160, "STOP_MEDIA_BUFFERING hello"]);
 * assert.deepEqual(asterisk.deserialize("MEDIA_BUFFERING_COMPLETED hello"), { type: "mark", name: "hello" });
 * assert.deepEqual(asterisk.serialize({ type: "interruption" }), ["FLUSH_MEDIA"]);
 * ```
 */
export class AsteriskSerializer implements FrameSerializer {
  /** Asterisk says when a mark reaches the front of its queue: the audio before it has played. */
  readonly playoutMarks = true;
  /**
   * With `controlFormat: "auto"`, nothing leaves before `MEDIA_START`: it says which form the
   * channel's commands take, and Asterisk refuses one in the other (a greeting's buffering
   * commands sent as plain text to an `f(json)` channel came back as errors, their mark never
   * answered).
   */
  get awaitsStart(): boolean {
    return (this.#options.controlFormat ?? "auto") === "auto";
  }
  readonly #options: AsteriskSerializerOptions;
  #format: AsteriskFormat;
  readonly #audio: TelephonyAudio;
  readonly #frames: WholeFrames;
  /** The bot's format, to count a dropped partial frame in the bytes the bot wrote it as. */
  readonly #written = new WrittenBytes();
  /** Drops the transport's partial packet at a format change (see `registerHeldFrames`). */
  readonly #partialPacketAtChange: (carried: boolean) => Uint8Array;
  #context: SerializerContext | undefined;
  /** The transport's `fixedAudioPacketSize` (`SerializerAudioSetup.outputPacketBytes`), if set. */
  #packetBytes: number | undefined;
  /** Whether commands go as JSON. */
  #json: boolean;
  #marks: "mark-media" | "buffering";
  /** In `"buffering"` marks: a bulk transfer is open (`START_MEDIA_BUFFERING` sent). */
  #bulk = false;
  /** Marks sent and not yet answered, oldest first, at most {@linkcode MAX_PENDING_MARKS}. */
  #pending: PendingMark[] = [];
  /**
   * Marks dropped by a flush, keyed by the id of the mark that confirms the flush, oldest first,
   * at most {@linkcode MAX_PENDING_FLUSHES}.
   */
  #flushed = new Map<string, PendingMark[]>();
  #nextId = 0;
  /** A passthrough channel's refusal was reported: later ones are only counted. */
  #passthroughReported = false;
  /**
   * A refusal for the media direction "in" was reported and no mark has been answered since:
   * Asterisk answers none while the direction is "in" (it stops the channel's timer), so an
   * answer says the direction changed, and the next refusal starts a new spell.
   */
  #directionReported = false;
  /**
   * The channel's media direction as the commands sent tell it: `"dialled"` until the first
   * `SET_MEDIA_DIRECTION` (the `d()` dial option cannot be seen; a refusal shows it was `d(in)`,
   * an answer that it was not). Asterisk reads commands in order (chan_websocket.c
   * `handle_command`), so a mark command sent while it is "in" is refused, one sent after a change
   * to "both" or "out" is not, however late the refusals of the ones before come back.
   */
  #direction: AsteriskMediaDirection = "dialled";
  /**
   * Whether the bot's `PAUSE_MEDIA` holds Asterisk's queue: it left, and no `CONTINUE_MEDIA` (nor
   * an interruption, which sends one) since that Asterisk did not refuse. Told through
   * `#pauseSent` and `#refused`.
   */
  readonly #mediaPause = new AsteriskMediaPause();
  /** `MEDIA_XOFF` came and no `MEDIA_XON` since: the transport's sending is paused. */
  #xoff = false;
  /**
   * Both hold, XOFF and the bot's pause: the XON waits on the bot's `CONTINUE_MEDIA`, which the
   * transport's pause of sending is bounded for, and which overtakes the audio that pause holds.
   */
  #xonAwaitsContinue = false;
  /** What the transport was last told of the bot's pause (see `#heldChanged`). */
  #toldHeld = false;
  /**
   * The mark commands sent while the direction is (or may be) "in" whose refusal has not come,
   * oldest first, at most {@linkcode MAX_REFUSABLE}: flush confirmations too (not pending marks,
   * but refused all the same). Each refusal is the oldest's (see `#refusedMark`).
   */
  #refusable: PendingMark[] = [];
  /** The bounds past which a bot's mark was given up and reported: later ones are only counted. */
  readonly #forgottenReported = new Set<"marks" | "flushes">();

  /** Makes a serializer for one channel; see {@linkcode AsteriskSerializerOptions}. */
  constructor(options: AsteriskSerializerOptions = {}) {
    this.#options = options;
    const name = options.format ?? "ulaw";
    try {
      this.#format = asteriskFormat(name);
    } catch (error) {
      throw new RangeError((error as Error).message);
    }
    this.#audio = new TelephonyAudio({
      encoding: this.#format.encoding,
      sampleRate: this.#format.sampleRate,
      provider: PROVIDER,
    });
    this.#frames = new WholeFrames(frameBytesOf(this.#format), MAX_MESSAGE_BYTES);
    this.#json = options.controlFormat === "json";
    this.#marks = options.marks === "mark-media" ? "mark-media" : "buffering";
    // For the transport: the held frame is the bot's speech, not filter state (_held_frame_ends.ts).
    this.#partialPacketAtChange = registerHeldFrames(this, {
      frames: this.#frames,
      written: this.#written,
      wire: () => wireOf(this.#format),
      dropEnd: () => {
        this.#dropHeld("audioBytesDroppedOnClose");
        this.#audio.endOutbound(false);
      },
    });
  }

  /** The channel's format, as Asterisk names it (the option, or what `MEDIA_START` said). */
  get format(): AsteriskFormat {
    return this.#format;
  }

  /**
   * Takes the transport's context: flow control pauses its sending, and the partial frames
   * dropped are counted through it.
   */
  bind(context: SerializerContext): void {
    this.#context = context;
  }

  /** Takes the transport's audio settings. */
  setup(audio: SerializerAudioSetup): void {
    this.#packetBytes = audio.outputPacketBytes;
    this.#audio.setup(audio);
    this.#written.setup(audio);
  }

  /**
   * Whether `frame` is the bot's `CONTINUE_MEDIA` (`"CONTINUE_MEDIA"` or `{ command:
   * "CONTINUE_MEDIA" }`, in either control format) while the `MEDIA_XON` waits on it: a
   * `MEDIA_XOFF` came and the bot's `PAUSE_MEDIA` holds the queue (chan_websocket.c
   * `dequeue_frame` returns while `queue_paused`, before its XON check). The transport then sends
   * it at once (`FrameSerializer.overtakesQueue`), ahead of the audio its pause of sending holds,
   * behind which it would wait for an XON only it can bring, until `sendTimeoutMs` (then sending
   * goes on into a full queue, and Asterisk drops what passes 1,000 frames). The audio held
   * follows at the XON, in order. Not without an XOFF: Asterisk queues the audio sent while it is
   * paused and plays it after the `CONTINUE_MEDIA`, so overtaking it would only cut the bot's pause
   * short by as long as that audio took to send.
   */
  overtakesQueue(frame: MessageFrame): boolean {
    if (!this.#xonAwaitsContinue) return false;
    const message = frame.message;
    return message === "CONTINUE_MEDIA" ||
      isObject(message) && message.command === "CONTINUE_MEDIA";
  }

  /** One frame to zero or more Asterisk messages; see the class description. */
  serialize(frame: Frame): SerializedMessage | SerializedMessage[] | null {
    switch (frame.type) {
      case "audio": {
        const bytes = this.#audio.encode(frame);
        this.#written.wrote(frame);
        return bytes === null ? [] : this.#media(bytes);
      }
      case "interruption":
        return this.#flush();
      case "mark":
        return this.#mark(frame.name);
      case "end": {
        const out: SerializedMessage[] = this.#frames.pad(this.#silence());
        if (this.#options.hangUp ?? true) out.push(this.#command("HANGUP"));
        return out;
      }
      case "cancel":
        this.#dropHeld("audioBytesDroppedOnClose");
        return (this.#options.hangUp ?? true) ? this.#command("HANGUP") : null;
      case "message":
        return this.#message(frame.message);
      default:
        return null;
    }
  }

  /**
   * A stretch of the bot's audio ended: its partial frame goes at once as its last message,
   * padded with silence to a whole frame, ended first by what the resampler still holds of it
   * where the far end plays on (dropped where it does not: filter state, see
   * `FrameSerializer.audioEnds`); those samples only end the partial frame, what has no room in
   * it dropped as filter state (all of them where the last frame left whole), as Vonage's. Not
   * left for the next reply, nor for the end-of-speech mark, which the transport sends only
   * after its quiet time, the far end perhaps run dry by then;
   * held for that, an interruption would drop it and count those bytes as the bot's. It goes
   * even where the far end has run dry: it is the bot's speech, placed on the playout timeline
   * with its chunk and counted sent with it (with `fixedAudioPacketSize`, as its packet leaves),
   * as Vonage's (`vonage.ts`). The silence padding it, and the
   * resampler's end, play after that audio: the transport places them after it on its timeline,
   * where the end-of-speech mark's answer comes once they have played. Where the socket is not
   * open the transport has the partial frame dropped instead, counted (see `HeldFrameEnds`).
   */
  audioEnds(playing: boolean): SerializedMessage[] | null {
    const tail = this.#audio.endOutbound(playing, this.#frames.roomBytes);
    const last = this.#frames.end(tail, this.#silence());
    return last === null ? null : this.#opened(last);
  }

  /**
   * What fills a frame's padding: the format's silence byte, or in G.722, where a byte plays as
   * the bytes before it let it (`SILENCE_BYTE`), zeros coded on from our encoder's state
   * (`TelephonyAudio.fillSilence`), which keep the far end's decoder in step with it: a run of
   * 0xFC would leave the two apart into the next reply.
   */
  #silence(): Silence {
    return this.#format.encoding === "g722" ? this.#codedSilence : this.#format.silence;
  }

  readonly #codedSilence = (bytes: Uint8Array): void => {
    this.#audio.fillSilence(bytes);
  };

  /** Encoded audio as whole-frame media, a bulk transfer opened first where marks need one. */
  #media(bytes: Uint8Array): SerializedMessage[] {
    return this.#opened(this.#frames.push(bytes));
  }

  /** `media`, after the command that opens a bulk transfer where marks need one not yet open. */
  #opened(media: SerializedMessage[]): SerializedMessage[] {
    if (media.length === 0 || this.#marks !== "buffering" || this.#bulk) return media;
    this.#bulk = true;
    return [this.#command("START_MEDIA_BUFFERING"), ...media];
  }

  /**
   * The socket closed, the call's end (Asterisk sends no goodbye): the caller's last samples the
   * inbound resampler held back, handed on as the telephony kit's stream end does.
   */
  finish(): Frame[] | null {
    const tail = this.#audio.flushInbound();
    return tail === null ? null : [tail];
  }

  /** One Asterisk message to frames; malformed input throws `TransportError("decode")`. */
  deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    if (typeof data !== "string") return data.length === 0 ? null : this.#audio.decode(data);
    const event = readAsteriskEvent(data);
    switch (event.event) {
      case "MEDIA_START":
        return this.#start(event);
      case "DTMF_END": {
        const digit = textField(event, "digit").toUpperCase();
        if (!isKeypadDigit(digit)) {
          throw new TransportError("decode", `${PROVIDER}: DTMF_END digit is not a keypad digit`);
        }
        return { type: "dtmf", digit } satisfies DtmfFrame;
      }
      case "MEDIA_XOFF":
        this.#xoff = true;
        this.#context?.pauseSending?.(true);
        this.#xonWaitChanged();
        return null;
      case "MEDIA_XON":
        this.#xoff = false;
        this.#context?.pauseSending?.(false);
        this.#xonWaitChanged();
        return null;
      case "MEDIA_MARK_PROCESSED":
      case "MEDIA_BUFFERING_COMPLETED":
        this.#directionReported = false; // the queue plays: the direction is no longer "in"
        if (this.#direction === "dialled") {
          // Answered before any SET_MEDIA_DIRECTION: the channel was not dialled d(in), so none of
          // the mark commands sent so far is refused.
          this.#direction = "not-in";
          this.#refusable = [];
          this.#mediaPause.dialledNotIn();
        }
        return this.#acknowledged(event);
      case "ERROR":
        this.#refused(errorText(event));
        return null;
      default:
        return { type: "message", message: { ...event.fields, event: event.event } };
    }
  }

  /**
   * An `ERROR` event, reported as a "protocol" error. A passthrough channel (the `p` dial option)
   * refuses every buffering, mark and flush command with `… not supported in passthrough mode`
   * (chan_websocket.c `handle_command`): one such error per command, several a second while the
   * bot speaks, would bury the one thing to say. The first is reported with what it means; the
   * rest are counted in `stats.encodeErrors` (a command the channel has no use for). A channel
   * whose media direction is "in" refuses the buffering and mark commands likewise, for as long
   * as it stays so: the first refusal of each such spell is reported, the rest counted.
   */
  #refused(text: string | undefined): void {
    this.#pauseRefused(text);
    if (text !== undefined && PASSTHROUGH_REFUSAL.test(text)) {
      this.#passthroughReported = this.#reportedOnce(
        this.#passthroughReported,
        `${PROVIDER}: ${text}: the channel was dialled with the "p" (passthrough) option, which ` +
          `refuses START/STOP_MEDIA_BUFFERING, MARK_MEDIA and FLUSH_MEDIA: marks are never ` +
          `answered (playback goes by the estimate) and an interruption cuts nothing Asterisk ` +
          `queued; dial without "p" (further refusals are counted in stats.encodeErrors)`,
      );
      return;
    }
    if (text !== undefined && DIRECTION_REFUSAL.test(text)) {
      if (MARK_REFUSAL.test(text)) this.#refusedMark();
      this.#directionReported = this.#reportedOnce(
        this.#directionReported,
        `${PROVIDER}: ${text}: the channel's media direction is "in" (the d(in) dial option or ` +
          `SET_MEDIA_DIRECTION): Asterisk drops the bot's audio and refuses ` +
          `START/STOP_MEDIA_BUFFERING and MARK_MEDIA, so marks are not answered (playback goes ` +
          `by the estimate) until the direction is "both" (further refusals are counted in ` +
          `stats.encodeErrors)`,
      );
      return;
    }
    this.#context?.report(
      new TransportError("protocol", `${PROVIDER}: ${text ?? "ERROR without error_text"}`),
    );
  }

  /**
   * A mark's command (`MARK_MEDIA`, `STOP_MEDIA_BUFFERING`) refused for the media direction "in":
   * the refusal tells of that mark, so it is not counted again should it be given up past a bound
   * (`#forget`). The ERROR names no correlation id, but Asterisk writes it at once, in the order
   * the commands came (chan_websocket.c `handle_command`, `ERROR_ON_INVALID_MEDIA_DIRECTION_RTN`),
   * so it is the oldest refusable command's whose refusal has not come. Not the newest pending
   * mark: one sent after the direction went back to "both" (a bot's or the transport's), before
   * this refusal came back, is answered, and a mark sent before the change is queued there and
   * answered too; flagging either left the refused one to be counted again.
   */
  #refusedMark(): void {
    if (this.#direction === "dialled") this.#dialledIn();
    const mark = this.#refusable.shift();
    if (mark !== undefined) mark.refused = true;
  }

  /**
   * A refusal of the bot's `PAUSE_MEDIA` or `CONTINUE_MEDIA`: Asterisk's queue stays as it was
   * before that command (see `AsteriskMediaPause`), which a passthrough channel never pauses.
   */
  #pauseRefused(text: string | undefined): void {
    if (text === undefined) return;
    const pause = text.startsWith("PAUSE_MEDIA ");
    if (!pause && !text.startsWith("CONTINUE_MEDIA ")) return;
    if (PASSTHROUGH_REFUSAL.test(text)) this.#mediaPause.refusedInPassthrough();
    else if (DIRECTION_REFUSAL.test(text)) {
      const dialledIn = this.#mediaPause.refused(pause);
      if (dialledIn && this.#direction === "dialled") this.#direction = "in";
    } else return;
    this.#xonWaitChanged();
  }

  /** A refusal showed the channel was dialled `d(in)`: the commands sent so far met "in". */
  #dialledIn(): void {
    this.#direction = "in";
    this.#mediaPause.dialledIn();
    this.#xonWaitChanged();
  }

  /** A mark command is sent: kept for the refusal it draws if the direction is (or may be) "in". */
  #sentMarkCommand(mark: PendingMark): void {
    if (this.#direction === "not-in") return;
    if (this.#refusable.length === MAX_REFUSABLE) this.#refusable.shift();
    this.#refusable.push(mark);
  }

  /**
   * `SET_MEDIA_DIRECTION` sent (a `message` frame): the direction the commands after it meet.
   * Sent while the dialled direction is unknown and no refusal has shown it to be "in", it is
   * taken as "both" (the default): the mark commands sent so far are not awaited as refusable.
   */
  #directionSent(direction: unknown): void {
    if (direction !== "in" && direction !== "both" && direction !== "out") return; // an ERROR, no change
    if (this.#direction === "dialled") this.#refusable = [];
    this.#direction = direction === "in" ? "in" : "not-in";
  }

  /**
   * A refusal that says the same for as long as the channel stays as it is: reported the first
   * time, counted in `stats.encodeErrors` after. Returns that it has been reported.
   */
  #reportedOnce(reported: boolean, message: string): true {
    if (reported) this.#context?.count("encodeErrors");
    else this.#context?.report(new TransportError("protocol", message));
    return true;
  }

  #start(event: AsteriskEvent): StartFrame | Frame[] {
    const format = asteriskFormat(textField(event, "format"));
    const frameBytes = countField(event, "optimal_frame_size");
    if (format.encoding === "pcm16le" && frameBytes % 2 !== 0) {
      throw new TransportError(
        "decode",
        `${PROVIDER}: MEDIA_START optimal_frame_size ${frameBytes} is not whole 16-bit samples`,
      );
    }
    if (frameBytes > MAX_MESSAGE_BYTES) {
      // Asterisk drops what does not fill a frame, so a frame leaves in one message: one over
      // the bound ends the session (res_http_websocket.c "Cannot fit huge websocket frame"), and
      // until it filled, the bot's audio would be held here unsent. slin192's 7,680 is the largest
      // chan_websocket names.
      throw new TransportError(
        "decode",
        `${PROVIDER}: MEDIA_START optimal_frame_size ${frameBytes} is over the ` +
          "65,500 bytes an Asterisk message can carry",
      );
    }
    const connectionId = optionalTextField(event, "connection_id");
    const channelId = optionalTextField(event, "channel_id");
    const params: Record<string, string> = { ...channelVariables(event) };
    for (const key of ["channel", "format", "optimal_frame_size", "ptime"]) {
      const value = optionalTextField(event, key);
      if (value !== undefined) params[key] = value;
    }
    // All read: now take it in.
    const was = this.#format;
    const sameWire = format.encoding === was.encoding && format.sampleRate === was.sampleRate;
    // A new rate starts the resamplers afresh (`TelephonyAudio.configure`). The caller's last
    // samples the inbound one holds back are taken first, handed on before the start. The bot's
    // the outbound one holds are filter state, dropped as at an interruption: its stream began
    // with that much silence, so what left is as long as what the bot wrote (counted sent), and
    // only the partial frame below is audio that never left.
    const heard = format.sampleRate === was.sampleRate ? null : this.#audio.flushInbound();
    this.#format = format;
    // The same format goes on as the stream it was: G.722's coder states too. Asterisk decodes
    // what it is sent as one stream, MEDIA_START or not (the channel's translator, which
    // chan_websocket.c never resets), and sends no media before it: begun afresh here, our encoder
    // coded what followed a greeting sent before MEDIA_START from a state its decoder never had.
    if (!sameWire) {
      this.#audio.configure({ encoding: format.encoding, sampleRate: format.sampleRate });
    }
    if (frameBytes !== this.#frames.frameBytes || !sameWire) {
      const held = this.#frames.resize(frameBytes);
      if (sameWire) {
        // Only the frame size changed: the bytes held are in the channel's format still, and
        // begin the first frame of the new size (Asterisk frames whatever it is sent in that
        // format), as Vonage's partial frame is carried over a rate change.
        this.#frames.carry(held);
      } else {
        // Audio in the old format cannot go in the new one (a new encoding or rate in frames of
        // the same size too): dropped, and counted (as the PCM16 bytes it was written as), never
        // lost unseen. The transport's partial packet (`fixedAudioPacketSize`) likewise.
        this.#partialPacketAtChange(false);
        this.#written.dropped(this.#context, "audioBytesRefused", held.length, wireOf(was));
      }
    }
    // One per-channel setting decides how Asterisk writes its events and reads every command
    // (chan_websocket.c `control_msg_format`, used by `_create_event_*` and `handle_command`):
    // MEDIA_START's form is the channel's. A forced form that differs is followed no further: in
    // it every command did nothing (a JSON object in plain text is an unknown command's name,
    // logged there only; a bare word on a JSON channel an ERROR each), the flushes, marks and
    // hang-up among them.
    const control = this.#options.controlFormat ?? "auto";
    if (control !== "auto" && (control === "json") !== event.json) {
      this.#context?.report(
        new TransportError(
          "protocol",
          `${PROVIDER}: controlFormat ${JSON.stringify(control)}, but the channel speaks ` +
            `${event.json ? "JSON" : "plain-text"} (MEDIA_START came so), and Asterisk reads ` +
            `commands only in its channel's format: commands go in that from now on; set ` +
            `controlFormat "auto" or dial with the matching f() option`,
        ),
      );
    }
    this.#json = event.json;
    const marks = this.#options.marks ?? "auto";
    this.#marks = marks === "auto"
      ? (this.#json && !this.#packetsCutFrames(frameBytes) ? "mark-media" : "buffering")
      : marks;
    if (this.#marks === "mark-media" && this.#packetsCutFrames(frameBytes)) {
      this.#context?.report(
        new TransportError(
          "protocol",
          `${PROVIDER}: fixedAudioPacketSize ${this.#packetBytes} is not a multiple of ` +
            `optimal_frame_size ${frameBytes}: with marks "mark-media" no bulk transfer is open, ` +
            `and Asterisk drops each packet's part of a frame; use marks "auto" or "buffering", or ` +
            `a packet size of whole frames`,
        ),
      );
    }
    this.#bulk = false;
    if (this.#options.answer) this.#context?.send(this.#command("ANSWER"));
    const start: StartFrame = { type: "start" };
    if (connectionId !== undefined) start.streamId = connectionId;
    const callId = channelId ?? params.channel;
    if (callId !== undefined) start.callId = callId;
    start.params = params;
    return heard === null ? start : [heard, start];
  }

  /**
   * Whether the transport's packets (`fixedAudioPacketSize`) cut the channel's frames: Asterisk
   * frames each BINARY message on its own and drops what does not fill a frame, unless a bulk
   * transfer is open, which carries it over to the next message (chan_websocket.c
   * `process_binary_message`; docs.asterisk.org, WebSocket, "Media Transfer"). `MARK_MEDIA` opens
   * none: such packets lost their every partial frame (500-byte packets on a 640-byte slin16
   * channel played nothing). The buffering marks keep one open around the audio, and
   * `STOP_MEDIA_BUFFERING` queues what it carried before answering, so the mark stays exact.
   */
  #packetsCutFrames(frameBytes: number): boolean {
    return this.#packetBytes !== undefined && this.#packetBytes % frameBytes !== 0;
  }

  #mark(name: string): SerializedMessage[] {
    const mark = { id: this.#idFor(name), name, refused: false };
    if (this.#pending.length === MAX_PENDING_MARKS) {
      this.#forget(this.#pending.splice(0, 1), "marks");
    }
    this.#pending.push(mark);
    this.#sentMarkCommand(mark);
    // The bot's mark follows all of an utterance's audio: the partial frame goes before it,
    // padded with silence (held, it would play at the next utterance's start and the mark be
    // answered before it), as it does before the transport's end-of-speech mark. The transport's
    // other marks fall mid-speech, where padding would put silence into the speech: the partial
    // frame waits for the next audio there.
    const tail = isMidSpeechMark(name) ? [] : this.#frames.pad(this.#silence());
    if (tail.length === 0) return this.#markCommands(mark.id);
    const out: SerializedMessage[] = [];
    if (this.#marks === "buffering" && !this.#bulk) {
      out.push(this.#command("START_MEDIA_BUFFERING"));
      this.#bulk = true;
    }
    out.push(...tail, ...this.#markCommands(mark.id));
    return out;
  }

  /**
   * Marks given up past a bound (`MAX_PENDING_MARKS`, `MAX_PENDING_FLUSHES`): a bot's never comes
   * back, so each is counted in `stats.encodeErrors`, as a mark a protocol cannot carry is, and the
   * first past each bound is reported. The transport's own are not: an answer to one still reaches
   * its tracker (see `#acknowledged`), which counts those it stops waiting for (`marksUnanswered`).
   * Nor any on a passthrough channel, nor one sent while the media direction was "in": their
   * refusals told of them.
   */
  #forget(marks: readonly PendingMark[], bound: "marks" | "flushes"): void {
    const lost = marks.filter(({ name, refused }) =>
      !refused && !name.startsWith(PLAYOUT_MARK_PREFIX)
    );
    // A passthrough channel refused their commands, each counted or reported already (`#refused`).
    if (lost.length === 0 || this.#passthroughReported) return;
    this.#context?.count("encodeErrors", lost.length);
    if (this.#forgottenReported.has(bound)) return;
    this.#forgottenReported.add(bound);
    const waited = bound === "marks"
      ? `${MAX_PENDING_MARKS} marks await an answer`
      : `${MAX_PENDING_FLUSHES} FLUSH_MEDIA await confirmation`;
    this.#context?.report(
      new TransportError(
        "protocol",
        `${PROVIDER}: ${waited}: the bot's mark ${describe(lost[0]!.name)} is given up and will ` +
          `not come back (counted in stats.encodeErrors, as further ones are without another event)`,
      ),
    );
  }

  /** Drops the partial frame held for the next audio, counted (see `WrittenBytes.dropped`). */
  #dropHeld(counter: "audioBytesInterrupted" | "audioBytesDroppedOnClose"): void {
    this.#written.dropped(this.#context, counter, this.#frames.clear(), wireOf(this.#format));
  }

  /** The commands that ask Asterisk to answer `id` once the audio sent so far has played. */
  #markCommands(id: string): SerializedMessage[] {
    if (this.#marks === "mark-media") return [this.#command("MARK_MEDIA", id)];
    const out = this.#bulk ? [] : [this.#command("START_MEDIA_BUFFERING")];
    this.#bulk = false;
    out.push(this.#command("STOP_MEDIA_BUFFERING", id));
    return out;
  }

  #flush(): SerializedMessage[] {
    this.#dropHeld("audioBytesInterrupted");
    this.#audio.reset();
    this.#bulk = false;
    const out: SerializedMessage[] = [this.#command("FLUSH_MEDIA")];
    if (this.#mediaPause.paused && this.#direction !== "in") {
      // The docs: a flush "resets the paused state so there's no need to send … CONTINUE_MEDIA".
      // chan_websocket.c's FLUSH_MEDIA leaves `queue_paused` set: the next reply would wait
      // behind the bot's pause, and under XOFF no XON would come (see `#pauseSent`). Sent after
      // the flush, nothing of what it discards plays. Not while the direction is "in": Asterisk
      // refuses it then, and the pause stays for the next flush or the bot's own to end.
      out.push(this.#command("CONTINUE_MEDIA"));
      this.#pauseSent("CONTINUE_MEDIA");
    }
    if (this.#pending.length > 0) {
      // Asterisk discards the marks it had queued without a word: a mark of ours right after
      // the flush confirms it, and then the discarded ones are given back as Twilio does.
      const id = `#f${++this.#nextId}`;
      if (this.#flushed.size === MAX_PENDING_FLUSHES) {
        // A Map iterates in insertion order: the first is the oldest flush still unconfirmed.
        const [oldest, discarded] = this.#flushed.entries().next().value!;
        this.#flushed.delete(oldest);
        this.#forget(discarded, "flushes");
      }
      this.#flushed.set(id, this.#pending);
      this.#pending = [];
      this.#sentMarkCommand({ id, name: id, refused: false });
      out.push(...this.#markCommands(id));
    }
    return out;
  }

  #acknowledged(event: AsteriskEvent): Frame | Frame[] {
    const id = optionalTextField(event, "correlation_id") ?? "";
    const flushed = this.#flushed.get(id);
    if (flushed !== undefined) {
      this.#flushed.delete(id);
      return flushed.map(({ name }): MarkFrame => ({ type: "mark", name }));
    }
    // An answer Asterisk wrote before our flush reached it comes after we sent the flush: its
    // mark played, and is taken now, once, not given back again with the flush's confirmation.
    // Looked for before the pending marks: no mark sent since is answered before that
    // confirmation, so a name the bot used again on both sides of the flush is the older's.
    for (const marks of this.#flushed.values()) {
      const at = marks.findIndex((mark) => mark.id === id);
      if (at >= 0) return { type: "mark", name: marks.splice(at, 1)[0]!.name } satisfies MarkFrame;
    }
    const index = this.#pending.findIndex((mark) => mark.id === id);
    if (index < 0) {
      // An answer to a mark or flush forgotten past the bounds: an id of ours (`#m`, `#f`, never
      // a plain name) means nothing to the bot; the transport's own mark stays a mark, which the
      // transport hides. Any other id is an event we did not ask for.
      if (id.startsWith("#m") || id.startsWith("#f")) return [];
      if (id.startsWith(PLAYOUT_MARK_PREFIX)) return { type: "mark", name: id } satisfies MarkFrame;
      return { type: "message", message: { ...event.fields, event: event.event } };
    }
    const [mark] = this.#pending.splice(index, 1);
    return { type: "mark", name: mark!.name } satisfies MarkFrame;
  }

  /** The id a mark travels under: its name when that is short and plain, else one of ours. */
  #idFor(name: string): string {
    return PLAIN_ID.test(name) ? name : `#m${++this.#nextId}`;
  }

  /**
   * A `message` frame's command in the channel's control format (see `botCommand`), and what it
   * changes that the serializer keeps count of: the media direction, the bot's pause.
   */
  #message(message: unknown): string {
    const { command, parameters, text } = botCommand(message, this.#json);
    // Plain text carries no direction (`botCommand` refuses parameters there).
    if (this.#json && command === "SET_MEDIA_DIRECTION") this.#directionSent(parameters.direction);
    this.#pauseSent(command);
    return text;
  }

  /** A command of the serializer's own in the channel's control format. */
  #command(command: string, correlationId?: string): string {
    return commandText(this.#json, command, correlationId);
  }

  /**
   * The bot's `PAUSE_MEDIA` or `CONTINUE_MEDIA` leaves. While paused, Asterisk plays silence and
   * keeps the queue (docs.asterisk.org, WebSocket, `PAUSE_MEDIA`), and its timer tick returns
   * before it looks at the queue's level (chan_websocket.c `dequeue_frame`: `queue_paused` is
   * checked first), so a `MEDIA_XOFF` gets its `MEDIA_XON` only after `CONTINUE_MEDIA`, once the
   * queue is under the XON level again: resuming at `CONTINUE_MEDIA` itself would send into a
   * queue still over it, so the transport waits for that XON as for any.
   */
  #pauseSent(command: string): void {
    if (command !== "PAUSE_MEDIA" && command !== "CONTINUE_MEDIA") return;
    this.#mediaPause.sent(command === "PAUSE_MEDIA", this.#direction);
    this.#xonWaitChanged();
  }

  /**
   * XOFF or the bot's pause began or ended: whom the XON waits on may have changed, and the
   * transport's pause of sending (bounded by its `sendTimeoutMs`, past which it sends on into a
   * queue Asterisk drops from at 1,000 frames) is bounded afresh for that (`pauseSending`'s
   * options). Under the bot's pause no XON comes until `CONTINUE_MEDIA`: the far end is not late,
   * so the time the pause held so far is not counted against it; the bound is the bot's, said by
   * name. Nothing is reported: the bot's `CONTINUE_MEDIA` overtakes the held audio (see
   * {@linkcode overtakesQueue}), so the pause lasts as long as the bot means it to. Once
   * `CONTINUE_MEDIA` leaves, the XON is the far end's again, after the queue's drain under 800
   * frames (at most 4 s): a fresh bound.
   */
  #xonWaitChanged(): void {
    this.#heldChanged();
    const awaitsContinue = this.#xoff && this.#mediaPause.paused;
    if (awaitsContinue === this.#xonAwaitsContinue) return;
    this.#xonAwaitsContinue = awaitsContinue;
    if (!this.#xoff) return; // the XON came: the transport's pause is over
    this.#context?.pauseSending?.(true, awaitsContinue ? { reason: CONTINUE_AWAITED } : {});
  }

  /**
   * The bot's pause holds Asterisk's playout, or no longer does (a command sent, or a refusal
   * that showed one was not taken): the transport is told (`SerializerContext.farEndHeld`), so
   * that it counts nothing queued meanwhile as heard and places it from the `CONTINUE_MEDIA` on.
   * Called wherever `#xonWaitChanged` is, the pause's every change among them.
   */
  #heldChanged(): void {
    const paused = this.#mediaPause.paused;
    if (paused === this.#toldHeld) return;
    this.#toldHeld = paused;
    this.#context?.farEndHeld?.(paused);
  }
}

/**
 * An `ERROR` event's `error_text`, its surrounding whitespace trimmed, or `undefined` where it has
 * none. chan_websocket.c ends its three `SET_MEDIA_DIRECTION` texts in ".\n" (`handle_command`:
 * "%s only supports JSON format.\n", "%s requires a 'direction' parameter.\n", "'%s' is not a
 * valid direction for %s.\n"). The plain-text form cannot carry that newline (an event is one
 * line, trimmed as it is read: `readAsteriskEvent`) while the JSON form keeps it, escaped: trimmed
 * in both, the bot is told the same words for the same refusal in either control format, and no
 * report ends in a line break of Asterisk's printf.
 */
function errorText(event: AsteriskEvent): string | undefined {
  const text = optionalTextField(event, "error_text")?.trim();
  return text === "" ? undefined : text;
}

/**
 * The bytes per sample and rate of `format`'s media. G.722's bytes go at 8,000 a second, one per
 * tick of its RTP clock, though they carry 16 kHz audio: counted as one byte a sample at 8000, its
 * durations come out right (`TelephonyAudio` takes it so).
 */
function wireOf(format: AsteriskFormat): WireFormat {
  return {
    bytesPerSample: format.encoding === "pcm16le" ? 2 : 1,
    sampleRate: format.encoding === "g722" ? G722_BYTE_RATE : format.sampleRate,
  };
}

/**
 * Bytes in 20 ms of `format` (Asterisk's default framing for these codecs): chan_websocket's
 * `optimal_frame_size` before `MEDIA_START` says it (160 for G.722).
 */
function frameBytesOf(format: AsteriskFormat): number {
  const { bytesPerSample, sampleRate } = wireOf(format);
  return ((sampleRate * 20) / 1000) * bytesPerSample;
}
