/**
 * Asterisk's WebSocket channel driver (`chan_websocket`, Asterisk 20.16 / 21.11 / 22.6 / 23.0 and
 * later) dialling out to the bot, as the Asterisk documentation describes it
 * (docs.asterisk.org, Configuration → Channel Drivers → WebSocket, as of February 2026:
 * "Media Transfer", "Max Message Size and Flow Control", "Control Commands and Events"):
 *
 * - Right after the connection opens Asterisk sends `MEDIA_START` (connection id, channel name,
 *   channel unique id, format, `optimal_frame_size`, `ptime`; the JSON form adds
 *   `channel_variables`), then the caller's audio as BINARY messages in the channel's codec,
 *   one 20 ms frame each (160 bytes of μ-law or A-law, 640 of slin16…); keypad presses as
 *   `DTMF_END`.
 * - Control messages are TEXT, in the plain-text form (`COMMAND param`, `EVENT key:value …`,
 *   the default) or, from 20.18 / 22.8 / 23.2 with `f(json)` or chan_websocket.conf, JSON
 *   (`{"command": …}` in, `{"event": …, "channel_id": …}` out). Commands are case-sensitive.
 * - Media from the bot is cut into frames of `optimal_frame_size`; "if you send an oddly sized
 *   message though, the extra data that won't fill a frame will be dropped", unless a bulk
 *   transfer is on (`START_MEDIA_BUFFERING` … `STOP_MEDIA_BUFFERING [id]`, which pads the
 *   leftover with silence and answers `MEDIA_BUFFERING_COMPLETED [id]` once its last frame has
 *   gone to the core). A message over 65,500 bytes closes the socket and hangs the call up.
 * - About 1,000 frames may wait; at about 900 Asterisk sends `MEDIA_XOFF`, and media sent after
 *   it "will probably be dropped"; below about 800 it sends `MEDIA_XON`. chan_websocket.c
 *   `process_binary_message` looks at the bound once, as a message comes: a message that finds
 *   1,000 frames queued is dropped whole (`asterisk.queue-full`), one that finds fewer is queued
 *   whole, however far past 1,000 that takes the queue. "The media the app sent just prior to
 *   receiving `MEDIA_XOFF` will be processed in its entirety": media that arrives after XOFF
 *   left may have left the bot before XOFF reached it. The protocol has no round trip
 *   to measure, so such media is taken as in flight for {@linkcode IN_FLIGHT_MS} after XOFF;
 *   media still coming after that was sent after the bot could have read XOFF
 *   (`asterisk.media-after-xoff`).
 * - `FLUSH_MEDIA` discards what is queued (and ends a bulk transfer); `MARK_MEDIA [id]`
 *   (20.18 / 22.8 / 23.2 and later) is answered by `MEDIA_MARK_PROCESSED [id]` when the mark
 *   reaches the front of the queue; `REPORT_QUEUE_DRAINED` by one `QUEUE_DRAINED` once the queue
 *   first runs dry (media sent after the command included; chan_websocket.c `dequeue_frame`);
 *   `GET_STATUS` by `STATUS`; `HANGUP` hangs up and closes the socket; `ANSWER` is accepted
 *   (noted, not simulated).
 * - `PAUSE_MEDIA` holds the queue: the caller hears silence, and the bot's media and marks wait
 *   behind what was queued, counted against its 1,000 frames (`MEDIA_XOFF` at 900, a message
 *   that finds 1,000 dropped, `asterisk.queue-full`); no `MEDIA_XON`, mark answer or
 *   `QUEUE_DRAINED` comes until `CONTINUE_MEDIA` plays the queue on (chan_websocket.c
 *   `dequeue_frame` returns before any of them while `queue_paused`). `FLUSH_MEDIA` empties the
 *   queue and leaves the pause, as chan_websocket.c does (the docs say a flush ends it). The
 *   audio the far end handed the simulator's speaker before the pause came (a paced bot's lead,
 *   a chunk or two) plays on: the speaker takes audio as it arrives and cannot give it back.
 * - `SET_MEDIA_DIRECTION` (JSON only; `direction` "both", the default, "in" or "out"): "in" drops
 *   the bot's media (`asterisk.direction-in-media`), stops the channel's timer, which holds the
 *   queue as a pause does, and refuses `START_MEDIA_BUFFERING`, `STOP_MEDIA_BUFFERING`,
 *   `MARK_MEDIA`, `PAUSE_MEDIA` and `CONTINUE_MEDIA` with `ERROR` "<command> not supported while
 *   media direction is 'in'" (`asterisk.direction-in-command`), leaving the queue and its pause as
 *   they were; "out" sends the bot none of the caller's audio (chan_websocket.c `handle_command`,
 *   `read_from_ws_and_queue`, `webchan_write`).
 * - The caller hanging up closes the socket; there is no goodbye message.
 *
 * Every TEXT message the far end writes is byte for byte the one chan_websocket.c writes
 * (asterisk/asterisk 926a1068, August 2026, its `_create_event_*` functions): plain text as their
 * `ast_asprintf` formats, JSON through Jansson with keys in their `ast_json_pack` order
 * (`_jansson_json.ts`). Their `ERROR` texts are `handle_command`'s, the three of
 * `SET_MEDIA_DIRECTION` ending in ".\n" as its `send_event` calls write them, the others
 * without; the command is read as `process_text_message` reads it (cut at a NUL, `ast_strip`:
 * bytes below 33 off both ends; a plain-text parameter is the rest after the first space,
 * unstripped).
 *
 * The page does not say what happens to a mark or a buffering completion queued behind flushed
 * media: the simulator drops it, unanswered, and the report counts it `dropped`. It does not
 * say either how long a text message may be; the simulator takes Asterisk's own 128-byte bound
 * for commands (longer ones are ignored) as a rule.
 *
 * @module
 */

