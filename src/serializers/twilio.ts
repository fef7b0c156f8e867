/**
 * Twilio Media Streams (`<Connect><Stream>`, bidirectional), and the platforms that speak it
 * (SignalWire's `<Stream>`, Fonoster's `twilio` streams): {@linkcode TwilioSerializer} and
 * {@linkcode verifyTwilioSignature} for the upgrade request.
 *
 * @module
 */

import { toJson } from "./_to_json.ts";
import type { Frame } from "../frames.ts";
import type { FrameSerializer, SerializerAudioSetup, SerializerContext } from "../serializer.ts";
import { TransportError } from "../errors.ts";
import { twilioApiHost } from "./_twilio_api_host.ts";
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
import { customParameters } from "./telephony/_custom_parameters.ts";
import { readMediaFormat } from "./telephony/media_format.ts";
import { readMediaMessage } from "./telephony/media_message.ts";
import { OrderedMedia } from "./telephony/ordered_media.ts";
import { stageForStart } from "./telephony/_inbound_order.ts";
import { RefusedFormat } from "./telephony/_refused_format.ts";
import { TelephonyAudio } from "./telephony/telephony_audio.ts";
import { encodeBase64 } from "./telephony/base64.ts";
import type { TelephonyEncoding } from "./telephony/telephony_encoding.ts";

export { verifyTwilioSignature, type VerifyTwilioSignatureOptions } from "./twilio_signature.ts";

const PROVIDER = "Twilio";
/**
 * What Twilio (μ-law) and the platforms speaking its protocol stream (SignalWire: PCMU, PCMA and
 * L16): not G.722, which `TelephonyAudio` speaks for Telnyx.
 */
const TWILIO_ENCODINGS: readonly TelephonyEncoding[] = ["mulaw", "alaw", "pcm16le", "pcm16be"];
/**
 * The rates each of them streams at, by the platforms' documents:
 * - Twilio, "Media Streams - WebSocket Messages", Start message: `mediaFormat.encoding` "is
 *   always audio/x-mulaw", `mediaFormat.sampleRate` "is always 8000" (Fonoster's `twilio`
 *   streams copy it: μ-law 8 kHz);
 * - SignalWire, cXML `<Stream>`: `codec` PCMU (the default, `PCMU@8000h`), PCMA, L16, `L16@16000h`
 *   or `L16@24000h` (its REST API's `StreamCodec`), the Start message's `mediaFormat.sampleRate`
 *   "8000, 16000, 24000", and "Send a media message": μ-law "with 8000 Hz sample rate", L16 at
 *   16000 or 24000. G.711 is 8 kHz whichever law; RTP's plain L16 names no rate, so 8000 is kept.
 * Another rate is no format any of them streams: read at it, the call would play at the wrong
 * speed, so a start announcing one is refused as an unknown encoding is.
 */
const TWILIO_RATES: Readonly<Partial<Record<TelephonyEncoding, readonly number[]>>> = {
  mulaw: [8000],
  alaw: [8000],
  pcm16le: [8000, 16000, 24000],
  pcm16be: [8000, 16000, 24000],
};
/** What a refused format's error names: what Twilio and the platforms speaking it stream. */
const TWILIO_FORMATS =
  "Twilio streams audio/x-mulaw at 8000 Hz; SignalWire PCMU or PCMA at 8000, " +
  "L16 at 8000, 16000 or 24000";
const INBOUND_TRACKS = ["inbound", "inbound_track"];

