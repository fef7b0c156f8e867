/**
 * Plivo audio streams (bidirectional `<Stream>`): {@linkcode PlivoSerializer} and
 * {@linkcode verifyPlivoSignature} for Plivo's V3 request signatures.
 *
 * @module
 */

import { toJson } from "./_to_json.ts";
import type { Frame } from "../frames.ts";
import type { FrameSerializer, SerializerAudioSetup, SerializerContext } from "../serializer.ts";
import { TransportError } from "../errors.ts";
import { basicAuth } from "./telephony/basic_auth.ts";
import { CallIds } from "./telephony/call_ids.ts";
import { EndOfStream } from "./telephony/_end_of_stream.ts";
import {
  HangUp,
  type HangUpRequest,
  type HangUpSerializerOptions,
  pathSegment,
} from "./telephony/hang_up.ts";
import { JsonReader } from "./telephony/json_reader.ts";
import { readMediaMessage } from "./telephony/media_message.ts";
import { OrderedMedia } from "./telephony/ordered_media.ts";
import { stageForStart } from "./telephony/_inbound_order.ts";
import { RefusedFormat } from "./telephony/_refused_format.ts";
import { readMediaFormat } from "./telephony/media_format.ts";
import { TelephonyAudio } from "./telephony/telephony_audio.ts";
import { encodeBase64 } from "./telephony/base64.ts";
import type { TelephonyEncoding } from "./telephony/telephony_encoding.ts";
import { setOwnField } from "./_own_field.ts";
import { phoneDigit } from "../_keypad_digits.ts";

export { verifyPlivoSignature, type VerifyPlivoSignatureOptions } from "./plivo_signature.ts";

const PROVIDER = "Plivo";
const INBOUND_TRACKS = ["inbound"];
/**
 * The encodings Plivo streams and plays back, and the rates it does each at: `audio/x-mulaw` at
 * 8000 and `audio/x-l16` (little-endian) at 8000 or 16000, the only content types and rates of
 * its `<Stream>` (`contentType`: `audio/x-l16;rate=8000`, `audio/x-l16;rate=16000`,
 * `audio/x-mulaw;rate=8000`) and of `playAudio` (`sampleRate`: "audio/x-l16: 8000, 16000;
 * audio/x-mulaw: 8000"). The options and a start's `mediaFormat` are judged by it alike:
 * `#playAudio` can name no other, and another would go out labelled `audio/x-l16` (A-law or
 * big-endian L16, playing as noise) or in a playAudio Plivo refuses; read at another rate, the
 * caller's media would play at the wrong speed.
 */
const PLIVO_RATES: Readonly<Partial<Record<TelephonyEncoding, readonly number[]>>> = {
  mulaw: [8000],
  pcm16le: [8000, 16000],
};
/** What a refused format's error names: what Plivo streams and plays. */
const PLIVO_FORMATS = "Plivo streams audio/x-mulaw at 8000 Hz and audio/x-l16 at 8000 or 16000 Hz";

/** Options for {@linkcode PlivoSerializer}. */
export interface PlivoSerializerOptions extends HangUpSerializerOptions {
  /**
   * The stream id; learned from Plivo's `start` message.
   *
   * @default {undefined}
   */
  streamId?: string;
  /**
   * The call UUID, needed to hang up; learned from the `start` message.
   *
   * @default {undefined}
   */
  callId?: string;
  /**
   * The account's auth id (REST user name). Without it and `authToken`, `end`/`cancel` do not
   * hang up; one of the two without the other is a `RangeError`.
   *
   * @default {undefined}
   */
  authId?: string;
  /**
   * The account's auth token. Given with `authId` or not at all: one without the other is a
   * `RangeError`.
   *
   * @default {undefined}
   */
  authToken?: string;
  /**
   * The wire encoding until `start.mediaFormat` says otherwise: `"mulaw"` (`audio/x-mulaw`) or
   * `"pcm16le"` (`audio/x-l16`, Plivo's default content type, sent little-endian); any other is
   * a `RangeError` (Plivo takes no other content type).
   *
   * @default {"mulaw"}
   */
  encoding?: TelephonyEncoding;
  /**
   * The wire sample rate until `start.mediaFormat` says otherwise: 8000, or 16000 for L16; any
   * other is a `RangeError` (Plivo plays no other).
   *
   * @default {8000}
   */
  sampleRate?: number;
}