import { counted } from "../_counted.ts";
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from "../../audio/g711.ts";
import { G722Decoder, G722Encoder } from "../../audio/g722.ts";
import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";
import { janssonCompact, janssonLoad } from "./_jansson_json.ts";
import { hexId, littleEndianBytes, samplesFromLittleEndian } from "./_json_events.ts";

/** How `chan_websocket` writes its control messages. */
export type AsteriskControlFormat = "plain-text" | "json";

/** What the Asterisk far end takes beside {@linkcode FarEndOptions}. */
export interface AsteriskFarEndOptions {
  /**
   * The control message format (`f(json)` in the dial string, or chan_websocket.conf).
   *
   * @default {"plain-text"}
   */
  controlFormat?: AsteriskControlFormat;
}

/**
 * The formats the simulated channel can carry: the audio's rate, its bytes a second on the wire,
 * and the codec (signed linear when none). G.722 is 16 kHz audio in 8,000 bytes a second
 * (asterisk/asterisk main/codec_builtin.c: `sample_rate` 16000, `minimum_bytes` 80 per
 * `minimum_ms` 10), so its 20 ms `optimal_frame_size` is 160 bytes.
 */
const FORMATS: Record<
  string,
  { rate: number; byteRate: number; codec?: "ulaw" | "alaw" | "g722" }
> = {
  ulaw: { rate: 8000, byteRate: 8000, codec: "ulaw" },
  alaw: { rate: 8000, byteRate: 8000, codec: "alaw" },
  g722: { rate: 16000, byteRate: 8000, codec: "g722" },
  slin: { rate: 8000, byteRate: 16000 },
  slin12: { rate: 12000, byteRate: 24000 },
  slin16: { rate: 16000, byteRate: 32000 },
  slin24: { rate: 24000, byteRate: 48000 },
  slin32: { rate: 32000, byteRate: 64000 },
  slin44: { rate: 44100, byteRate: 88200 },
  slin48: { rate: 48000, byteRate: 96000 },
  slin96: { rate: 96000, byteRate: 192000 },
  slin192: { rate: 192000, byteRate: 384000 },
};

const PTIME_MS = 20;
const MAX_MESSAGE_BYTES = 65_500;
const MAX_COMMAND_BYTES = 128;
const QUEUE_MAX_FRAMES = 1000;
const XOFF_FRAMES = 900;
const XON_FRAMES = 800;
/**
 * How long after `MEDIA_XOFF` the bot's media may still be what it sent before it read XOFF: a
 * round trip and the bot's time to act on the event. The protocol offers nothing to measure a
 * round trip by (no ping, no answer to an event), so it is a bound: above the round trip of any
 * link a call runs over (ITU-T G.114 keeps one-way delay under 400 ms) and a bot's event loop,
 * far below a bot that sends on, whose media keeps coming for as long as XOFF holds.
 */
