/**
 * Exotel's Voicebot applet (bidirectional AgentStream): {@linkcode ExotelSerializer}.
 *
 * @module
 */

import type { Frame } from "../frames.ts";
import type { FrameSerializer, SerializerAudioSetup, SerializerContext } from "../serializer.ts";
import { OrderedMedia } from "./telephony/ordered_media.ts";
import { CallIds } from "./telephony/call_ids.ts";
import { JsonReader } from "./telephony/json_reader.ts";
import { readMediaMessage } from "./telephony/media_message.ts";
import { TelephonyAudio } from "./telephony/telephony_audio.ts";

const PROVIDER = "Exotel";
/** The rates Exotel's `sample-rate` URL parameter allows. */
const EXOTEL_RATES = [8000, 16000, 24000];

/** Options for {@linkcode ExotelSerializer}. */
export interface ExotelSerializerOptions {
  /**
   * The stream SID; learned from Exotel's `start` message.
   *
   * @default {undefined}
   */
  streamSid?: string;
  /**
   * The call SID; learned from the `start` message.
   *
   * @default {undefined}
   */
  callSid?: string;
  /**
   * The wire sample rate until `start.media_format.sample_rate` says otherwise: 8000, 16000 or
   * 24000 (the `?sample-rate=` of the Voicebot applet's URL).
   *
   * @default {8000}
   */
  sampleRate?: number;
}

/**
 * Speaks Exotel's Voicebot (bidirectional stream) protocol: base64 PCM16 little-endian mono at
 * 8 kHz (16 or 24 kHz when the applet's URL asks for it) in JSON text messages with snake_case
 * ids.
 *
 * Inbound: `start` → a `start` frame (`stream_sid`, `call_sid`, `custom_parameters` as
 * `params`); `media` → `audio`; `dtmf` → `dtmf`; `mark` → `mark`; `stop` → `end` (with
 * `stop.reason` when given). `connected` and other events arrive as `message` frames.
 *
 * Outbound: `audio` → one `media` message per frame; `mark` → `mark`; `interruption` → `clear`;
 * `message` → its JSON as is. Exotel has no hang-up in this protocol: `end`/`cancel` produce
 * nothing (closing the socket ends the stream and the flow moves on to the next applet).
 *
 * Exotel asks for outbound messages of at least 3,200 bytes in multiples of 320 bytes (its pages
 * call that 100 ms, which holds at 16 kHz; at the default 8 kHz it is 200 ms): one message goes
 * per frame, so give the transport `audioOut.chunkMs: 200` at 8 kHz (100 at 16 kHz).
 *
 * @example A start message
 * ```ts
 * import { ExotelSerializer } from "@x/ws-transport/exotel";
 * import assert from "node:assert/strict";
 *
 * const exotel = new ExotelSerializer();
 * const start = exotel.deserialize(JSON.stringify({
 *   event: "start",
 *   stream_sid: "st1",
 *   start: { stream_sid: "st1", call_sid: "ca1", custom_parameters: { lang: "hi" },
 *     media_format: { encoding: "audio/x-raw", sample_rate: "8000", bit_rate: "16" } },
 * }));
 * assert.deepEqual(start, { type: "start", streamId: "st1", callId: "ca1", params: { lang: "hi" } });
 * assert.equal(exotel.serialize({ type: "interruption" }), '{"event":"clear","stream_sid":"st1"}');
 * ```
 */
export class ExotelSerializer implements FrameSerializer {
  /** Exotel echoes a mark once the audio sent before it has played. */
  readonly playoutMarks = true;
  #audio: TelephonyAudio;
  #media: OrderedMedia;
  #ids: CallIds;

  /** Makes a serializer for one call; see {@linkcode ExotelSerializerOptions}. */
  constructor(options: ExotelSerializerOptions = {}) {
    const sampleRate = options.sampleRate ?? 8000;
    if (!EXOTEL_RATES.includes(sampleRate)) {
      throw new RangeError(`sampleRate must be 8000, 16000 or 24000, got ${sampleRate}`);
    }
    this.#audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate, provider: PROVIDER });
    this.#media = new OrderedMedia({ audio: this.#audio, provider: PROVIDER });
    this.#ids = new CallIds({
      provider: PROVIDER,
      streamField: "stream_sid",
      streamId: options.streamSid,
      callId: options.callSid,
    });
  }

  /** The stream SID, once known. */
  get streamSid(): string | undefined {
    return this.#ids.streamId;
  }

  /** The call SID, once known. */
  get callSid(): string | undefined {
    return this.#ids.callId;
  }

  /** Takes the transport's context: media repairs and drops count in `transport.stats`. */
  bind(context: SerializerContext): void {
    this.#media.bind(context);
  }

  /** Takes the transport's audio settings. */
  setup(audio: SerializerAudioSetup): void {
    this.#audio.setup(audio);
  }

  /** One outbound frame to an Exotel message; see the class description. */
  serialize(frame: Frame): string | null {
    switch (frame.type) {
      case "audio": {
        const payload = this.#audio.encodeBase64(frame);
        return payload === null
          ? null
          : `{"event":"media","stream_sid":${this.#ids.streamIdJson()},"media":{"payload":"${payload}"}}`;
      }
      case "mark":
        return this.#ids.streamEvent("mark", { mark: { name: frame.name } });
      case "interruption":
        this.#audio.reset();
        return this.#ids.streamEvent("clear");
      case "message":
        return JSON.stringify(frame.message);
      default:
        return null;
    }
  }

  /** One Exotel message to frames; malformed input throws `TransportError("decode")`. */
  deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    const message = JsonReader.parse(data, PROVIDER);
    switch (message.string("event")) {
      case "media": {
        // Exotel's media names no track: every media message carries the caller's audio.
        return this.#media.push(readMediaMessage(message)!);
      }
      case "start":
        this.#media.reset();
        return this.#start(message);
      case "dtmf":
        return { type: "dtmf", digit: message.object("dtmf").dtmfDigit("digit") };
      case "mark":
        return { type: "mark", name: message.object("mark").string("name") };
      case "stop": {
        const reason = message.optionalObject("stop")?.optionalString("reason");
        return [...this.#media.flush(), { type: "end", reason: reason ?? "stop" }];
      }
      default:
        return { type: "message", message: message.value };
    }
  }

  #start(message: JsonReader): Frame {
    const start = message.object("start");
    const params = start.optionalStringRecord("custom_parameters") ?? {};
    const format = start.optionalObject("media_format");
    const rate = format?.optionalNumber("sample_rate");
    if (rate !== undefined) {
      if (!EXOTEL_RATES.includes(rate)) {
        throw message.error(`start.media_format.sample_rate is ${rate}, not 8000, 16000 or 24000`);
      }
      this.#audio.configure({ sampleRate: rate });
    }
    return this.#ids.readStart(message, { callField: "call_sid", params });
  }
}
