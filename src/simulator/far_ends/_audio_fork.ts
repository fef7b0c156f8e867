/**
 * The bot-to-platform half of FreeSWITCH's `mod_audio_fork` with bidirectional streaming, which
 * jambonz's `listen` verb runs on: binary L16 to play, and the JSON commands the jambonz `listen`
 * page documents ("Streaming bi-directional audio" → "Commands": `disconnect`, `killAudio`,
 * `mark`, `clearMarks`; "non-streaming": `playAudio`) and the module's README lists
 * (`transcription`, `transfer`, `error`, `json`: events for the application, no effect on the
 * call). Shared by the jambonz and FreeSWITCH far ends; written from those pages and from the
 * module's code (jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp` at 30f21899, cited as
 * `lws_glue.cpp:line`), apart from the serializers under test.
 *
 * The module reads a command's type as `parse_json` does (`parser.cpp:13-19`): from the first key
 * that is "type" in any case (FreeSWITCH's cJSON_GetObjectItem ignores case), when it holds a
 * string; any other JSON is type `json`. Which of the events it raises anything hears is the
 * platform's ({@linkcode AudioForkPlatform.heardEvents}): an event nothing hears is dropped
 * unseen, a violation, as an unknown type is.
 *
 * How the module really plays, which a bot sees and this far end therefore does:
 *
 * - Audio goes into a pre-buffer first, and moves to the playout buffer only when the pre-buffer
 *   holds 1280 × the downscale factor samples (the first time) or 640 × it (after): 160 ms, then
 *   80 ms, of the call's codec rate (`lws_glue.cpp:108`, `:116`, `:487`). Only a binary message
 *   moves it: what is below the threshold when a reply ends waits for the next reply's audio.
 * - A `mark` waits in an inventory until the next binary message, which puts the sample 0xFFFF
 *   before its audio in the pre-buffer (`:80-101`). A 0xFFFF reaching the speaker answers the
 *   oldest mark in use, or silently takes a name off the "cleared" list while that holds any
 *   (`:994-1010`); so does an audio sample of -1. While no mark is in use or cleared and the
 *   playout buffer is empty, one inventory mark is answered per 20 ms frame at once, though its
 *   audio may still sit in the pre-buffer (`:1035-1041`).
 * - `killAudio` only sets a flag (`:291-299`): the next 20 ms frame empties the playout buffer
 *   (`:939-942`), markers and all, but not the pre-buffer; marks in use and in inventory then are
 *   answered `cleared`, and those in use go to the cleared list (`:946-960`), from which later
 *   markers take names first. Audio (and marks) that arrive between the command and that frame
 *   are cleared with the old reply, where they reach the playout buffer. `clearMarks` moves
 *   marks in use and in inventory there too (`:327-330`).
 * - When the stream's rate is not the channel's, the pre-buffer, markers included, goes through
 *   a resampler (`:136-152`, `:521-523`): the markers do not come out as 0xFFFF, and the marks
 *   are never answered (modelled as lost; a filtered sample that happens to be -1 answering one
 *   falsely is not modelled).
 *
 * @module
 */

import type { FarEndContext } from "../far_end.ts";
import { samplesFromLittleEndian } from "./_json_events.ts";

/** The module's mark sentinel (`AUDIO_MARKER`). */
const MARKER = 0xffff;
/** The module keeps at most this many marks in use and in inventory (`MAX_MARKS`). */
const MAX_MARKS = 30;
/** The media bug's frame: the module plays, and answers inventory marks, once per frame. */
const FRAME_MS = 20;

/** The option both platforms take for the channel the module plays into. */
export interface AudioForkChannelOptions {
  /**
   * The channel's own rate (its codec's: 8000 for G.711, 16000 for G.722). Where it is not the
   * stream's, the module resamples the bot's audio, and its marks with it (they are lost).
   *
   * @default {the stream's rate}
   */
  channelSampleRate?: number;
}