/** Options for {@linkcode TwilioSerializer}. */
export interface TwilioSerializerOptions extends HangUpSerializerOptions {
  /**
   * The stream SID. Learned from Twilio's `start` message; set it only when that message is
   * consumed elsewhere (e.g. read before the serializer was made).
   *
   * @default {undefined}
   */
  streamSid?: string;
  /**
   * The call SID, needed to hang up. Learned from the `start` message.
   *
   * @default {undefined}
   */
  callSid?: string;
  /**
   * The account SID for the hang-up URL and Basic auth. Learned from the `start` message.
   *
   * @default {undefined}
   */
  accountSid?: string;
  /**
   * The account's auth token. Without it `end`/`cancel` do not hang up (the socket just closes).
   *
   * @default {undefined}
   */
  authToken?: string;
  /**
   * Twilio region of the REST API (`"us1"`, `"ie1"`, `"au1"`); the host becomes
   * `api.{edge}.{region}.twilio.com`, with the region's default edge (`ie1`: `dublin`) when no
   * `edge` is given, as Twilio's SDKs do (`api.{region}.twilio.com` takes no requests since
   * April 2026). A legacy edge id given alone (`"br1"`, `"de1"`, `"jp1"`, `"sg1"`, `"us2"`: no
   * region Twilio processes in) means `api.twilio.com`, as Twilio's migration guide says.
   *
   * @default {undefined}
   */
  region?: string;
  /**
   * Twilio edge location (`"dublin"`, `"sydney"`, `"ashburn"`, …); without a region, `us1`.
   *
   * @default {undefined}
   */
  edge?: string;
  /**
   * The base of a Twilio-compatible REST API to hang up through, instead of Twilio's (which
   * `region` and `edge` choose): SignalWire's is `https://{space}.signalwire.com/api/laml`, with
   * the project id as the account SID. The call is ended by POSTing `Status=completed` to
   * `{apiBaseUrl}/2010-04-01/Accounts/{accountSid}/Calls/{callSid}.json`. One with a query, a
   * fragment or credentials (`https://user:pass@…`) is a `RangeError`, the credentials not shown.
   *
   * @default {"https://api.twilio.com" (or the region's and edge's host)}
   */
  apiBaseUrl?: string;
  /**
   * The wire encoding until `start.mediaFormat` says otherwise: Twilio always streams μ-law, a
   * compatible platform may not (SignalWire's `codec="L16@16000h"` or `"L16@24000h"`).
   *
   * @default {"mulaw"}
   */
  encoding?: TelephonyEncoding;
  /**
   * The wire sample rate until `start.mediaFormat` says otherwise: 8000, or 16000 or 24000 for
   * L16 (SignalWire's); another, or another with the encoding, is a `RangeError`, as a start
   * announcing it is a decode error.
   *
   * @default {8000}
   */
  sampleRate?: number;
  /**
   * The byte order of `audio/x-L16` media. SignalWire's documentation does not say; its own
   * OpenAI Realtime adapter hands the payload on unchanged as little-endian PCM16, so
   * little-endian is assumed. A value other than `"little"` or `"big"` is a `RangeError`.
   *
   * @default {"little"}
   */
  l16ByteOrder?: "little" | "big";
}

/**
 * Speaks Twilio's Media Streams protocol (bidirectional, `<Connect><Stream>`): μ-law 8 kHz
 * base64 audio in JSON text messages. Platforms that speak it too differ in what the options and
 * `start.mediaFormat` cover: SignalWire streams linear PCM at 16 or 24 kHz on request
 * (`mediaFormat.encoding: "audio/x-L16"`, read from `start`) and hangs up through its own
 * Twilio-compatible REST API (`apiBaseUrl`); Fonoster needs nothing (it hangs up when the socket
 * closes). SignalWire's reference shows its messages inside a log envelope (`eventType`,
 * `rawEvent`); such a message is read by its `rawEvent`.
 *
 * Inbound: `start` → a `start` frame (stream SID, call SID, `<Parameter>`s as `params`: a value
 * that is no string, number or boolean as its JSON text, `customParameters` that is no object as
 * none, either counted in `decodeErrors` and reported, the start still taken); a
 * `start` whose `mediaFormat` we cannot decode, or whose rate no platform speaking the protocol
 * documents for its encoding (μ-law at 32000, L16 at 44100: see `TWILIO_RATES`), is a decode
 * error, its ids kept (the stream can be addressed, the call hung up), and so is every `media`
 * after it until a `start` we decode (counted in `decodeErrors` each, reported once). What a
 * start's `mediaFormat` leaves out is the stream's, but μ-law or A-law named without a rate is at
 * 8 kHz, G.711's only rate, whatever the stream's was (SignalWire's L16 at 16 kHz);
 * `media` → `audio` frames at the transport's input rate, put in order by `media.chunk` (by
 * `media.timestamp` when `start.tracks` names the outbound track too, which shares the chunk
 * counter in Twilio's examples); `dtmf` → `dtmf`; `mark` (a mark we sent has played, or was
 * cleared) → `mark`; `stop` → `end`. Other events (`connected`, future ones) arrive as `message`
 * frames carrying Twilio's JSON as is. Media before the first `start` (no `streamSid` given in
 * the options) is dropped, as Twilio sends `start` first and it names the format: a decode error,
 * reported once, each counted in `decodeErrors`.
 *
 * Outbound: `audio` → one `media` message per frame (resampled to 8 kHz, μ-law); `mark` →
 * `mark`; `interruption` → `clear` (and the outbound resampler is reset); `message` → its JSON
 * sent as is; `end`/`cancel` → the call is hung up once through the REST API (POST
 * `Status=completed`) when `authToken` is set, a 404 with code 20404 counting as already ended.
 * A failed hang-up throws a `TransportError` (code `"protocol"`, or `"timeout"` after
 * `hangUpTimeoutMs`, kept 250 ms under the transport's `sendTimeoutMs`). Other frames produce
 * nothing.
 *
 * @example A short call
 * ```ts
 * import { TwilioSerializer } from "@x/ws-transport/twilio";
 * import assert from "node:assert/strict";
 *
 * const twilio = new TwilioSerializer();
 * twilio.setup({ inputSampleRate: 8000, inputChannels: 1, outputSampleRate: 8000, outputChannels: 1 });
 * const start = twilio.deserialize(JSON.stringify({
 *   event: "start",
 *   streamSid: "MZ1",
 *   start: { streamSid: "MZ1", callSid: "CA1", accountSid: "AC1", customParameters: { lang: "en" } },
 * }));
 * assert.deepEqual(start, { type: "start", streamId: "MZ1", callId: "CA1", params: { lang: "en" } });
 * assert.equal(twilio.serialize({ type: "interruption" }), '{"event":"clear","streamSid":"MZ1"}');
 * ```
 */
