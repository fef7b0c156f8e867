/**
 * Telnyx media streaming (bidirectional RTP mode): {@linkcode TelnyxSerializer} and
 * {@linkcode verifyTelnyxSignature} for Telnyx's signed webhooks.
 *
 * @module
 */

import { toJson } from "./_to_json.ts";
import type { Frame } from "../frames.ts";
import type { FrameSerializer, SerializerAudioSetup, SerializerContext } from "../serializer.ts";
import { TransportError } from "../errors.ts";
import { isObject } from "./telephony/_json_value.ts";
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
import { readMediaMessage } from "./telephony/media_message.ts";
import { OrderedMedia } from "./telephony/ordered_media.ts";
import { RefusedFormat } from "./telephony/_refused_format.ts";
import { readMediaFormat } from "./telephony/media_format.ts";
import { TelephonyAudio } from "./telephony/telephony_audio.ts";
import { bytesPerSample, type TelephonyEncoding } from "./telephony/telephony_encoding.ts";
import { encodeBase64 } from "./telephony/base64.ts";
import { orList } from "../_or_list.ts";

export { verifyTelnyxSignature, type VerifyTelnyxSignatureOptions } from "./telnyx_signature.ts";

const PROVIDER = "Telnyx";
const INBOUND_TRACKS = ["inbound", "inbound_track"];
/**
 * Telnyx's shortest and longest outbound media message: "RTP media chunks sent back to Telnyx can
 * contain 20 milliseconds to 30 seconds of audio" (its media streaming AsyncAPI reference).
 */
const MIN_CHUNK_MS = 20;
const MAX_CHUNK_MS = 30_000;
/**
 * The codecs Telnyx streams, both ways, and the rates it does each at, by its documents. Call
 * Control's "Start streaming" (developers.telnyx.com/api-reference/call-commands/streaming-start)
 * lets `stream_codec`, what Telnyx streams to us, be "PCMU, PCMA, G722, OPUS, AMR-WB, L16" or
 * the call's own, and `stream_bidirectional_codec`, what it takes from us, the same six; its one
 * `stream_bidirectional_sampling_rate` is "8000, 16000, 22050, 24000, 48000" (TeXML's `<Stream>`,
 * developers.telnyx.com/docs/voice/programmable-voice/texml-verbs/stream, lists
 * `bidirectionalSamplingRate` "8000, 16000, 24000", and no L16). G.711 is 8 kHz (RFC 3551
 * §4.5.14: PCMU's and PCMA's RTP clock; the AsyncAPI reference's start shows PCMU at 8000); G.722
 * is 16 kHz audio on RTP's 8 kHz clock (RFC 3551 §4.5.2), and the references state no rate for
 * it, so either names it; L16 is at the stream's sampling rate. OPUS and AMR-WB are not coded
 * here, and so not listed: a start naming them is refused as an unknown codec (the options'
 * `TelephonyEncoding` has no name for them). L16 is RTP's, big-endian: no little-endian name is
 * Telnyx's, and little-endian samples sent as L16 would play as loud noise. Another rate is a
 * format Telnyx does not stream: read or sent at it, the call would play at the wrong speed. The
 * options are held to it as a start is (`checkFormatOption`).
 */
const TELNYX_RATES: Readonly<Partial<Record<TelephonyEncoding, readonly number[]>>> = {
  mulaw: [8000],
  alaw: [8000],
  g722: [8000, 16000],
  pcm16be: [8000, 16000, 22050, 24000, 48000],
};
/** What a refused format's error names: what Telnyx streams. */
const TELNYX_FORMATS = "Telnyx streams PCMU and PCMA at 8000 Hz, G722 at 8000 or 16000, " +
  "L16 at 8000, 16000, 22050, 24000 or 48000";

