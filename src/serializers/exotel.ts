/**
 * Exotel's Voicebot applet (bidirectional AgentStream): {@linkcode ExotelSerializer}.
 *
 * @module
 */

import { toJson } from "./_to_json.ts";
import { TransportError } from "../errors.ts";
import type { Frame } from "../frames.ts";
import type { FrameSerializer, SerializerAudioSetup, SerializerContext } from "../serializer.ts";
import { OrderedMedia } from "./telephony/ordered_media.ts";
import { CallIds } from "./telephony/call_ids.ts";
import { EndOfStream } from "./telephony/_end_of_stream.ts";
import { RefusedFormat } from "./telephony/_refused_format.ts";
import { JsonReader } from "./telephony/json_reader.ts";
import { customParameters } from "./telephony/_custom_parameters.ts";
import { isObject } from "./telephony/_json_value.ts";
import { readMediaFormat } from "./telephony/media_format.ts";
import { readMediaMessage } from "./telephony/media_message.ts";
import { TelephonyAudio } from "./telephony/telephony_audio.ts";
import { encodeBase64 } from "./telephony/base64.ts";
import {
  bytesPerSample,
  SILENCE_BYTE,
  type TelephonyEncoding,
} from "./telephony/telephony_encoding.ts";

const PROVIDER = "Exotel";
/** The one rate Exotel documents μ-law at: a μ-law start without a `sample_rate` means it. */
const MULAW_RATE = 8000;
/**
 * The caller's track. Exotel's beta "Track Selection" can stream both tracks interleaved, each
 * media message naming its `track`, `inbound` or `outbound`: the outbound one is what the caller
 * hears (the bot's own voice), not the caller's.
 */
const INBOUND_TRACKS = ["inbound"];
/** Exotel's smallest outbound media payload ("Chunk size window for Bidirectional streaming"). */
const MIN_CHUNK_BYTES = 3200;
/**
 * Exotel's largest, from the same window ("Maximum chunk size: 100k": larger "might result in
 * timeouts"; support.exotel.com, "Working with the Stream Applet", article 3000108630).
 */
const MAX_CHUNK_BYTES = 100_000;
/** Exotel's outbound media payloads come in whole units of this many bytes (the same window). */
const CHUNK_MULTIPLE = 320;
/**
 * The encodings Exotel documents, by the wire encoding each means, and the rates it streams each
 * at: `audio/x-raw` ("raw/slin", PCM16 little-endian, the Voicebot applet's format) at the rates
 * its URL's `?sample-rate=` allows, 8000, 16000 or 24000 ("Working with the Stream and Voicebot
 * Applet", "Sample Rate"); `audio/x-mulaw` at 8000 only (the MediaFormat `audio/x-mulaw;rate=8000`
 * of its beta extension guide, "1. Media Format": "mulaw 8 kHz", and the Legs API's
 * `start_stream`). Read at another rate, a stream's media would play at the wrong speed; in
 * another encoding (Exotel's `audio/L16`, of undocumented byte order, among them), as noise.
 */
const EXOTEL_RATES: Readonly<Partial<Record<TelephonyEncoding, readonly number[]>>> = {
  pcm16le: [8000, 16000, 24000],
  mulaw: [MULAW_RATE],
};
/** What a refused encoding's error names: what Exotel documents, and why its L16 is not read. */
const EXOTEL_FORMATS = "Exotel documents audio/x-raw (PCM16 little-endian, 8, 16 or 24 kHz) and " +
  "audio/x-mulaw (8 kHz); the byte order of its audio/L16 is not documented";

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
   * 24000 (the `?sample-rate=` of the Voicebot applet's URL). Given, `audioOut.chunkMs` is judged
   * against it at setup; left out, against the rate the start announces.
   *
   * @default {8000}
   */
  sampleRate?: number;
}