export class TwilioSerializer implements FrameSerializer {
  /** Twilio echoes a mark once the audio sent before it has played. */
  readonly playoutMarks = true;
  /** Twilio takes nothing before its start message, unless the stream id was given. */
  get awaitsStart(): boolean {
    return this.#ids.streamId === undefined;
  }
  #audio: TelephonyAudio;
  #media: OrderedMedia;
  #littleEndianL16: boolean;
  #hangUp: HangUp;
  #ids: CallIds;
  #end = new EndOfStream(PROVIDER);
  #accountSid: string | undefined;
  #authToken: string | undefined;
  #apiBase: string;
  /** The stream's media, refused while its start names a format we cannot decode. */
  readonly #refused = new RefusedFormat();
  /** The transport's context, where a start's odd custom parameters are counted and reported. */
  #context: SerializerContext | undefined;

  /** Makes a serializer for one call; see {@linkcode TwilioSerializerOptions}. */
  constructor(options: TwilioSerializerOptions = {}) {
    if (options.encoding !== undefined && !TWILIO_ENCODINGS.includes(options.encoding)) {
      throw new RangeError(
        `encoding must be one of ${
          TWILIO_ENCODINGS.join(", ")
        } for Twilio, got ${options.encoding}`,
      );
    }
    const encoding = options.encoding ?? "mulaw";
    const sampleRate = options.sampleRate ?? 8000;
    if (!TWILIO_RATES[encoding]!.includes(sampleRate)) {
      throw new RangeError(`sampleRate ${sampleRate} with encoding ${encoding}: ${TWILIO_FORMATS}`);
    }
    this.#audio = new TelephonyAudio({ encoding, sampleRate, provider: PROVIDER });
    this.#media = new OrderedMedia({ audio: this.#audio, provider: PROVIDER });
    this.#littleEndianL16 = isLittleEndian(options.l16ByteOrder);
    this.#ids = new CallIds({
      provider: PROVIDER,
      streamField: "streamSid",
      streamId: options.streamSid,
      callId: options.callSid,
    });
    if (this.awaitsStart) this.#refused.refuseUntilStart(PROVIDER, "streamSid");
    this.#accountSid = options.accountSid;
    this.#authToken = options.authToken;
    this.#apiBase = apiBaseOf(options);
    this.#hangUp = HangUp.forSerializer(options, options.authToken !== undefined);
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
    this.#end.bind(context);
    this.#refused.bind(context);
    this.#hangUp.useSession(context);
    this.#context = context;
  }

  /** Takes the transport's audio settings. */
  setup(audio: SerializerAudioSetup): void {
    this.#audio.setup(audio);
  }

  /** One outbound frame to a Twilio message (or a hang-up); see the class description. */
  serialize(frame: Frame): string | null | Promise<null> {
    switch (frame.type) {
      case "audio": {
        const payload = this.#audio.encodeBase64(frame);
        return payload === null ? null : this.#mediaMessage(payload);
      }
      case "mark":
        return this.#ids.streamEvent("mark", { mark: { name: frame.name } });
      case "interruption":
        this.#audio.reset();
        return this.#ids.streamEvent("clear");
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
   * media, a fraction of a millisecond, where it plays on; else it is dropped, not left to go
   * in front of the next reply (see `FrameSerializer.audioEnds`).
   */
  audioEnds(playing: boolean): string | null {
    const tail = this.#audio.endOutbound(playing);
    return tail === null ? null : this.#mediaMessage(encodeBase64(tail));
  }

  /** A `media` message carrying `payload` (base64). */
  #mediaMessage(payload: string): string {
    return `{"event":"media","streamSid":${this.#ids.streamIdJson()},"media":{"payload":"${payload}"}}`;
  }

  /** The socket closed: the media the reorder window still holds, in order (its holes filled). */
  finish(): Frame[] {
    return this.#media.flush();
  }

  /** One Twilio message to frames; malformed input throws `TransportError("decode")`. */
  deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    const message = unwrapped(JsonReader.parse(data, PROVIDER));
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
      case "mark":
        return { type: "mark", name: message.object("mark").string("name") };
      case "stop":
        // `stop.accountSid`/`stop.callSid` repeat the start's and nothing here needs them: they are
        // not read, so a malformed one cannot cost the `end` frame.
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
    const accountSid = start.optionalString("accountSid");
    const params = customParameters(start.value.customParameters, {
      provider: PROVIDER,
      field: start.pathOf("customParameters"),
      context: this.#context,
    });
    // The ids first: a start in a format we cannot decode still names the stream to address and
    // the call to hang up.
    const frame = this.#ids.readStart(message, { callField: "callSid", params });
    if (accountSid !== undefined) this.#accountSid ??= accountSid;
    this.#refused.apply(() => {
      const format = start.optionalObject("mediaFormat");
      if (format !== undefined) {
        // What the start leaves out is the stream's: judged with it, as the pair it makes; but
        // μ-law or A-law named alone is at 8 kHz, G.711's only rate (RFC 3551 §4.5.14; Twilio's
        // `sampleRate` "is always 8000", SignalWire's PCMU and PCMA are at 8000 only: see
        // `TWILIO_RATES`), whatever the stream's was (SignalWire's L16 at 16 kHz): refused there,
        // every packet of the call would be dropped. One stream, one format both ways: the bot's
        // audio goes out in it too.
        const before = { encoding: this.#audio.encoding, sampleRate: this.#audio.sampleRate };
        this.#audio.configure(readMediaFormat(format, {
          encoding: "encoding",
          sampleRate: "sampleRate",
          littleEndianL16: this.#littleEndianL16,
          encodings: TWILIO_ENCODINGS,
          rates: TWILIO_RATES,
          streams: TWILIO_FORMATS,
        }, before));
      }
    });
    return frame;
  }

  #hangUpRequest(): HangUpRequest {
    const callSid = this.#ids.callId;
    const accountSid = this.#accountSid;
    if (callSid === undefined || accountSid === undefined) {
      const missing = callSid === undefined ? "a call SID" : "an account SID";
      throw new TransportError("protocol", `Twilio: cannot hang up without ${missing}`);
    }
    return {
      provider: PROVIDER,
      callId: callSid,
      url: `${this.#apiBase}/2010-04-01/Accounts/${
        pathSegment(accountSid, "account SID", PROVIDER)
      }/Calls/${pathSegment(callSid, "call SID", PROVIDER)}.json`,
      init: {
        method: "POST",
        headers: {
          authorization: basicAuth(accountSid, this.#authToken!),
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "Status=completed",
      },
      alreadyEnded: (status, body) =>
        status === 404 &&
        typeof body === "object" && body !== null && (body as { code?: unknown }).code === 20404,
    };
  }
}