/**
 * Refuses an encoding and rate given as options that `TELNYX_RATES` does not hold, a
 * `RangeError` naming the options, as `TwilioSerializer` refuses its own: a start announcing the
 * pair is a decode error, and a stream asked for or played in it would be read or sent at the
 * wrong speed, or as noise, for the whole call. `direction` says whose audio it is: what Telnyx
 * streams to us, or what it takes from us.
 */
function checkFormatOption(
  format: { encoding: TelephonyEncoding; sampleRate: number },
  names: { encoding: string; sampleRate: string; direction: "streams" | "takes" },
): void {
  const { encoding, sampleRate } = format;
  // Own keys only: a JavaScript caller's "constructor" is no codec of Telnyx's.
  const rates = Object.hasOwn(TELNYX_RATES, encoding) ? TELNYX_RATES[encoding] : undefined;
  if (rates === undefined) {
    throw new RangeError(
      `${names.encoding} must be one of ${Object.keys(TELNYX_RATES).join(", ")} for Telnyx, ` +
        `got ${shown(encoding)}: ${TELNYX_FORMATS}`,
    );
  }
  if (!rates.includes(sampleRate)) {
    throw new RangeError(
      `Telnyx ${names.direction} ${encoding} at ${orList(rates)} Hz, ` +
        `got ${names.sampleRate} ${shown(sampleRate)}`,
    );
  }
}

/**
 * A value a JavaScript caller gave, as a refusal names it: a string quoted (`"16000"` is no rate,
 * and shown bare it would read as one the list holds; `""` would vanish), a symbol by its
 * description (interpolated as is, it would throw a `TypeError` in place of the refusal).
 */
function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return String(value);
  } catch {
    // An object without a `toString` (`Object.create(null)`).
    return `a ${typeof value}`;
  }
}

/** Options for {@linkcode TelnyxSerializer}. */
export interface TelnyxSerializerOptions extends HangUpSerializerOptions {
  /**
   * The stream id; learned from Telnyx's `start` message.
   *
   * @default {undefined}
   */
  streamId?: string;
  /**
   * The call control id, needed to hang up; learned from the `start` message.
   *
   * @default {undefined}
   */
  callControlId?: string;
  /**
   * A Telnyx API key. Without it `end`/`cancel` do not hang up.
   *
   * @default {undefined}
   */
  apiKey?: string;
  /**
   * The encoding of inbound audio, the stream's `stream_codec`; `start.media_format.encoding`
   * overrides it (`PCMU`, `PCMA`, `L16`, `G722` are understood; L16 is big-endian as RTP sends
   * it). `"pcm16le"` is no codec of Telnyx's: a `RangeError`, as is a pair with
   * {@linkcode sampleRate} that Telnyx does not stream.
   *
   * @default {"mulaw"}
   */
  inboundEncoding?: TelephonyEncoding;
  /**
   * The encoding of the audio we send: the stream's bidirectional codec
   * (`stream_bidirectional_codec`, TeXML `bidirectionalCodec`), which Telnyx sets apart from the
   * codec it streams to us and defaults to PCMU, whatever the call's codec. Set it when you set
   * that (`"alaw"` for PCMA, `"pcm16be"` for L16 with {@linkcode outboundSampleRate}, `"g722"`
   * for G722). `"pcm16le"` is a `RangeError`: Telnyx's L16 is big-endian, and little-endian
   * samples would play as loud noise.
   *
   * @default {"mulaw"}
   */
  outboundEncoding?: TelephonyEncoding;
  /**
   * The sample rate of the audio we send: the stream's bidirectional sampling rate
   * (`stream_bidirectional_sampling_rate`, TeXML `bidirectionalSamplingRate`; Telnyx's default
   * 8000). PCMU and PCMA are 8000 only; L16 may be 8000, 16000, 22050, 24000 or 48000 (Call
   * Control's "Start streaming"; TeXML lists 8000, 16000 and 24000); G722 is 16 kHz audio on
   * RTP's 8 kHz clock, and takes 8000 or 16000 alike. Another is a `RangeError`.
   *
   * @default {8000}
   */
  outboundSampleRate?: number;
  /**
   * The sample rate of inbound audio; `start.media_format.sample_rate` overrides it. Held to what
   * Telnyx streams {@linkcode inboundEncoding} at, as a start's rate is: PCMU and PCMA 8000; L16
   * 8000, 16000, 22050, 24000 or 48000; G722 8000 or 16000. Another pair is a `RangeError`: read
   * at it, the call would play at the wrong speed.
   *
   * @default {8000}
   */
  sampleRate?: number;
}