/**
 * Speaks Exotel's Voicebot (bidirectional stream) protocol: base64 PCM16 little-endian mono at
 * 8 kHz (16 or 24 kHz when the applet's URL asks for it), or μ-law at 8 kHz when the `start`
 * announces it, in JSON text messages with snake_case ids.
 *
 * Inbound: `start` → a `start` frame (`stream_sid`, `call_sid`, `custom_parameters` as
 * `params`: a value that is no string, number or boolean as its JSON text, `custom_parameters`
 * that is no object as none, either counted in `decodeErrors` and reported, the start still
 * taken); `media` → `audio` (the caller's track: with both tracks streamed, the outbound one,
 * what the caller hears, is skipped); `dtmf` → `dtmf`; `mark` → `mark`; `stop` → `end` (with
 * `stop.reason` when it is a string: a `stop` without one still ends the stream). `connected`
 * and other events arrive as `message` frames. Media before the first `start` (no `streamSid`
 * given in the options) is dropped, as Exotel sends `start` first and it names the format: a
 * decode error, reported once, each counted in `decodeErrors`. The
 * `start`'s `media_format.encoding` sets the stream's encoding both ways: `audio/x-raw` (PCM16;
 * also `raw`, and `base64` as Exotel's older Stream Applet article shows it) or
 * `audio/x-mulaw` (μ-law, at 8 kHz, with or without a `sample_rate` saying so; one of Exotel's
 * beta media formats, whose pages do not say what Exotel takes back: we answer in the stream's
 * format, as on Twilio). Any other encoding, Exotel's beta `audio/L16` among them (its byte order
 * is not documented), is a decode error, its ids kept, and so is every `media` message after it
 * until a `start` in a documented format: refused and counted in `decodeErrors` each (reported
 * once), never played as noise. So is a `sample_rate` Exotel does not stream the encoding at (the
 * start's, or the stream's where the start names none): PCM16 at other than 8000, 16000 or 24000,
 * μ-law at other than 8000, each of which would play at the wrong speed; and a `media_format` that
 * cannot be read (an `encoding` that is no string, a `sample_rate` that is no number).
 * Outbound-track media is skipped all the same, never refused.
 *
 * Outbound: `audio` → one `media` message per frame; `mark` → `mark`; `interruption` → `clear`;
 * `message` → its JSON as is. Exotel has no hang-up in this protocol: `end`/`cancel` produce
 * nothing (closing the socket ends the stream and the flow moves on to the next applet).
 *
 * Exotel asks for outbound messages of at least 3,200 bytes in multiples of 320 bytes (its pages
 * call that 100 ms, which holds at 16 kHz; at the default 8 kHz it is 200 ms, and 400 ms in
 * μ-law, one byte a sample, judged by the same byte figures): one message goes
 * per frame, so give the transport `audioOut.chunkMs: 200` at 8 kHz (100 at 16 and 24 kHz). The
 * transport still ends each reply with whatever is left, a shorter chunk, so with such a
 * `chunkMs` a payload under 3,200 bytes or not in whole 320-byte units is padded with the
 * encoding's silence (zero bytes in PCM16, 0xFF in μ-law) up to the next valid size: the audio
 * plays unchanged and is followed by at most 200 ms of silence at 8 kHz (100 ms at 16 kHz, 67 ms
 * at 24 kHz, 400 ms in μ-law), counted in
 * {@linkcode ExotelSerializer.paddedMessages} and {@linkcode ExotelSerializer.paddingBytes}. A
 * `chunkMs` whose every message would be too short is reported (an `"encode"` error, the `chunkMs`
 * to use named) and nothing is padded: padding each chunk would play the audio in pieces between
 * silences. One whose messages would be over Exotel's 100,000 bytes is reported alike. It is judged at the wire rate: at setup when `sampleRate` was given, and again at
 * each `start` that announces another rate (without `sampleRate`, only then).
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
  /** Exotel takes nothing before its start message, unless the stream id was given. */
  get awaitsStart(): boolean {
    return this.#ids.streamId === undefined;
  }
  #audio: TelephonyAudio;
  #media: OrderedMedia;
  #ids: CallIds;
  #end = new EndOfStream(PROVIDER);
  #paddedMessages = 0;
  #paddingBytes = 0;
  /** Whether short payloads are a reply's last chunk, to pad (the transport's chunks are valid). */
  #padShort = true;
  /** The transport's context: what it reports, and a start's odd custom parameters counted. */
  #context: SerializerContext | undefined;
  /** Whether `sampleRate` was given: then the wire rate is known at setup, else only at `start`. */
  #rateGiven: boolean;
  /** The transport's `audioOut.chunkMs`, once set up. */
  #chunkMs: number | undefined;
  /** The wire format a bad `chunkMs` was last reported at: one report per format, not per `start`. */
  #reportedAt: string | undefined;
  /** A start in an encoding or at a rate Exotel does not document (or unreadable) refuses its media. */
  #refused = new RefusedFormat();

  /** Makes a serializer for one call; see {@linkcode ExotelSerializerOptions}. */
  constructor(options: ExotelSerializerOptions = {}) {
    const sampleRate = options.sampleRate ?? 8000;
    this.#rateGiven = options.sampleRate !== undefined;
    if (!EXOTEL_RATES.pcm16le!.includes(sampleRate)) {
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
    if (this.awaitsStart) this.#refused.refuseUntilStart(PROVIDER, "streamSid");
  }

  /** The stream SID, once known. */
  get streamSid(): string | undefined {
    return this.#ids.streamId;
  }

  /** The call SID, once known. */
  get callSid(): string | undefined {
    return this.#ids.callId;
  }

  /** How many outbound media messages were padded with silence to Exotel's chunk sizes. */
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
    this.#context = context;
  }

  /**
   * Takes the transport's audio settings; reports a `chunkMs` Exotel cannot take when the wire
   * rate is known (`sampleRate` given), else leaves that to the `start`, which announces it.
   */
  setup(audio: SerializerAudioSetup): void {
    this.#audio.setup(audio);
    this.#chunkMs = audio.outputChunkMs;
    this.#reportedAt = undefined;
    // Without `sampleRate`, 8 kHz is a guess: a user of `?sample-rate=16000` with chunkMs 100
    // would be told of an error the start then proves wrong.
    this.#judgeChunkMs(this.#rateGiven);
  }

  /** One outbound frame to an Exotel message; see the class description. */
  serialize(frame: Frame): string | null {
    switch (frame.type) {
      case "audio": {
        // Read at once (padded, base64'd): bytes of their own would be an allocation for nothing.
        const bytes = this.#audio.encodeTransient(frame);
        if (bytes === null) return null;
        const payload = encodeBase64(this.#padShort ? this.#padToChunkSize(bytes) : bytes);
        return `{"event":"media","stream_sid":${this.#ids.streamIdJson()},"media":{"payload":"${payload}"}}`;
      }
      case "mark":
        return this.#ids.streamEvent("mark", { mark: { name: frame.name } });
      case "interruption":
        this.#audio.reset();
        return this.#ids.streamEvent("clear");
      case "message":
        return toJson(frame.message);
      default:
        return null;
    }
  }

  /**
   * A stretch of the bot's audio ended: what the resampler still holds of it (a fraction of a
   * millisecond) is dropped, played out or not, rather than go in front of the next reply (see
   * `FrameSerializer.audioEnds`). Exotel takes no payload under 3,200 bytes: padded to one, it
   * would put 67 to 400 ms of silence the transport does not know of after every reply.
   */
  audioEnds(): null {
    this.#audio.reset();
    return null;
  }

  /** The socket closed: the media the reorder window still holds, in order (its holes filled). */
  finish(): Frame[] {
    return this.#media.flush();
  }

  /** One Exotel message to frames; malformed input throws `TransportError("decode")`. */
  deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    const message = JsonReader.parse(data, PROVIDER);
    const event = message.string("event");
    if (this.#end.refuses(event)) return null;
    switch (event) {
      case "media": {
        // Media naming no track (the Voicebot applet's own) is the caller's; with both tracks
        // streamed, the outbound one is skipped.
        const media = readMediaMessage(message, { inboundTracks: INBOUND_TRACKS });
        // The outbound track is skipped before any refusal: never the caller's, it is no media
        // of the stream's to refuse (nor a decode error to count).
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
      case "stop": {
        this.#end.ended();
        // The reason is all we read of it, and only where it is the string Exotel sends: a stop
        // that cannot give one still ends the stream (thrown here, the stream was marked ended
        // with no `end` frame for the bot and its held chunks kept back).
        const reason = stopReason(message.value.stop);
        return [...this.#media.flush(), { type: "end", reason: reason ?? "stop" }];
      }
      default:
        return { type: "message", message: message.value };
    }
  }

  /**
   * A payload Exotel takes: at least 3,200 bytes in whole 320-byte units, the audio first, then
   * the stream encoding's silence: zero bytes in PCM16, but 0xFF in μ-law, where a zero byte is
   * the loudest negative sample.
   */
  #padToChunkSize(bytes: Uint8Array): Uint8Array {
    const size = Math.max(
      MIN_CHUNK_BYTES,
      Math.ceil(bytes.length / CHUNK_MULTIPLE) * CHUNK_MULTIPLE,
    );
    if (size === bytes.length) return bytes;
    const padded = new Uint8Array(size).fill(SILENCE_BYTE[this.#audio.encoding]);
    padded.set(bytes);
    this.#paddedMessages++;
    this.#paddingBytes += size - bytes.length;
    return padded;
  }

  #start(message: JsonReader): Frame {
    const start = message.object("start");
    const params = customParameters(start.value.custom_parameters, {
      provider: PROVIDER,
      field: start.pathOf("custom_parameters"),
      context: this.#context,
    });
    // The ids first: a start whose format we refuse still names the stream marks and clear go to.
    const frame = this.#ids.readStart(message, { callField: "call_sid", params });
    // Refused until the format is read and taken: one that cannot be read (a media_format that is
    // no object, an encoding that is no string, a sample_rate that is no number) throws, and the
    // media after it must not be decoded in the old format either.
    this.#refused.apply(() => {
      const given = start.optionalObject("media_format");
      if (given === undefined) return;
      // Exotel's older "Working with the Stream Applet" article shows the start's media format as
      // `{"encoding": "base64", "sample_rate": "8000", "bit_rate": "128kbps"}`: "base64" names how
      // the payload is carried, not the audio, which is the applet's raw/slin PCM16 (8 kHz × 16
      // bits = 128 kbit/s). Read as that, not refused: refused, the call's audio was all lost.
      const mediaFormat = given.value.encoding === "base64"
        ? new JsonReader({ ...given.value, encoding: "audio/x-raw" }, {
          provider: PROVIDER,
          path: start.pathOf("media_format"),
        })
        : given;
      // What the start leaves out is the stream's, judged with it as the pair it makes (a lone
      // `sample_rate` by the stream's encoding's rates; PCM16 named alone keeps the stream's
      // rate), but μ-law, documented at 8 kHz only, named without a `sample_rate` is at 8 kHz,
      // not at the `?sample-rate=` the PCM16 stream had: G.711's one rate, read so on every
      // platform that streams it at no other (`readMediaFormat`).
      const before = { encoding: this.#audio.encoding, sampleRate: this.#audio.sampleRate };
      const format = readMediaFormat(mediaFormat, {
        encoding: "encoding",
        sampleRate: "sample_rate",
        rates: EXOTEL_RATES,
        streams: EXOTEL_FORMATS,
      }, before);
      // Both ways: Exotel's bidirectional stream has one format (`content_type`, MediaFormat).
      this.#audio.configure(format);
    });
    // The wire rate is now settled: judge chunkMs against it.
    this.#judgeChunkMs(true);
    return frame;
  }

  /**
   * Decides, at the wire rate now, whether a short payload is a reply's last chunk (padded) or
   * every chunk is too short (sent as is). `settled`: the rate is Exotel's, not a guess, so a bad
   * `chunkMs` (every chunk too short, or too long) is reported (once per rate), naming one that
   * fits.
   */
  #judgeChunkMs(settled: boolean): void {
    const ms = this.#chunkMs;
    if (ms === undefined) return;
    const rate = this.#audio.sampleRate;
    const encoding = this.#audio.encoding;
    const bytes = chunkBytes(ms, rate, encoding);
    this.#padShort = fullChunk(bytes);
    const format = `${rate} Hz ${encoding}`;
    if (validChunk(bytes) || !settled || this.#reportedAt === format) return;
    this.#reportedAt = format;
    let fits = 10; // Exotel's rates (8, 16, 24 kHz) all have one by 200 ms, μ-law by 400 ms
    while (fits < 1000 && !validChunk(chunkBytes(fits, rate, encoding))) fits += 10;
    this.#context?.report(
      new TransportError(
        "encode",
        `audioOut.chunkMs ${ms} makes ${bytes}-byte messages at ${format}, and ` +
          `Exotel takes ${MIN_CHUNK_BYTES} to ${MAX_CHUNK_BYTES} bytes in multiples of ` +
          `${CHUNK_MULTIPLE}: use chunkMs ${fits} (they go as they are, ` +
          (bytes > MAX_CHUNK_BYTES ? "and may time out)" : "and Exotel waits between them)"),
      ),
    );
  }
}

/** `stop.reason` where it is a string ("stopped", "callended"): Exotel's word for the end. */
function stopReason(stop: unknown): string | undefined {
  return isObject(stop) && typeof stop.reason === "string" ? stop.reason : undefined;
}

/** Bytes of `ms` of audio at `rate` in `encoding`. */
function chunkBytes(ms: number, rate: number, encoding: TelephonyEncoding): number {
  return Math.round((ms * rate) / 1000) * bytesPerSample(encoding);
}

/** Whether `bytes` are at least 3,200 in whole 320-byte units: what padding makes a short one. */
function fullChunk(bytes: number): boolean {
  return bytes >= MIN_CHUNK_BYTES && bytes % CHUNK_MULTIPLE === 0;
}

/** Whether Exotel takes a payload of `bytes` (its "Chunk size window"). */
function validChunk(bytes: number): boolean {
  return fullChunk(bytes) && bytes <= MAX_CHUNK_BYTES;
}