export const IN_FLIGHT_MS = 1000;
/** The media direction, as the bot sees it (chan_websocket.c `webchan_media_direction`). */
type MediaDirection = "both" | "in" | "out";
const DIRECTIONS: ReadonlySet<string> = new Set(["both", "in", "out"]);
/**
 * The commands chan_websocket.c refuses while the direction is "in"
 * (`ERROR_ON_INVALID_MEDIA_DIRECTION_RTN`).
 */
const REFUSED_WHILE_IN: ReadonlySet<string> = new Set([
  "START_MEDIA_BUFFERING",
  "STOP_MEDIA_BUFFERING",
  "MARK_MEDIA",
  "PAUSE_MEDIA",
  "CONTINUE_MEDIA",
]);
/** A mark's answer queued behind held media: the name the report knows it by, and the answer. */
interface HeldMark {
  name: string;
  answer: () => void;
}
/** What waits in the held queue, in order: decoded frames, and the answers queued behind them. */
type Held = { samples: Int16Array; frames: number } | HeldMark;
const COMMANDS = new Set([
  "ANSWER",
  "HANGUP",
  "START_MEDIA_BUFFERING",
  "STOP_MEDIA_BUFFERING",
  "MARK_MEDIA",
  "FLUSH_MEDIA",
  "PAUSE_MEDIA",
  "CONTINUE_MEDIA",
  "GET_STATUS",
  "REPORT_QUEUE_DRAINED",
  "SET_MEDIA_DIRECTION",
]);

/** Asterisk's side of a `chan_websocket` channel that dialled the bot. */
export class AsteriskFarEnd implements FarEnd {
  readonly protocol: string;
  /** `websocket_client.conf` `protocols = media`: the subprotocol chan_websocket offers. */
  readonly subprotocols: readonly string[] = ["media"];
  readonly caller: { readonly sampleRate: number; readonly frameMs: number };
  readonly playbackRate: number;
  readonly #options: FarEndOptions;
  readonly #json: boolean;
  readonly #format: string;
  readonly #codec: "ulaw" | "alaw" | "g722" | undefined;
  /** G.722's codec state, one per direction for the call, as Asterisk's translators keep it. */
  #g722Encoder: G722Encoder | undefined;
  #g722Decoder: G722Decoder | undefined;
  readonly #frameBytes: number;
  readonly #connectionId: string;
  readonly #channelId: string;
  #context!: FarEndContext;
  /** A bulk transfer is on, and the bytes it holds that do not fill a frame yet. */
  #bulk = false;
  #leftover = new Uint8Array(0);
  /** `REPORT_QUEUE_DRAINED` came and its one QUEUE_DRAINED has not been sent yet. */
  #drainReport = false;
  /** When `MEDIA_XOFF` was sent (NaN: the queue is not full). */
  #xoffAt = NaN;
  /** The bot's `PAUSE_MEDIA` holds the queue (chan_websocket.c `queue_paused`). */
  #paused = false;
  #direction: MediaDirection = "both";
  /**
   * What came while the queue was held (see `#holding`), kept here rather than handed to the
   * speaker, which plays whatever it is given: released in order once the queue plays again.
   */
  #held: Held[] = [];
  #heldFrames = 0;
  /** Held marks released to the speaker and not played yet: a flush drops them, counted so. */
  readonly #released = new Set<HeldMark>();
  /** `QUEUE_DRAINED` came due while the queue was held: it waits for the queue to play again. */
  #drainHeld = false;

  constructor(options: FarEndOptions, asterisk: AsteriskFarEndOptions = {}) {
    const format = options.encoding ?? "ulaw";
    const spec = FORMATS[format];
    if (spec === undefined) {
      throw new RangeError(
        `the simulated chan_websocket carries ${Object.keys(FORMATS).join(", ")}, not ${format}`,
      );
    }
    this.#json = (asterisk.controlFormat ?? "plain-text") === "json";
    this.protocol = this.#json ? "asterisk-json" : "asterisk";
    this.#format = format;
    this.#codec = spec.codec;
    this.playbackRate = spec.rate;
    this.caller = { sampleRate: spec.rate, frameMs: PTIME_MS };
    this.#frameBytes = spec.byteRate * PTIME_MS / 1000;
    this.#options = options;
    this.#connectionId = options.streamId ?? crypto.randomUUID();
    this.#channelId = options.callId ?? `${Math.floor(Date.now() / 1000)}.${hexId("", 4)}`;
  }