/**
 * The channel's rate: `channelSampleRate`, or the stream's when it is not given. Throws a
 * `RangeError` unless it is a positive integer.
 */
export function channelRateOf(options: AudioForkChannelOptions, streamSampleRate: number): number {
  const rate = options.channelSampleRate ?? streamSampleRate;
  if (!Number.isInteger(rate) || rate <= 0) {
    throw new RangeError(`channelSampleRate must be a positive integer, got ${rate}`);
  }
  return rate;
}

/** How one platform names its rules and ends its calls. */
export interface AudioForkPlatform {
  /** The rule prefix (`"jambonz"`, `"freeswitch"`). */
  protocol: string;
  /** What `disconnect` does: jambonz closes the socket and ends the `listen`. */
  onDisconnect(): void;
  /** The rate of the bot's streamed audio (`bidirectionalAudio.sampleRate`). */
  streamSampleRate: number;
  /** The channel's own rate (its codec's: 8000 for G.711); the module resamples to it. */
  channelSampleRate: number;
  /**
   * Of the events the module raises for `transcription`, `transfer`, `error` and `json` (JSON
   * without a type), those something on the platform listens for: a FreeSWITCH application may
   * subscribe to any; jambonz's `listen` task hears `error` alone (jambonz/jambonz-feature-server
   * `lib/tasks/listen.js`, `_initListeners`, at 389c65e).
   */
  heardEvents: ReadonlySet<string>;
}

/** The events an application on FreeSWITCH may subscribe to: all the module raises. */
export const ALL_MODULE_EVENTS: ReadonlySet<string> = new Set([
  "transcription",
  "transfer",
  "error",
  "json",
]);

/**
 * `object`'s field as the module reads it: the first key that is `name` in any case
 * (`cJSON_GetObjectItem`, FreeSWITCH `src/switch_json.c`); `undefined` unless `object` is one.
 */
function moduleField(object: unknown, name: string): unknown {
  if (typeof object !== "object" || object === null || Array.isArray(object)) return undefined;
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((k) =>
    k.length === name.length && k.toLowerCase() === lower
  );
  return key === undefined ? undefined : (object as Record<string, unknown>)[key];
}

/** The command's type as `parse_json` reads it: the "type" string, else `json`. */
function commandType(message: unknown): string {
  const type = moduleField(message, "type");
  return typeof type === "string" ? type : "json";
}

/** Plays the bot's streamed audio and obeys its commands, as `mod_audio_fork` does. */
export class AudioForkPlayback {
  readonly #context: FarEndContext;
  readonly #platform: AudioForkPlatform;
  /** `downscale_factor`: the pre-buffer's thresholds scale with it. */
  readonly #downscale: number;
  readonly #resampled: boolean;
  /** The pre-buffer, as the module's 16-bit values (0xFFFF a marker). */
  #pre: number[] = [];
  /** `streamingPreBufSize`: 80 ms, then 40 ms, of 16 kHz (so 160 ms, then 80 ms, at 8 kHz). */
  #threshold: number;
  #inventory: string[] = [];
  #inUse: string[] = [];
  #cleared: string[] = [];
  #watchingInventory = false;
  /** A `killAudio` was read and the frame that acts on it has not come (see #killAtNextFrame). */
  #killPending = false;
  /** Batches in the playout buffer that the next tick's frame starts on (see #toPlayout). */
  #waiting: number[][] = [];

  constructor(context: FarEndContext, platform: AudioForkPlatform) {
    this.#context = context;
    this.#platform = platform;
    const { streamSampleRate: stream, channelSampleRate: channel } = platform;
    this.#downscale = stream > channel ? Math.floor(stream / channel) : 1;
    this.#resampled = stream !== channel;
    this.#threshold = 320 * this.#downscale * 4;
  }

