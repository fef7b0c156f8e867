/**
 * FreeSWITCH's `mod_audio_fork` with bidirectional streaming: {@linkcode FreeSwitchSerializer}.
 *
 * @module
 */

import type { Frame, StartFrame } from "../frames.ts";
import type {
  FrameSerializer,
  SerializedMessage,
  SerializerAudioSetup,
  SerializerContext,
  SerializeResult,
} from "../serializer.ts";
import { TransportError } from "../errors.ts";
import {
  ahead,
  checkForkCommand,
  DISCONNECT,
  flushThenEnd,
  type ForkCommands,
  markWithTail,
  moduleKey,
  rateWarning,
  refusePackets,
  withoutMarkSentinel,
} from "./_audio_fork.ts";
import { minLeadMs } from "./_fork_buffers.ts";
import { ForkMarks } from "./_fork_marks.ts";
import { isObject, type JsonObject } from "./telephony/_json_value.ts";
import { JsonReader } from "./telephony/json_reader.ts";
import { TelephonyAudio } from "./telephony/telephony_audio.ts";
import { setOwnField } from "./_own_field.ts";

/** `mod_audio_fork`'s default subprotocol (`MOD_AUDIO_FORK_SUBPROTOCOL_NAME` changes it). */
export const FREESWITCH_SUBPROTOCOL = "audio.drachtio.org";

const PROVIDER = "FreeSWITCH";
/** Metadata fields that name the call, in the order they are looked for. */
const CALL_ID_FIELDS = ["callid", "callId", "call_id", "uuid", "callSid", "call_uuid"];

/** Options for {@linkcode FreeSwitchSerializer}. */
export interface FreeSwitchSerializerOptions {
  /**
   * The `<sampling-rate>` of `uuid_audio_fork <uuid> start`: the rate of the caller's audio
   * (`8k` is 8000, `16k` 16000; any other rate is given in Hz, `24000`: the module reads `24k`
   * as 24 Hz). One of 8000, 16000, 24000, 48000.
   *
   * @default {8000}
   */
  sampleRate?: number;
  /**
   * `bidirectionalAudio_stream_samplerate`: the rate of the audio sent back. One of 8000,
   * 16000, 24000, 48000.
   *
   * @default {the `sampleRate` option}
   */
  streamSampleRate?: number;
  /**
   * The `<mix-type>`: `mono` (the caller alone) or `mixed` (both parties in one channel, so the
   * bot hears itself). `stereo` carries two channels, which this serializer does not take.
   *
   * @default {"mono"}
   */
  mixType?: "mono" | "mixed";
}