/**
 * Speaks Plivo's audio stream protocol (`<Stream bidirectional="true">`): base64 μ-law 8 kHz or
 * L16 8/16 kHz in JSON text messages.
 *
 * Inbound: `start` → a `start` frame (`streamId`, `callId`, the `extraHeaders` pairs as `params`);
 * a `start` whose `mediaFormat` Plivo cannot play back (other than μ-law at 8 kHz or L16 at
 * 8 or 16 kHz, what it leaves out being the stream's, but μ-law named alone being at 8 kHz) is a
 * decode error naming the field and value, its ids kept, and so is every `media` after it until a
 * `start` we decode (counted in `decodeErrors` each, reported once);
 * `media` → `audio`, the caller's track only (with `audioTrack="both"` the outbound track's media
 * is skipped), put in order by `media.chunk` (by `media.timestamp` when `start.tracks` names the
 * outbound track too); `dtmf` → `dtmf`; `playedStream` (a checkpoint has played;
 * `played` in older docs) → `mark`; `stop`, should Plivo send one, → `end` (Plivo reports a stopped stream by HTTP
 * callback and by closing the socket, which the transport reports). `clearedAudio` and other
 * events arrive as `message` frames with Plivo's JSON as is. Media before the first `start` (no
 * `streamId` given in the options) is dropped, as Plivo sends `start` first and it names the
 * format: a decode error, reported once, each counted in `decodeErrors`.
 *
 * Outbound: `audio` → one `playAudio` per frame; `mark` → `checkpoint`; `interruption` →
 * `clearAudio`; `dtmf` → `sendDTMF` (Plivo plays the key into the call: "0"-"9", "*", "#"; a
 * keypad letter "A"-"D" is refused, an `"encode"` error counted in `transport.stats.encodeErrors`,
 * the session going on); `message` → its JSON as
 * is; `end`/`cancel` → DELETE
 * `/v1/Account/{authId}/Call/{callId}/` once when `authId` and `authToken` are set, a 404
 * counting as already ended. Failures throw a `TransportError` (`"protocol"`, or `"timeout"`).
 *
 * @example Checkpoints are marks
 * ```ts
 * import { PlivoSerializer } from "@x/ws-transport/plivo";
 * import assert from "node:assert/strict";
 *
 * const plivo = new PlivoSerializer({ streamId: "s1" });
 * assert.equal(
 *   plivo.serialize({ type: "mark", name: "greeting" }),
 *   '{"event":"checkpoint","streamId":"s1","name":"greeting"}',
 * );
 * assert.deepEqual(
 *   plivo.deserialize('{"event":"playedStream","streamId":"s1","name":"greeting"}'),
 *   { type: "mark", name: "greeting" },
 * );
 * ```
 */
export class PlivoSerializer implements FrameSerializer {
  /** Plivo answers a checkpoint with `playedStream` once the audio before it has played. */
  readonly playoutMarks = true;
  /** Plivo takes nothing before its start message, unless the stream id was given. */
  get awaitsStart(): boolean {
    return this.#ids.streamId === undefined;
  }
  #audio: TelephonyAudio;
  #media: OrderedMedia;
  #hangUp: HangUp;
  #ids: CallIds;
  #end = new EndOfStream(PROVIDER, ["media", "dtmf", "playedStream", "played"]);
  #authId: string | undefined;
  #authToken: string | undefined;
  /** The stream's media, refused while its start names a format Plivo does not stream. */
  readonly #refused = new RefusedFormat();