/**
 * Speaks Telnyx's media streaming protocol in bidirectional RTP mode: base64 RTP payloads
 * (PCMU, PCMA, L16 or G722) in JSON text messages.
 *
 * Inbound: `start` → a `start` frame (`stream_id`, `call_control_id`, `custom_parameters` as
 * `params`, plus `client_state` when set; a value that is no string, number or boolean as its
 * JSON text, `custom_parameters` that is no object as none, either counted in `decodeErrors` and
 * reported, the start still taken); `media` on the inbound track → `audio`; `dtmf` →
 * `dtmf`; `mark` → `mark`; `stop` → `end`. `connected`, `error` and other events arrive as
 * `message` frames carrying Telnyx's JSON as is.
 *
 * Ordering: Telnyx does not guarantee the order of media messages. They are put back in order by
 * `media.chunk` (an {@linkcode OrderedMedia} stage: no added latency for media in order, a
 * bounded window for media out of order, silence of the right length for media lost, duplicates
 * and absurd numbers dropped without muting what follows), every repair and drop counted in
 * `transport.stats`. A stream of both tracks (`stream_track=both_tracks`; its `start` does not
 * say so) is ordered by `media.timestamp` from its first media message of the other track on:
 * with one `chunk` counter for both tracks, as on Twilio, the caller's chunks skip the other's.
 *
 * G722 (wideband: 16 kHz audio, 64 kbit/s) is coded by our own G.722 codec, one encoder and one
 * decoder for the stream, each keeping its state from message to message; a lost packet is filled
 * with G.722 that fades the audio out, and the decoder is back in step 90 ms after it at the
 * median, 200 ms at worst (see `SILENCE_BYTE`).
 *
 * A `start` naming a codec we cannot decode (OPUS, AMR-WB), or a rate Telnyx does not stream its
 * codec at (PCMU at 32000, L16 at 44100: see `TELNYX_RATES`), is a decode error, its ids kept
 * (hang-up still works), and so is every inbound `media` message after it until a `start` in a
 * format we decode: refused and counted in `decodeErrors` each (reported once), never decoded as
 * noise or at the wrong speed. A start naming PCMU or PCMA without a rate is at 8 kHz, G.711's
 * only rate; another codec named alone is at the stream's rate (G722 at its own). The options'
 * formats are held to the same list: a pair Telnyx does not stream is a `RangeError`.
 *
 * Outbound: `audio` → one `media` message per frame, in the stream's bidirectional codec (PCMU 8 kHz
 * unless `outboundEncoding`/`outboundSampleRate` say otherwise; not the codec of the audio Telnyx
 * streams to us, which the `start` message names). Telnyx takes 20 ms to 30 s of audio a message:
 * a reply's last chunk under 20 ms is padded with the codec's silence to 20 ms (in G722, zeros
 * coded by the stream's encoder, carrying on its state), counted in
 * {@linkcode TelnyxSerializer.paddedMessages} and {@linkcode TelnyxSerializer.paddingBytes}; an
 * `audioOut.chunkMs` under 20 is reported at setup (an `"encode"` error) and nothing is padded,
 * since padding every chunk would play the audio in pieces between silences; one over 30,000 is
 * reported alike (its messages go as they are). `mark` → `mark`;
 * `interruption` → `clear`;
 * `message` → its JSON as is; `end`/`cancel` → POST `/v2/calls/{call_control_id}/actions/hangup`
 * once when `apiKey` is set, a 422 with error code 90018 counting as already ended. Failures
 * throw a `TransportError` (`"protocol"`, or `"timeout"` after `hangUpTimeoutMs`, kept 250 ms
 * under the transport's `sendTimeoutMs`).
 *
 * @example Learning the codec from the start message
 * ```ts
 * import { TelnyxSerializer } from "@x/ws-transport/telnyx";
 * import assert from "node:assert/strict";
 *
 * const telnyx = new TelnyxSerializer();
 * const start = telnyx.deserialize(JSON.stringify({
 *   event: "start",
 *   sequence_number: "1",
 *   stream_id: "s1",
 *   start: { call_control_id: "v3:abc", media_format: { encoding: "PCMA", sample_rate: 8000, channels: 1 } },
 * }));
 * assert.deepEqual(start, { type: "start", streamId: "s1", callId: "v3:abc", params: {} });
 * assert.equal(telnyx.serialize({ type: "interruption" }), '{"event":"clear"}');
 * ```
 */