/**
 * Frames ⇄ FreeSWITCH `mod_audio_fork` messages, as the module's README documents them
 * (drachtio/drachtio-freeswitch-modules; with the bidirectional streaming of
 * jambonz/freeswitch-modules, 2024), for a fork started with
 * `uuid_audio_fork <uuid> start <wss-url> mono <rate> <bugname> <metadata> true true <rate>`.
 * Accept the socket with the subprotocol {@linkcode FREESWITCH_SUBPROTOCOL} (or the module's
 * `MOD_AUDIO_FORK_SUBPROTOCOL_NAME`).
 *
 * Inbound: the first text frame, unless audio or one of the events below came first, is the
 * start command's (optional) `metadata` → a `start` frame: a JSON object's fields as `params`
 * (nested ones as JSON), `callId` from `callid`, `callId`, `call_id`, `uuid`, `callSid` or
 * `call_uuid` if there is one; other text as `params.metadata`. Binary frames are L16 at {@linkcode FreeSwitchSerializerOptions.sampleRate}. Later text
 * frames (`uuid_audio_fork <uuid> send_text …` from the application): `{"type":"mark",…}` →
 * that `mark` (played, or cleared by `killAudio`); `{"event":"dtmf","dtmf":"5"}` (jambonz's
 * form, the one to use from a dialplan or ESL application) → `dtmf`; any other JSON, or text,
 * → a `message` frame.
 *
 * Outbound: `audio` → binary L16 at `streamSampleRate` (sample value -1 nudged to -2: the module
 * reads 0xFFFF as a mark's place); `interruption` → `killAudio`, then a mark of the serializer's
 * own, sending paused until the module answers it (it clears only at its next 20 ms tick: audio
 * sent before that would be cleared too; 1 s at most, then reported); `mark` → `mark`, sent right
 * before the next audio or at the reply's end (at most 30 waiting, the transport's own at most 24
 * of them; see `_fork_marks.ts` for why, and for the silence and sentinel samples sent for the
 * module's pre-buffer and mark lists; a `streamSampleRate` other than `sampleRate` is reported
 * once, at the first message, as a "protocol" error: the module's resampling then erases its
 * marks);
 * `end` (once the reply's last batch has played) / `cancel` → `disconnect`, which raises
 * `mod_audio_fork::disconnect` for the application to hang up (the module leaves the channel
 * up); `message` → its JSON, a command the module acts on (`clearMarks`, `transcription`,
 * `transfer`, `disconnect`, `error`, `json`; `playAudio`, which a streaming fork ignores), or
 * JSON with no `type` string, which the module raises as `mod_audio_fork::json` for the
 * application; anything else is an encode error: a type the module does not know, another
 * spelling of the key ahead of `type` (the module's keys ignore case), a `playAudio` the module
 * would crash on (no `data.audioContentType` string) or file at the wrong rate (`raw` at a
 * `sampleRate` it does not name).
 *
 * `mod_audio_stream` (amigniter): its open-source edition streams the same L16 with a text
 * metadata frame first, and so is read by this serializer; it plays nothing back (sent audio
 * and commands only raise `mod_audio_stream::json` events). Its commercial bidirectional edition
 * speaks a format of its own.
 *
 * @example A fork at 16 kHz
 * ```ts
 * import { FreeSwitchSerializer } from "@x/ws-transport/freeswitch";
 * import assert from "node:assert/strict";
 *
 * const fs = new FreeSwitchSerializer({ sampleRate: 16000 });
 * fs.setup({ inputSampleRate: 16000, inputChannels: 1, outputSampleRate: 16000, outputChannels: 1 });
 * const start = fs.deserialize('{"to":"6173333456","from":"2061236666","callid":"4f1c"}');
 * assert.deepEqual(start, {
 *   type: "start",
 *   callId: "4f1c",
 *   params: { to: "6173333456", from: "2061236666", callid: "4f1c" },
 * });
 * // A mark goes right before the next audio, so its marker goes where it belongs.
 * assert.deepEqual(fs.serialize({ type: "mark", name: "m1" }), []);
 * const next = fs.serialize({ type: "audio", audio: new Uint8Array(640), sampleRate: 16000, channels: 1 });
 * assert.equal((next as unknown[])[0], '{"type":"mark","data":{"name":"m1"}}');
 * assert.deepEqual(
 *   fs.deserialize('{"type":"mark","data":{"name":"m1","event":"playout"}}'),
 *   { type: "mark", name: "m1" },
 * );
 * ```
 */
export class FreeSwitchSerializer implements FrameSerializer {
  /** The module answers a mark once the audio before it has played. */
  readonly playoutMarks = true;
  /**
   * A batch of the module's and a tick at `streamSampleRate` (100 ms at 8 kHz): the default
   * `sendAheadMs`, as the module plays only whole batches (see `minLeadMs` in `_fork_buffers.ts`).
   */
  readonly minSendAheadMs: number;
  readonly #inbound: TelephonyAudio;
  readonly #outbound: TelephonyAudio;
  readonly #marks = new ForkMarks(PROVIDER);
  #started = false;
  #context: SerializerContext | undefined;
  /** What to report at the fork's first message (return and fork rates differ), once. */
  #rateWarning: TransportError | undefined;