  /** Makes a serializer for one call; see {@linkcode PlivoSerializerOptions}. */
  constructor(options: PlivoSerializerOptions = {}) {
    const encoding = options.encoding ?? "mulaw";
    // Own fields only: a caller's `"toString"` is no encoding of Plivo's either.
    const rates = Object.hasOwn(PLIVO_RATES, encoding) ? PLIVO_RATES[encoding] : undefined;
    if (rates === undefined) {
      throw new RangeError(`encoding must be "mulaw" or "pcm16le" for Plivo, got ${encoding}`);
    }
    const sampleRate = options.sampleRate ?? 8000;
    if (!rates.includes(sampleRate)) {
      throw new RangeError(`sampleRate ${sampleRate} with encoding ${encoding}: ${PLIVO_FORMATS}`);
    }
    this.#audio = new TelephonyAudio({ encoding, sampleRate, provider: PROVIDER });
    this.#media = new OrderedMedia({ audio: this.#audio, provider: PROVIDER });
    this.#ids = new CallIds({
      provider: PROVIDER,
      streamField: "streamId",
      streamId: options.streamId,
      callId: options.callId,
    });
    if (this.awaitsStart) this.#refused.refuseUntilStart(PROVIDER, "streamId");
    const { authId, authToken } = options;
    // One without the other can never hang up: refused here rather than found out when the call
    // should end and goes on (Plivo's REST API takes the two as one Basic auth pair).
    if ((authId === undefined) !== (authToken === undefined)) {
      const [given, missing] = authId === undefined
        ? ["authToken", "authId"]
        : ["authId", "authToken"];
      throw new RangeError(
        `${given} without ${missing}: the hang-up needs both (give both, or neither to leave ` +
          "the call to end with the socket)",
      );
    }
    this.#authId = authId;
    this.#authToken = authToken;
    this.#hangUp = HangUp.forSerializer(options, authId !== undefined);
  }

  /** The stream id, once known. */
  get streamId(): string | undefined {
    return this.#ids.streamId;
  }

  /** The call UUID, once known. */
  get callId(): string | undefined {
    return this.#ids.callId;
  }

  /** Takes the transport's context: media repairs and drops count in `transport.stats`. */
  bind(context: SerializerContext): void {
    this.#media.bind(context);
    this.#end.bind(context);
    this.#refused.bind(context);
    this.#hangUp.useSession(context);
  }

  /** Takes the transport's audio settings. */
  setup(audio: SerializerAudioSetup): void {
    this.#audio.setup(audio);
  }

  /** One outbound frame to a Plivo message (or a hang-up); see the class description. */
  serialize(frame: Frame): string | null | Promise<null> {
    switch (frame.type) {
      case "audio": {
        const payload = this.#audio.encodeBase64(frame);
        if (payload === null) return null; // the resampler is still filling up
        return this.#playAudio(payload);
      }
      case "mark":
        return this.#ids.streamEvent("checkpoint", { name: frame.name });
      case "interruption":
        this.#audio.reset();
        return this.#ids.streamEvent("clearAudio");
      case "dtmf":
        return toJson({ event: "sendDTMF", dtmf: playableDigit(frame.digit) });
      case "message":
        return toJson(frame.message);
      case "end":
      case "cancel":
        return this.#hangUp.endCall(() => this.#hangUpRequest());
      default:
        return null;
    }
  }

  /**
   * A stretch of the bot's audio ended: what the resampler still holds of it goes as its last
   * `playAudio`, a fraction of a millisecond, where it plays on; else it is dropped, not left to
   * go in front of the next reply (see `FrameSerializer.audioEnds`).
   */
  audioEnds(playing: boolean): string | null {
    const tail = this.#audio.endOutbound(playing);
    return tail === null ? null : this.#playAudio(encodeBase64(tail));
  }

  /** A `playAudio` message carrying `payload` (base64) in the stream's format. */
  #playAudio(payload: string): string {
    const contentType = this.#audio.encoding === "mulaw" ? "audio/x-mulaw" : "audio/x-l16";
    return `{"event":"playAudio","media":{"contentType":"${contentType}","sampleRate":${this.#audio.sampleRate},"payload":"${payload}"},"streamId":${this.#ids.streamIdJson()}}`;
  }

  /** The socket closed: the media the reorder window still holds, in order (its holes filled). */
  finish(): Frame[] {
    return this.#media.flush();
  }

  /** One Plivo message to frames; malformed input throws `TransportError("decode")`. */
  deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    const message = JsonReader.parse(data, PROVIDER);
    const event = message.string("event");
    if (this.#end.refuses(event)) return null;
    switch (event) {
      case "media": {
        const media = readMediaMessage(message, { inboundTracks: INBOUND_TRACKS });
        if (media === null) return null;
        if (this.#refused.refusesMedia()) return null;
        return this.#media.push(media);
      }
      case "start":
        this.#end.started();
        // Media held behind a hole comes out first, decoded before the start changes the format.
        return this.#media.restart(() => this.#start(message));
      case "dtmf":
        return { type: "dtmf", digit: message.object("dtmf").dtmfDigit("digit") };
      case "playedStream":
      case "played":
        return { type: "mark", name: message.string("name") };
      case "stop":
        this.#end.ended();
        return [...this.#media.flush(), { type: "end", reason: "stop" }];
      default:
        return { type: "message", message: message.value };
    }
  }

  #start(message: JsonReader): Frame {
    const start = message.object("start");
    // Its `tracks` choose what the new stream's media is put in order by (`_inbound_order.ts`).
    this.#media = stageForStart(start, INBOUND_TRACKS, this.#media);
    const headers = message.optionalString("extra_headers") ??
      start.optionalString("extra_headers");
    // The ids first: a start in a format we refuse still names the stream to address and the
    // call to hang up.
    const frame = this.#ids.readStart(message, {
      callField: "callId",
      params: parseExtraHeaders(headers),
    });
    this.#refused.apply(() => {
      const mediaFormat = start.optionalObject("mediaFormat");
      if (mediaFormat === undefined) return;
      // What the start leaves out is the stream's: judged with it, as the pair it makes; but
      // μ-law named alone is at 8 kHz, G.711's only rate and the only one Plivo streams and plays
      // it at (see `PLIVO_RATES`), whatever the stream's was (L16 at 16 kHz): refused there, every
      // packet of the call would be dropped. One stream, one format both ways: the bot's audio
      // goes out in it too, its playAudio labelled so.
      const before = { encoding: this.#audio.encoding, sampleRate: this.#audio.sampleRate };
      this.#audio.configure(readMediaFormat(mediaFormat, {
        encoding: "encoding",
        sampleRate: "sampleRate",
        littleEndianL16: true,
        rates: PLIVO_RATES,
        streams: PLIVO_FORMATS,
      }, before));
    });
    return frame;
  }

  #hangUpRequest(): HangUpRequest {
    const callId = this.#ids.callId;
    if (callId === undefined) {
      throw new TransportError("protocol", "Plivo: cannot hang up without a call id");
    }
    const authId = this.#authId!;
    return {
      provider: PROVIDER,
      callId,
      // The auth id checked as the call id is: an empty one (an unset variable) would ask for
      // `/Account//Call/…`, whose 404 reads as "already ended", and the call would stay up.
      url: `https://api.plivo.com/v1/Account/${pathSegment(authId, "auth id", PROVIDER)}/Call/${
        pathSegment(callId, "call id", PROVIDER)
      }/`,
      init: { method: "DELETE", headers: { authorization: basicAuth(authId, this.#authToken!) } },
      alreadyEnded: (status) => status === 404,
    };
  }
}

/** `"a=1;b=2"` or `"a=1,b=2"` (Plivo's `extraHeaders`) → `{ a: "1", b: "2" }`. */
function parseExtraHeaders(text: string | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  if (text === undefined) return params;
  for (const pair of text.split(/[;,]/)) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    setOwnField(params, pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  return params;
}

/**
 * `digit` as a `sendDTMF` digit, or a `TransportError("encode")`. Plivo's "Stream Event Protocol"
 * (plivo.com/docs/voice/audio-streaming/audio-streaming, "Messages to Plivo") lists `sendDTMF`,
 * `{"event": "sendDTMF", "dtmf": "…"}`, to play digits into the call, so the protocol carries
 * DTMF. Which digits, the parts of Plivo's documentation read for this (that page's list, the Call
 * API's "Send digits on an active call": `digits`, "set of digits") do not say; none offers the
 * keypad letters A-D, which a caller's equipment may send us. So only the telephone keypad's
 * twelve go, the digits every platform documents playing (Twilio's `sendDigits`, jambonz's `dtmf`
 * verb: 0-9, `*`, `#`); a letter is refused here, counted, rather than sent for Plivo to drop or
 * play as it pleases. A `dtmf` frame is one keypress: a string of digits goes as a `message`
 * frame holding a `sendDTMF` of your own.
 */
function playableDigit(digit: string): string {
  return phoneDigit(PROVIDER, "sendDTMF", digit);
}