  open(context: FarEndContext): void {
    this.#context = context;
    const channel = `WebSocket/${this.#connectionId}/0x${hexId("", 12)}`;
    // _create_event_MEDIA_START.
    this.#send(
      `MEDIA_START connection_id:${this.#connectionId} channel:${channel} ` +
        `channel_id:${this.#channelId} format:${this.#format} ` +
        `optimal_frame_size:${this.#frameBytes} ptime:${PTIME_MS}`,
      {
        event: "MEDIA_START",
        connection_id: this.#connectionId,
        channel,
        channel_id: this.#channelId,
        format: this.#format,
        optimal_frame_size: this.#frameBytes,
        ptime: PTIME_MS,
        channel_variables: {
          MEDIA_WEBSOCKET_CONNECTION_ID: this.#connectionId,
          MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE: String(this.#frameBytes),
          ...this.#options.customParameters,
        },
      },
    );
    context.ready();
  }

  sendAudio(samples: Int16Array): void {
    this.#checkXon();
    // Coded all the same: the core translates a frame before chan_websocket.c drops it.
    const bytes = this.#codec === "ulaw"
      ? mulawEncode(samples)
      : this.#codec === "alaw"
      ? alawEncode(samples)
      : this.#codec === "g722"
      ? (this.#g722Encoder ??= new G722Encoder()).encode(samples)
      : littleEndianBytes(samples);
    // webchan_write: "The app doesn't want media right now".
    if (this.#direction === "out") return;
    this.#context.send(bytes);
  }

  /**
   * The formats at `rate`: Asterisk's rate is its format's (`sampleRate` is never read), signed
   * linear first (what a rate alone asks for), then the codecs at it (G.722 at 16000).
   */
  optionsForRate(rate: number): FarEndOptions[] {
    const atRate = Object.entries(FORMATS).filter(([, spec]) => spec.rate === rate);
    return [
      ...atRate.filter(([, spec]) => spec.codec === undefined),
      ...atRate.filter(([, spec]) => spec.codec !== undefined),
    ].map(([encoding]) => ({ encoding }));
  }

  sendDtmf(digit: string): boolean {
    // _create_event_DTMF_END: the digit first in plain text, the channel id first in JSON.
    this.#send(`DTMF_END digit:${digit} channel_id:${this.#channelId}`, {
      event: "DTMF_END",
      channel_id: this.#channelId,
      digit,
    });
    return true;
  }

  hangUp(): Promise<void> {
    return Promise.resolve(); // Asterisk closes the socket; no message says goodbye
  }