  /** One message from the bot. */
  receive(data: string | Uint8Array): void {
    const context = this.#context;
    const rule = (name: string) => `${this.#platform.protocol}.${name}`;
    if (typeof data !== "string") {
      if (data.length % 2 !== 0) {
        context.violation(
          rule("odd-length"),
          `a ${data.length}-byte binary message is not whole 16-bit samples`,
        );
      }
      return this.#binary(samplesFromLittleEndian(data));
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return context.violation(rule("bad-json"), `not JSON: ${data.slice(0, 60)}`);
    }
    const type = commandType(message);
    switch (type) {
      case "killAudio":
        return this.#killAtNextFrame();
      case "mark": {
        const name = moduleField(moduleField(message, "data"), "name");
        if (typeof name !== "string") {
          return context.violation(
            rule("bad-mark"),
            `mark without data.name: ${data.slice(0, 60)}`,
          );
        }
        // Counted where the module gets it; its answer is counted where it is sent (#answer).
        context.markRequested(name);
        if (this.#inUse.length + this.#inventory.length >= MAX_MARKS) {
          // The module logs it and goes on: the mark is never answered.
          context.markSettled(name, "dropped");
          return context.note(`${this.#platform.protocol} mark discarded (${MAX_MARKS} pending)`);
        }
        this.#inventory.push(name);
        void this.#watchInventory();
        return;
      }
      case "clearMarks":
        // No event for any of them; their names wait in the cleared list for markers to take.
        for (const name of [...this.#inUse, ...this.#inventory]) {
          context.markSettled(name, "dropped");
        }
        this.#cleared.push(...this.#inUse, ...this.#inventory);
        this.#inUse = [];
        this.#inventory = [];
        return;
      case "disconnect":
        return this.#platform.onDisconnect();
      case "playAudio":
        return context.violation(
          rule("play-audio-while-streaming"),
          "playAudio is the non-streaming mode; with bidirectional streaming send binary audio",
        );
      case "transcription":
      case "transfer":
      case "error":
      case "json":
        if (this.#platform.heardEvents.has(type)) {
          return context.note(`${this.#platform.protocol} ${type}`);
        }
        return context.violation(
          rule("unheard-event"),
          `${type === "json" ? `no command type in ${data.slice(0, 60)}` : type}: the module ` +
            `raises mod_audio_fork::${type}, which nothing on ${this.#platform.protocol} hears`,
        );
      default:
        return context.violation(
          rule("unknown-command"),
          `unknown command type ${JSON.stringify(type)}`,
        );
    }
  }

  /** `processIncomingBinary`: markers for the inventory, then the audio, into the pre-buffer. */
  #binary(samples: Int16Array): void {
    for (const _ of this.#inventory) this.#pre.push(MARKER);
    this.#inUse.push(...this.#inventory);
    this.#inventory = [];
    for (const sample of samples) this.#pre.push(sample & 0xffff);
    if (this.#pre.length < this.#threshold) return; // held for the next binary message
    this.#threshold = 320 * this.#downscale * 2;
    // Samples beyond a whole multiple of the downscale factor stay for next time.
    const whole = this.#pre.length - (this.#pre.length % this.#downscale);
    const out = this.#pre.slice(0, whole);
    this.#pre = this.#pre.slice(whole);
    this.#toPlayout(out);
  }

  /**
   * Into the playout buffer, where the media bug takes one frame at each 20 ms tick
   * (`dub_speech_frame`, `:929`, copying at most a frame's samples at `:975`): audio that comes
   * while the buffer has run dry plays from the next tick, not at once. A batch that comes on a
   * tick counts as after it (the socket delivered it; the tick's frame was built from what the
   * buffer held), as the check for inventory marks at that tick counts it (#watchInventory):
   * else the simulator would play the batch from that tick yet answer a waiting mark there as if
   * the buffer were empty, before the audio ahead of the mark played (`:1035-1041` answers only
   * from a frame that found the buffer empty).
   */
  #toPlayout(values: number[]): void {
    const context = this.#context;
    if (this.#waiting.length > 0) {
      this.#waiting.push(values);
      return;
    }
    const now = context.now();
    const tick = (Math.floor(now / FRAME_MS) + 1) * FRAME_MS;
    // What is queued plays on to the next tick or beyond: the batch follows it without a break.
    if (now + context.queuedMs() >= tick - 1e-6) return this.#playout(values);
    this.#waiting.push(values);
    context.sleep(tick - now).then(() => {
      const batches = this.#waiting;
      this.#waiting = [];
      for (const batch of batches) this.#playout(batch);
    }, () => {/* the call is over */});
  }

  /** Into the playout buffer: the audio, and each marker where it sits. */
  #playout(values: number[]): void {
    const context = this.#context;
    let run: number[] = [];
    const flush = () => {
      if (run.length > 0) context.play(Int16Array.from(run));
      run = [];
    };
    for (const value of values) {
      // Through the resampler a marker is a sample like any other: it does not come out as one.
      if (value !== MARKER || this.#resampled) {
        run.push(value);
        continue;
      }
      flush();
      // Emptied by killAudio, the playout buffer drops its markers with it: no event. A marker is
      // the module's own, not a mark the bot asked for: which mark it answers, if any, is known
      // only when it plays (#markerPlayed), and the answer is counted there.
      context.whenPlayed("drop", () => this.#markerPlayed());
    }
    flush();
  }

  /** A marker reached the speaker: a cleared name goes silently, else the oldest in use plays. */
  #markerPlayed(): void {
    if (this.#cleared.length > 0) {
      this.#cleared.shift();
      return;
    }
    const name = this.#inUse.shift();
    if (name !== undefined) this.#answer(name, "playout");
    // With no mark in use or cleared the module plays the 0xFFFF as a sample of -1.
  }