/** Whether `l16ByteOrder` says little-endian; a misspelt one is a `RangeError`, not big-endian. */
function isLittleEndian(order: TwilioSerializerOptions["l16ByteOrder"]): boolean {
  if (order === undefined || order === "little") return true;
  if (order === "big") return false;
  throw new RangeError(`l16ByteOrder must be "little" or "big", got ${JSON.stringify(order)}`);
}

/** The REST API's base URL from the options; a bad one is a `RangeError` naming it. */
function apiBaseOf(options: TwilioSerializerOptions): string {
  const base = options.apiBaseUrl;
  if (base === undefined) return `https://${twilioApiHost(options.region, options.edge)}`;
  if (options.region !== undefined || options.edge !== undefined) {
    throw new RangeError("apiBaseUrl replaces region and edge: give one or the other");
  }
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new RangeError(`apiBaseUrl must be an https URL, got ${JSON.stringify(base)}`);
  }
  // Credentials in the URL are refused, and never shown: the hang-up authenticates with the
  // account SID and auth token, and an error message ends up in logs.
  const credentials = url.username !== "" || url.password !== "";
  url.username = url.password = "";
  if (url.protocol !== "https:" || url.search !== "" || url.hash !== "" || credentials) {
    const shown = JSON.stringify(credentials ? url.href.replace("//", "//…@") : base);
    const why = credentials ? " without credentials (they go in accountSid and authToken)" : "";
    throw new RangeError(`apiBaseUrl must be an https URL${why}, got ${shown}`);
  }
  return url.href.replace(/\/+$/, "");
}

/** A message in SignalWire's documented log envelope (`eventType`, `rawEvent`) as its event. */
function unwrapped(message: JsonReader): JsonReader {
  return message.value.event === undefined && message.value.rawEvent !== undefined
    ? message.object("rawEvent")
    : message;
}