  receive(data: string | Uint8Array): void {
    if (typeof data === "string") return this.#command(data);
    const context = this.#context;
    if (data.length > MAX_MESSAGE_BYTES) {
      context.violation(
        "asterisk.message-too-large",
        `a ${data.length}-byte message; over ${MAX_MESSAGE_BYTES} bytes closes the socket`,
      );
      // The platform's hang-up, on the bot's rule: what the caller had still to say is the bot's.
      return context.endCall("caller", "Asterisk hung up on an oversized message", {
        brokenRule: "asterisk.message-too-large",
      });
    }
    if (this.#direction === "in") {
      // read_from_ws_and_queue drops it before it is framed: no queue, no flow control.
      return context.violation(
        "asterisk.direction-in-media",
        `a ${data.length}-byte media message while the media direction is 'in' ` +
          `(SET_MEDIA_DIRECTION): Asterisk drops it`,
      );
    }
    // Media already on its way when XOFF left is "processed in its entirety" (within IN_FLIGHT_MS
    // of it); media the bot sent after it could have read XOFF is the fault.
    const afterXoffMs = context.now() - this.#xoffAt;
    if (afterXoffMs > IN_FLIGHT_MS) {
      context.violation(
        "asterisk.media-after-xoff",
        `media ${Math.round(afterXoffMs)} ms after MEDIA_XOFF, past the ${IN_FLIGHT_MS} ms media ` +
          `in flight takes, and before MEDIA_XON: it will probably be dropped`,
      );
    }
    // process_binary_message's one look at the bound, before anything of the message is framed
    // (a bulk transfer's leftover stays as it was): the whole message, or none of it. The far end
    // cut the message at 1,000 frames instead, counting as dropped frames Asterisk queues.
    if (this.#queuedFrames() >= QUEUE_MAX_FRAMES) {
      return context.violation(
        "asterisk.queue-full",
        `a ${data.length}-byte message found the frame queue at its ${QUEUE_MAX_FRAMES} frames${
          this.#paused ? " (PAUSE_MEDIA holds it: nothing plays before CONTINUE_MEDIA)" : ""
        }: dropped whole`,
      );
    }
    let bytes = data;
    if (this.#bulk && this.#leftover.length > 0) {
      const joined = new Uint8Array(this.#leftover.length + data.length);
      joined.set(this.#leftover);
      joined.set(data, this.#leftover.length);
      bytes = joined;
      this.#leftover = new Uint8Array(0);
    }
    const whole = bytes.length - (bytes.length % this.#frameBytes);
    if (whole < bytes.length) {
      if (this.#bulk) this.#leftover = bytes.slice(whole);
      else {
        context.violation(
          "asterisk.partial-frame",
          `a ${data.length}-byte message is not a multiple of optimal_frame_size ` +
            `${this.#frameBytes}: the last ${counted(bytes.length - whole, "byte")} dropped`,
        );
      }
    }
    this.#queue(bytes.subarray(0, whole));
  }

  /**
   * Plays whole frames (or holds them), and says XOFF at the high-water mark; the bound was
   * looked at as the message came (`receive`), and a bulk transfer's last frame is queued past it
   * (STOP_MEDIA_BUFFERING, `queue_frame_from_buffer`, looks at none).
   */
  #queue(bytes: Uint8Array): void {
    const context = this.#context;
    if (bytes.length === 0) return;
    const samples = this.#decode(bytes);
    if (this.#holding()) {
      const frames = bytes.length / this.#frameBytes;
      this.#held.push({ samples, frames });
      this.#heldFrames += frames;
    } else context.play(samples);
    if (Number.isNaN(this.#xoffAt) && this.#queuedFrames() >= XOFF_FRAMES) {
      this.#xoffAt = context.now();
      this.#noData("MEDIA_XOFF");
    }
  }

  /**
   * QUEUE_DRAINED once the queue is empty: chan_websocket.c `dequeue_frame` sends it at the first
   * timer tick that finds no frame queued, so media sent after `REPORT_QUEUE_DRAINED` puts it off
   * until that has played too (the notification is no mark at the audio queued so far). A flush
   * empties the queue: it comes then. The far end's own wait, not a mark the bot asked for. A
   * held queue (see `#holding`) is never found dry: `dequeue_frame` returns before it looks while
   * paused, and no timer runs it while the direction is "in"; it waits for the queue to play.
   */
  #whenDrained(): void {
    this.#context.whenPlayed("ack", () => {
      if (this.#holding()) {
        this.#drainHeld = true;
        return;
      }
      if (this.#context.queuedMs() > 0) return this.#whenDrained();
      this.#drainReport = false;
      this.#noData("QUEUE_DRAINED");
    });
  }

  #checkXon(): void {
    // dequeue_frame returns before its XON check while paused; no timer runs it under "in".
    if (this.#holding()) return;
    if (!Number.isNaN(this.#xoffAt) && this.#queuedFrames() < XON_FRAMES) {
      this.#xoffAt = NaN;
      this.#noData("MEDIA_XON");
    }
  }

  #queuedFrames(): number {
    return Math.ceil(this.#context.queuedMs() / PTIME_MS - 1e-9) + this.#heldFrames;
  }

  /**
   * Whether nothing of the queue plays: the bot's `PAUSE_MEDIA` holds it, or the direction is
   * "in", which stops the channel's timer (chan_websocket.c `handle_command`).
   */
  #holding(): boolean {
    return this.#paused || this.#direction === "in";
  }

  /**
   * Asks for `answer` once the audio queued so far has played. Behind a held queue it waits
   * there, asked now (the report's delay counts from the bot's command), answered once released
   * and played.
   */
  #markQueued(name: string, answer: () => void): void {
    if (!this.#holding()) return this.#context.mark(name, "drop", answer);
    this.#context.markRequested(name);
    this.#held.push({ name, answer });
  }

  /** The queue plays again, unless it is still held: what it held goes to the speaker, in order. */
  #release(): void {
    if (this.#holding()) return;
    const held = this.#held;
    this.#held = [];
    this.#heldFrames = 0;
    for (const item of held) {
      if ("samples" in item) this.#context.play(item.samples);
      else this.#releaseMark(item);
    }
    if (this.#drainHeld) {
      this.#drainHeld = false;
      this.#whenDrained();
    }
  }

  #releaseMark(mark: HeldMark): void {
    this.#released.add(mark);
    this.#context.whenPlayed("drop", () => {
      this.#released.delete(mark);
      this.#context.markSettled(mark.name, "played");
      mark.answer();
    });
  }