  /**
   * `killAudio` read: `clear_bidirectional_audio_buffer` set (`:299`), for the next frame
   * (`dub_speech_frame`, `:939`) to act on. Set twice before that frame, it clears once.
   */
  #killAtNextFrame(): void {
    if (this.#killPending) return;
    this.#killPending = true;
    const context = this.#context;
    const now = context.now();
    const frame = (Math.floor(now / FRAME_MS) + 1) * FRAME_MS;
    context.sleep(frame - now).then(() => {
      this.#killPending = false;
      this.#kill();
    }, () => {/* the call is over */});
  }

  /**
   * The frame after `killAudio`: the playout buffer goes, markers and all; the pre-buffer stays.
   */
  #kill(): void {
    for (const name of [...this.#inUse, ...this.#inventory]) this.#answer(name, "cleared");
    this.#cleared.push(...this.#inUse);
    this.#inUse = [];
    this.#inventory = [];
    // In the module's playout buffer already: cleared with it.
    this.#waiting = [];
    this.#context.clear();
  }

  /**
   * Once per frame while marks wait in inventory: with no mark in use or cleared and nothing in
   * the playout buffer, the oldest is answered as played, whatever the pre-buffer holds.
   */
  async #watchInventory(): Promise<void> {
    if (this.#watchingInventory) return;
    this.#watchingInventory = true;
    const context = this.#context;
    try {
      while (this.#inventory.length > 0) {
        await context.sleep(FRAME_MS - (context.now() % FRAME_MS));
        if (
          // The frame that clears answers the inventory `cleared` instead (`:946-960`).
          !this.#killPending &&
          this.#inventory.length > 0 && this.#inUse.length + this.#cleared.length === 0 &&
          context.queuedMs() < 1e-6 && this.#waiting.length === 0
        ) {
          this.#answer(this.#inventory.shift()!, "playout");
        }
      }
    } catch {
      // The call is over.
    } finally {
      this.#watchingInventory = false;
    }
  }

  #answer(name: string, event: "playout" | "cleared"): void {
    this.#context.markSettled(name, event === "playout" ? "played" : "cleared");
    // Written as the module writes it (send_mark_event in lws_glue.cpp): the name goes in
    // unescaped, so a name with a quote or a backslash comes back broken, as it would.
    this.#context.send(`{"type": "mark", "data": {"name":"${name}", "event": "${event}"}}`);
  }
}