  /** Makes a serializer for one fork; see {@linkcode FreeSwitchSerializerOptions}. */
  constructor(options: FreeSwitchSerializerOptions = {}) {
    const rate = checkRate(options.sampleRate ?? 8000, "sampleRate");
    const stream = checkRate(options.streamSampleRate ?? rate, "streamSampleRate");
    const mixType: string = options.mixType ?? "mono";
    if (mixType !== "mono" && mixType !== "mixed") {
      throw new RangeError(
        `mixType must be "mono" or "mixed" (one channel), got ${JSON.stringify(mixType)}`,
      );
    }
    this.#inbound = new TelephonyAudio({
      encoding: "pcm16le",
      sampleRate: rate,
      provider: PROVIDER,
    });
    this.#outbound = new TelephonyAudio({
      encoding: "pcm16le",
      sampleRate: stream,
      provider: PROVIDER,
    });
    this.minSendAheadMs = minLeadMs(stream);
    // Its pre-buffer holds audio that has left (see `ForkMarks.holdsFor`).
    this.#marks.holdsFor(this, () => stream);
    this.#rateWarning = rateWarning(
      PROVIDER,
      stream,
      "bidirectionalAudio_stream_samplerate",
      rate,
      "the fork's sampling rate",
    );
  }

  /**
   * Takes the transport's context, to send what mark answers call for at once, and to report
   * marks the module cannot answer.
   */
  bind(context: SerializerContext): void {
    this.#context = context;
    this.#marks.bind(context);
  }

  /** Takes the transport's audio settings. */
  setup(audio: SerializerAudioSetup): void {
    this.#inbound.setup(audio);
    // Only so that it lets go of its resampler and slab once the session is over (the settings
    // are the inbound's, which it never decodes): a transport kept after the call holds neither.
    this.#outbound.setup(audio);
    refusePackets(PROVIDER, audio.outputPacketBytes);
    this.#marks.setup(audio.outputChunkMs);
  }

  /** One frame to a `mod_audio_fork` message; see the class description. */
  serialize(frame: Frame): SerializeResult {
    switch (frame.type) {
      case "audio": {
        const bytes = this.#outbound.encode(frame);
        return bytes === null ? null : this.#marks.audio(withoutMarkSentinel(bytes));
      }
      case "interruption":
        this.#outbound.reset();
        return this.#marks.interrupt();
      case "mark":
        return markWithTail(this.#marks, frame.name);
      case "end":
        // What the pre-buffer holds would never play (the module waits for more audio): flushed,
        // and played before the disconnect (see flushThenEnd).
        return flushThenEnd(
          this.#marks,
          this.#outbound.sampleRate,
          this.#context,
          () => DISCONNECT,
        );
      case "cancel":
        // Marks held for audio that will not come go ahead of the goodbye, not after it; nothing
        // armed (a stretch's flush) goes after it, nor an `end`'s goodbye still on its way.
        return ahead(this.#marks.cancel(), this.#context, DISCONNECT);
      case "message":
        checkCommand(frame.message);
        return this.#marks.message(frame.message);
      default:
        return null;
    }
  }

  /**
   * The session ends: marks held for audio that will not come go now, or are counted lost; the
   * caller's last samples the inbound resampler held back are handed on (mod_audio_fork ends the
   * stream by closing the socket).
   */
  finish(): Frame[] | null {
    this.#marks.stop();
    const tail = this.#inbound.flushInbound();
    return tail === null ? null : [tail];
  }

  /**
   * A stretch of the bot's audio ended: what the resampler still holds of it goes as its last
   * audio, a fraction of a millisecond, where it plays on; else it is dropped, not left to go in
   * front of the next reply (see `FrameSerializer.audioEnds`).
   */
  audioEnds(playing: boolean): SerializedMessage | SerializedMessage[] | null {
    const tail = this.#outbound.endOutbound(playing);
    // Marks held for the next audio go now, or with the pre-buffer's flush (`ForkMarks.ended`).
    return this.#marks.ended(tail === null ? null : withoutMarkSentinel(tail));
  }

  /** One `mod_audio_fork` message to frames; malformed input throws `TransportError("decode")`. */
  deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    if (this.#rateWarning !== undefined) {
      // At the fork's first message, metadata or audio: the session has begun, so a bot listening
      // for errors hears it, and the rates were set by the start command.
      this.#context?.report(this.#rateWarning);
      this.#rateWarning = undefined;
    }
    if (typeof data !== "string") {
      // The metadata, when there is any, comes before the audio: after audio, text is an event.
      this.#started = true;
      return data.length === 0 ? null : this.#inbound.decode(data);
    }
    const value = parseJson(data);
    const event = isObject(value)
      ? this.#marks.read(new JsonReader(value, { provider: PROVIDER }))
      : undefined;
    // The metadata is optional: a first text that is the module's own event (a mark echoed
    // back) is that event, not the metadata.
    if (!this.#started && event === undefined) return this.#start(data, value);
    this.#started = true;
    return event === undefined
      ? { type: "message", message: value === undefined ? data : value }
      : event;
  }

  /** The metadata frame: whatever the start command carried. */
  #start(text: string, value: unknown): StartFrame {
    this.#started = true;
    if (!isObject(value)) return { type: "start", params: { metadata: text } };
    const params: Record<string, string> = {};
    for (const [key, field] of Object.entries(value)) {
      if (field === undefined || field === null) continue;
      setOwnField(params, key, typeof field === "string" ? field : JSON.stringify(field));
    }
    const start: StartFrame = { type: "start" };
    const callId = CALL_ID_FIELDS.map((key) => value[key]).find((v) => typeof v === "string");
    if (typeof callId === "string") start.callId = callId;
    start.params = params;
    return start;
  }
}