  /** A flush: the held queue goes, the marks in it or released from it dropped unanswered. */
  #dropHeld(): void {
    for (const item of this.#held) {
      if (!("samples" in item)) this.#context.markSettled(item.name, "dropped");
    }
    for (const mark of this.#released) this.#context.markSettled(mark.name, "dropped");
    this.#held = [];
    this.#heldFrames = 0;
    this.#released.clear();
  }

  #decode(bytes: Uint8Array): Int16Array {
    if (this.#codec === "ulaw") return mulawDecode(bytes);
    if (this.#codec === "alaw") return alawDecode(bytes);
    if (this.#codec === "g722") return (this.#g722Decoder ??= new G722Decoder()).decode(bytes);
    return samplesFromLittleEndian(bytes);
  }

  #command(text: string): void {
    const context = this.#context;
    if (new TextEncoder().encode(text).length > MAX_COMMAND_BYTES) {
      return context.violation(
        "asterisk.command-too-long",
        `a ${text.length}-character TEXT message; Asterisk ignores commands over ` +
          `${MAX_COMMAND_BYTES} bytes`,
      );
    }
    const parsed = this.#parse(astStrip(text));
    if (parsed === null) return;
    const { command, id, json, fields } = parsed;
    if (!COMMANDS.has(command)) {
      return context.violation("asterisk.unknown-command", `unknown command ${text.slice(0, 60)}`);
    }
    if (this.#direction === "in" && REFUSED_WHILE_IN.has(command)) {
      // Refused before it does anything: the queue, its pause and the bulk transfer stay as they
      // were.
      return this.#error(
        "asterisk.direction-in-command",
        `${command} not supported while media direction is 'in'`,
      );
    }
    switch (command) {
      case "HANGUP":
        return context.endCall("bot", "HANGUP");
      case "START_MEDIA_BUFFERING":
        this.#bulk = true;
        return;
      case "STOP_MEDIA_BUFFERING": {
        this.#bulk = false;
        if (this.#leftover.length > 0) {
          const frame = new Uint8Array(this.#frameBytes).fill(this.#silenceByte());
          frame.set(this.#leftover);
          this.#leftover = new Uint8Array(0);
          this.#queue(frame);
        }
        return this.#markQueued(
          `buffering ${id ?? ""}`,
          () => this.#answer("MEDIA_BUFFERING_COMPLETED", id),
        );
      }
      case "MARK_MEDIA":
        return this.#markQueued(`mark ${id ?? ""}`, () => this.#answer("MEDIA_MARK_PROCESSED", id));
      case "FLUSH_MEDIA":
        // The pause stays: chan_websocket.c clears no `queue_paused` here, whatever the docs say.
        this.#bulk = false;
        this.#leftover = new Uint8Array(0);
        this.#dropHeld();
        return context.clear();
      case "PAUSE_MEDIA":
        this.#paused = true;
        return;
      case "CONTINUE_MEDIA":
        this.#paused = false;
        return this.#release();
      case "REPORT_QUEUE_DRAINED":
        if (this.#drainReport) return; // a flag in chan_websocket.c: set already
        this.#drainReport = true;
        return this.#whenDrained();
      case "GET_STATUS":
        return this.#status();
      case "SET_MEDIA_DIRECTION": {
        // handle_command's three texts here end in ".\n", unlike its others.
        if (!json) {
          return this.#error("asterisk.json-only", `${command} only supports JSON format.\n`);
        }
        const direction = fields.direction;
        if (typeof direction !== "string") {
          return this.#error(
            "asterisk.bad-direction",
            `${command} requires a 'direction' parameter.\n`,
          );
        }
        if (!DIRECTIONS.has(direction)) {
          return this.#error(
            "asterisk.bad-direction",
            `'${direction}' is not a valid direction for ${command}.\n`,
          );
        }
        this.#direction = direction as MediaDirection;
        return this.#release();
      }
      default:
        return context.note(`asterisk ${command}`);
    }
  }