export class TelnyxSerializer implements FrameSerializer {
  /** Telnyx echoes a mark once the audio sent before it has played. */
  readonly playoutMarks = true;
  #in: TelephonyAudio;
  #media: OrderedMedia;
  /** What we send: the bidirectional codec, set apart from what Telnyx streams to us. */
  #out: TelephonyAudio;
  #hangUp: HangUp;
  #ids: CallIds;
  #end = new EndOfStream(PROVIDER);
  #apiKey: string | undefined;
  #paddedMessages = 0;
  #paddingBytes = 0;
  /** Whether short payloads are a reply's last chunk, to pad (the transport's chunks are valid). */
  #padShort = true;
  /** The transport's context: what it reports, and a start's odd custom parameters counted. */
  #context: SerializerContext | undefined;
  /** The stream's media, refused while its start names a codec we cannot decode. */
  readonly #refused = new RefusedFormat();

  /** Makes a serializer for one call; see {@linkcode TelnyxSerializerOptions}. */
  constructor(options: TelnyxSerializerOptions = {}) {
    const inbound = {
      encoding: options.inboundEncoding ?? "mulaw",
      sampleRate: options.sampleRate ?? 8000,
    };
    checkFormatOption(inbound, {
      encoding: "inboundEncoding",
      sampleRate: "sampleRate",
      direction: "streams",
    });
    const outbound = {
      encoding: options.outboundEncoding ?? "mulaw",
      sampleRate: options.outboundSampleRate ?? 8000,
    };
    checkFormatOption(outbound, {
      encoding: "outboundEncoding",
      sampleRate: "outboundSampleRate",
      direction: "takes",
    });
    this.#in = new TelephonyAudio({ ...inbound, provider: PROVIDER });
    this.#media = new OrderedMedia({ audio: this.#in, provider: PROVIDER });
    this.#out = new TelephonyAudio({ ...outbound, provider: PROVIDER });
    this.#ids = new CallIds({
      provider: PROVIDER,
      streamField: "stream_id",
      streamId: options.streamId,
      callId: options.callControlId,
    });
    this.#apiKey = options.apiKey;
    this.#hangUp = HangUp.forSerializer(options, options.apiKey !== undefined);
  }

  /** The stream id, once known. */
  get streamId(): string | undefined {
    return this.#ids.streamId;
  }

  /** The call control id, once known. */
  get callControlId(): string | undefined {
    return this.#ids.callId;
  }

  /** How many outbound media messages were padded with silence to Telnyx's 20 ms minimum. */
  get paddedMessages(): number {
    return this.#paddedMessages;
  }

  /** How many bytes of silence that padding added in all. */
  get paddingBytes(): number {
    return this.#paddingBytes;
  }

  /** Takes the transport's context: media repairs and drops count in `transport.stats`. */
  bind(context: SerializerContext): void {
    this.#media.bind(context);
    this.#end.bind(context);
    this.#refused.bind(context);
    this.#hangUp.useSession(context);
    this.#context = context;
  }

  /** Takes the transport's audio settings; reports a `chunkMs` outside Telnyx's 20 ms to 30 s. */
  setup(audio: SerializerAudioSetup): void {
    this.#in.setup(audio);
    this.#out.setup(audio);
    const ms = audio.outputChunkMs;
    this.#padShort = ms === undefined || ms >= MIN_CHUNK_MS;
    if (ms === undefined || (this.#padShort && ms <= MAX_CHUNK_MS)) return;
    const fits = this.#padShort ? `${MAX_CHUNK_MS} or less` : `${MIN_CHUNK_MS} or more`;
    this.#context?.report(
      new TransportError(
        "encode",
        `audioOut.chunkMs ${ms} makes ${ms} ms messages, and Telnyx takes ${MIN_CHUNK_MS} ms to ` +
          `30 s of audio a message: use chunkMs ${fits} (they go as they are)`,
      ),
    );
  }

  /** One outbound frame to a Telnyx message (or a hang-up); see the class description. */
  serialize(frame: Frame): string | null | Promise<null> {
    switch (frame.type) {
      case "audio": {
        // Read at once (padded, base64'd): bytes of their own would be an allocation for nothing.
        const bytes = this.#out.encodeTransient(frame);
        if (bytes === null) return null;
        const payload = encodeBase64(this.#padShort ? this.#padToMinimum(bytes) : bytes);
        return `{"event":"media","media":{"payload":"${payload}"}}`;
      }
      case "mark":
        return JSON.stringify({ event: "mark", mark: { name: frame.name } });
      case "interruption":
        this.#out.reset();
        return `{"event":"clear"}`;
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
   * A stretch of the bot's audio ended: what the resampler still holds of it (a fraction of a
   * millisecond) is dropped, played out or not, rather than go in front of the next reply (see
   * `FrameSerializer.audioEnds`). Telnyx takes no message under 20 ms: padded to one, it would
   * put that much silence the transport does not know of after every reply.
   */
  audioEnds(): null {
    this.#out.reset();
    return null;
  }

  /** The socket closed: the media the reorder window still holds, in order (its holes filled). */
  finish(): Frame[] {
    return this.#media.flush();
  }

  /** One Telnyx message to frames; malformed input throws `TransportError("decode")`. */
  deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    const message = JsonReader.parse(data, PROVIDER);
    const event = message.string("event");
    if (this.#end.refuses(event)) return null;
    switch (event) {
      case "media": {
        // By `chunk`: `sequence_number` counts every message, so its gaps are not lost audio.
        const media = readMediaMessage(message, { inboundTracks: INBOUND_TRACKS });
        if (media === null) return this.#otherTrack();
        if (this.#refused.refusesMedia()) return null;
        return this.#media.push(media);
      }
      case "start":
        this.#end.started();
        // Media held behind a hole comes out first, decoded before the start changes the format.
        return this.#media.restart(() => this.#start(message));
      case "dtmf": {
        const dtmf = message.optionalObject("dtmf") ?? message.object("payload");
        return { type: "dtmf", digit: dtmf.dtmfDigit("digit") };
      }
      case "mark":
        return { type: "mark", name: message.object("mark").string("name") };
      case "stop":
        this.#end.ended();
        return [...this.#media.flush(), { type: "end", reason: "stop" }];
      default:
        return { type: "message", message: message.value };
    }
  }

  /**
   * Media of a track other than the caller's: the stream carries both (`stream_track=both_tracks`).
   * Telnyx's `start` names no tracks, and its media streaming reference says only that frame order
   * is not guaranteed, to be put right by `media.chunk`, `media.timestamp` and `sequence_number`,
   * not whether `chunk` counts each track apart. Its messages follow Twilio's, whose one `chunk`
   * counter runs across both tracks (see `inboundOrderOf`): ordered by it, every caller packet
   * would follow a hole and be padded with as much silence, doubling the call's audio. So from
   * here the caller's track is ordered by its media time, which is the track's own either way;
   * what the stage held by `chunk` comes out first.
   */
  #otherTrack(): Frame[] | null {
    const held = this.#media.reorderBy("timestamp");
    return held.length === 0 ? null : held;
  }

  #start(message: JsonReader): Frame {
    // A new stream is ordered by `chunk` until it too shows another track (see #otherTrack).
    this.#media.reorderBy("sequence");
    const start = message.object("start");
    const streamId = message.optionalString("stream_id");
    const callId = start.optionalString("call_control_id");
    const params = customParameters(start.value.custom_parameters, {
      provider: PROVIDER,
      field: start.pathOf("custom_parameters"),
      context: this.#context,
    });
    const clientState = start.optionalString("client_state");
    if (clientState !== undefined && !("client_state" in params)) params.client_state = clientState;
    // The ids first: a start whose codec we cannot decode still names the call to hang up.
    const frame = this.#ids.start({ streamId, callId, params });
    this.#refused.apply(() => {
      const mediaFormat = start.optionalObject("media_format");
      if (mediaFormat !== undefined) {
        // Telnyx's media streaming reference shows `media_format` with PCMU at 8000 and states no
        // sample_rate for G722: RTP's clock for it is 8000 (RFC 3551 §4.5.2), its audio 16000.
        // `TELNYX_RATES` takes either as G.722; a rate no codec of Telnyx's streams at is refused.
        // What the start leaves out is the stream's: judged with it, as the pair it makes; but
        // PCMU or PCMA named alone is at 8 kHz, G.711's only rate, whatever the stream's was (an
        // L16 stream's 16 kHz): refused there, every packet of the call would be dropped.
        const before = { encoding: this.#in.encoding, sampleRate: this.#in.sampleRate };
        const format = readMediaFormat(mediaFormat, {
          encoding: "encoding",
          sampleRate: "sample_rate",
          rates: TELNYX_RATES,
          streams: TELNYX_FORMATS,
        }, before);
        // What we receive only: the bidirectional codec is set apart, PCMU 8 kHz by default.
        this.#in.configure(format);
      }
    });
    return frame;
  }

  /**
   * A payload Telnyx takes: at least 20 ms, the audio first, then the outbound codec's silence
   * (a reply's last chunk is shorter than the transport's `chunkMs`). The wire rate counts bytes
   * for every codec (G.722's is its 8 kHz clock, a byte per tick).
   */
  #padToMinimum(bytes: Uint8Array): Uint8Array {
    const encoding = this.#out.encoding;
    const size = Math.round((this.#out.sampleRate * MIN_CHUNK_MS) / 1000) *
      bytesPerSample(encoding);
    if (bytes.length >= size) return bytes;
    const padded = new Uint8Array(size);
    padded.set(bytes);
    this.#out.fillSilence(padded.subarray(bytes.length));
    this.#paddedMessages++;
    this.#paddingBytes += size - bytes.length;
    return padded;
  }

  #hangUpRequest(): HangUpRequest {
    const id = this.#ids.callId;
    if (id === undefined) {
      throw new TransportError("protocol", "Telnyx: cannot hang up without a call_control_id");
    }
    return {
      provider: PROVIDER,
      callId: id,
      // Call control ids look like "v3:abc…"; ":" is legal in a path segment, so it stays.
      url: `https://api.telnyx.com/v2/calls/${
        pathSegment(id, "call control id", PROVIDER).replaceAll("%3A", ":")
      }/actions/hangup`,
      init: {
        method: "POST",
        headers: { authorization: `Bearer ${this.#apiKey!}`, "content-type": "application/json" },
        body: "{}",
      },
      alreadyEnded: (status, body) =>
        status === 422 && isObject(body) && Array.isArray(body.errors) &&
        body.errors.some((error) => isObject(error) && String(error.code) === "90018"),
    };
  }
}