/**
 * The rates this serializer streams at, both ways: `mod_audio_fork`'s (its `8k`/`16k` and the
 * L16 rates of `bidirectionalAudio_stream_samplerate`), named, not read off the resampler's list,
 * which carries rates (32, 96 kHz) no fork stream is known to use.
 */
const FORK_RATES: readonly number[] = [8000, 16000, 24000, 48000];

function checkRate(rate: number, name: string): number {
  if (!FORK_RATES.includes(rate)) {
    throw new RangeError(`${name} must be one of ${FORK_RATES.join(", ")}, got ${rate}`);
  }
  return rate;
}

/**
 * The commands `mod_audio_fork` acts on (`processIncomingMessage`, jambonz/freeswitch-modules
 * `mod_audio_fork/lws_glue.cpp` at 30f21899, :212-383): `killAudio` and `mark` go as frames
 * (`ForkMarks` refuses them as messages), `playAudio` only where the fork has no bidirectional
 * streaming, the rest raise an event of the module's for the application. JSON without a "type"
 * string is type `json`: it raises `mod_audio_fork::json`, and goes.
 */
const MODULE_COMMANDS: ForkCommands = {
  acted: new Set([
    "killAudio",
    "mark",
    "clearMarks",
    "playAudio",
    "transcription",
    "transfer",
    "disconnect",
    "error",
    "json",
  ]),
  untyped: undefined,
  unknown: () =>
    "is not a mod_audio_fork command: the module drops it with only a log line (`:384`); it acts " +
    "on clearMarks, transcription, transfer, disconnect, error, json (or no type) and (without " +
    "bidirectional streaming) playAudio",
};

/** The rates `playAudio` names raw audio's file by (`lws_glue.cpp:226-251`); any other, 16 kHz. */
const PLAY_AUDIO_RATES: ReadonlySet<unknown> = new Set([8000, 16000, 24000, 32000, 48000, 64000]);

/**
 * Throws the encode error for a `message` frame the module would drop with only a log line, or
 * read otherwise than the serializer did (see `checkForkCommand`), or crash on. `playAudio` (on a
 * fork without streaming; a streaming one ignores it) reads `data.audioContentType` with `strcmp`
 * whenever `data` is there, null included: not a string, FreeSWITCH itself crashes (`:216-225`;
 * drachtio's `lws_glue.cpp:42-51` alike); raw audio at a rate it does not name is filed as 16 kHz,
 * and plays at the wrong speed. JSON that names no command goes: the module raises
 * `mod_audio_fork::json` with it, for an application listening for that event.
 */
function checkCommand(message: unknown): void {
  checkForkCommand(PROVIDER, message, MODULE_COMMANDS);
  if (isObject(message) && message.type === "playAudio") checkPlayAudio(message);
}

/** See {@linkcode checkCommand}: a `playAudio` the module files as it says, or drops unseen. */
function checkPlayAudio(message: JsonObject): void {
  const dataKey = moduleKey(message, "data");
  const data = dataKey === undefined ? undefined : message[dataKey];
  const contentKey = isObject(data) ? moduleKey(data, "audioContentType") : undefined;
  const content = contentKey === undefined ? undefined : (data as JsonObject)[contentKey];
  let problem: string | undefined;
  if (typeof content !== "string") {
    problem = dataKey === undefined
      ? "has no data: the module drops it"
      : "has no data.audioContentType string: the module (without bidirectional streaming) " +
        "reads it unchecked and FreeSWITCH crashes";
  } else if (content === "raw") {
    const rateKey = moduleKey(data as JsonObject, "sampleRate");
    const rate = rateKey === undefined ? undefined : (data as JsonObject)[rateKey];
    if (!PLAY_AUDIO_RATES.has(rate)) {
      problem = `names raw audio at sampleRate ${JSON.stringify(rate)}: the module files it as ` +
        `16 kHz audio; give a number of ${[...PLAY_AUDIO_RATES].join(", ")}`;
    }
  }
  if (problem === undefined) return;
  throw new TransportError("encode", `${PROVIDER}: playAudio ${problem}`);
}

/** `text` as JSON, or `undefined` when it is not JSON (metadata may be any text). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