  /**
   * The command, its correlation id and (JSON) its other fields, or null after reporting why
   * there is none.
   */
  #parse(
    text: string,
  ):
    | { command: string; id: string | undefined; json: boolean; fields: Record<string, unknown> }
    | null {
    if (!this.#json) {
      // handle_command: the command up to the first space, the parameter all after it.
      const space = text.indexOf(" ");
      if (space < 0) return { command: text, id: undefined, json: false, fields: {} };
      return {
        command: text.slice(0, space),
        id: text.slice(space + 1),
        json: false,
        fields: {},
      };
    }
    const value = janssonLoad(text);
    if (value === undefined) {
      this.#error("asterisk.bad-json", "Unable to parse JSON command");
      return null;
    }
    const command = (value as { command?: unknown } | null)?.command;
    if (typeof command !== "string") {
      this.#context.violation("asterisk.unknown-command", `no "command": ${text.slice(0, 60)}`);
      return null;
    }
    const fields = value as Record<string, unknown>;
    const id = fields.correlation_id;
    return { command, id: typeof id === "string" ? id : undefined, json: true, fields };
  }

  /** G.722 has no silence byte; 0xFC codes no change in either band, and fades a decoder out. */
  #silenceByte(): number {
    return this.#codec === "ulaw"
      ? 0xff
      : this.#codec === "alaw"
      ? 0xd5
      : this.#codec === "g722"
      ? 0xfc
      : 0;
  }

  /**
   * Reports a rule broken and answers with Asterisk's `ERROR` event (_create_event_ERROR),
   * `text` as handle_command writes it (a trailing newline is not repeated in the report).
   */
  #error(rule: string, text: string): void {
    this.#context.violation(rule, text.trimEnd());
    this.#send(`ERROR channel_id:${this.#channelId} error_text:${text}`, {
      event: "ERROR",
      channel_id: this.#channelId,
      error_text: text,
    });
  }

  /** An event without data (_create_event_nodata): its name, or its name and the channel id. */
  #noData(event: string): void {
    this.#send(event, { event, channel_id: this.#channelId });
  }

  /**
   * The answer to a mark or a bulk transfer (_create_event_MEDIA_MARK_PROCESSED,
   * _create_event_MEDIA_BUFFERING_COMPLETED): in plain text the id after a space when the
   * command had one, in JSON the id or "".
   */
  #answer(event: "MEDIA_MARK_PROCESSED" | "MEDIA_BUFFERING_COMPLETED", id?: string): void {
    this.#send(id === undefined ? event : `${event} ${id}`, {
      event,
      channel_id: this.#channelId,
      correlation_id: id ?? "",
    });
  }

  /** GET_STATUS's answer (_create_event_STATUS). */
  #status(): void {
    const queueLength = this.#queuedFrames();
    const queueFull = !Number.isNaN(this.#xoffAt);
    this.#send(
      `STATUS channel_id:${this.#channelId} queue_length:${queueLength} ` +
        `xon_level:${XON_FRAMES} xoff_level:${XOFF_FRAMES} queue_full:${queueFull} ` +
        `bulk_media:${this.#bulk} media_paused:${this.#paused}`,
      {
        event: "STATUS",
        channel_id: this.#channelId,
        queue_length: queueLength,
        xon_level: XON_FRAMES,
        xoff_level: XOFF_FRAMES,
        queue_full: queueFull,
        bulk_media: this.#bulk,
        media_paused: this.#paused,
      },
    );
  }

  /**
   * Sends an event in the call's control format: `plain` as it is, or `json` as Jansson writes
   * it, its keys in the order given (each caller's is its `ast_json_pack` order).
   */
  #send(plain: string, json: Record<string, unknown>): void {
    this.#context.send(this.#json ? janssonCompact(json) : plain);
  }
}

/**
 * A TEXT message as process_text_message reads it: a C string (cut at a NUL), `ast_strip`ped
 * (bytes below 33 off both ends, where `trim()` takes Unicode spaces too and leaves control
 * characters).
 */
function astStrip(text: string): string {
  const nul = text.indexOf("\0");
  let end = nul < 0 ? text.length : nul;
  let start = 0;
  while (start < end && text.charCodeAt(start) < 33) start++;
  while (end > start && text.charCodeAt(end - 1) < 33) end--;
  return text.slice(start, end);
}
