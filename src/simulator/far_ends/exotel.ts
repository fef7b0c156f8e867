/**
 * Exotel's Voicebot applet (bidirectional stream), as Exotel's AgentStream pages document it
 * ("WebSocket protocol", and "Working with the Stream and Voicebot Applet",
 * developer.exotel.com/docs/agentstream/):
 *
 * - Exotel sends `connected`, `start` (`stream_sid`, `start.call_sid`, `account_sid`, `from`,
 *   `to`, `custom_parameters`, `media_format` `{encoding: "audio/x-raw", sample_rate: "8000",
 *   bit_rate: "16"}`), `media` every ~100 ms (base64 raw PCM16 little-endian mono; string
 *   `sequence_number`, `chunk`, `timestamp`), `dtmf` (`digit`, `duration`), `mark` and `stop`
 *   (`reason`).
 * - It accepts `media` (`media.payload`), `mark` (sent back once the audio before it has
 *   finished playing) and `clear`, with the `stream_sid`: Twilio's message set, read by the code
 *   the Twilio and Telnyx far ends share (`_media_stream_events.ts`).
 * - The applet's URL may ask for 16 or 24 kHz (`?sample-rate=`); 8 kHz is the default.
 * - μ-law at 8 kHz instead (`encoding: "audio/x-mulaw"`): the beta extension guide's MediaFormat
 *   `audio/x-mulaw;rate=8000` ("Updated Extension Guide: Working with the Stream and Voicebot
 *   Applet (Beta)", section "1. Media Format"), also the Legs API `start_stream`'s default
 *   `content_type` (developer.exotel.com/docs/exoml/verbs/stream). No page shows the `start` of
 *   such a stream: the simulator sends the protocol page's, its `encoding` that MediaFormat as
 *   documented, `sample_rate` "8000" and `bit_rate` "8" (a μ-law sample's bits, as "16" is
 *   PCM16's), and takes the bot's audio back in μ-law, one byte a sample.
 * - Chunk size window for bidirectional streaming: minimum 3.2 k (3,200 bytes), maximum 100 k,
 *   always a multiple of 320 bytes (else the platform waits 20 ms per short packet: gaps). The
 *   page calls 3,200 bytes "100 ms", which holds at 16 kHz; at 8 kHz they are 200 ms, 400 ms in
 *   μ-law. The simulator enforces the byte figures, the ones stated as limits.
 *
 * Marks queued behind cleared audio: the pages do not say; the simulator drops them and the
 * report counts them `dropped`.
 *
 * @module
 */

import { mulawDecode, mulawEncode } from "../../audio/g711.ts";
import { toBase64 } from "../_base64.ts";
import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";
import { hexId, littleEndianBytes, samplesFromLittleEndian } from "./_json_events.ts";
import { EncodingRates } from "./_encoding_rates.ts";
import { MediaStreamEvents } from "./_media_stream_events.ts";

const MIN_CHUNK_BYTES = 3200;
const MAX_CHUNK_BYTES = 100_000;
const CHUNK_MULTIPLE = 320;
/** Exotel's PCM16 little-endian, the Voicebot applet's default format. */
const RAW = "audio/x-raw";
/** Exotel's μ-law, 8 kHz only. */
const MULAW = "audio/x-mulaw";
/**
 * The rates of each encoding: PCM16 at the applet URL's `sample-rate` (8, 16 or 24 kHz), μ-law at
 * 8 kHz alone (its MediaFormat `audio/x-mulaw;rate=8000`): see the module's notes.
 */
const RATES = new EncodingRates("Exotel", { [RAW]: [8000, 16000, 24000], [MULAW]: [8000] });

/** Exotel's side of a Voicebot stream. */
export class ExotelFarEnd implements FarEnd {
  readonly protocol = "exotel";
  readonly caller: { readonly sampleRate: number; readonly frameMs: number };
  readonly playbackRate: number;
  readonly #options: FarEndOptions;
  readonly #streamSid: string;
  readonly #callSid: string;
  readonly #accountSid = hexId("AC", 24);
  /** Whether the stream is μ-law both ways (else PCM16 little-endian). */
  readonly #mulaw: boolean;
  #context!: FarEndContext;
  #events!: MediaStreamEvents;

  constructor(options: FarEndOptions) {
    // As Exotel writes it (`audio/x-mulaw;rate=8000` in start_stream's content_type), any case.
    const encoding = (options.encoding ?? RAW).toLowerCase().replace(/;\s*rate=8000$/, "");
    const rate = options.sampleRate ?? 8000;
    if (!RATES.encodings.includes(encoding)) {
      throw new RangeError(`Exotel streams ${RATES.encodings.join(" or ")}, got ${encoding}`);
    }
    if (!RATES.streams(encoding, rate)) throw new RangeError(RATES.refusal(encoding, rate));
    this.#mulaw = encoding === MULAW;
    this.playbackRate = rate;
    this.caller = { sampleRate: rate, frameMs: 100 };
    this.#options = options;
    this.#streamSid = options.streamId ?? hexId("MZ", 24);
    this.#callSid = options.callId ?? hexId("CA", 24);
  }

  /**
   * Exotel's μ-law is at 8 kHz only: a wider rate is its PCM16's (`audio/x-raw`), which the far
   * end made without the rate can name.
   */
  optionsForRate(rate: number): FarEndOptions[] {
    return RATES.optionsForRate(this.#mulaw ? MULAW : RAW, rate);
  }

  open(context: FarEndContext): void {
    this.#context = context;
    const events = this.#events = new MediaStreamEvents(context, {
      protocol: "exotel",
      name: "Exotel",
      sequenceKey: "sequence_number",
      streamKey: "stream_sid",
      streamId: this.#streamSid,
      checkStreamId: true,
      markOnClear: "drop",
      chunkMs: this.caller.frameMs,
      onMedia: (bytes) => this.#play(bytes),
    });
    events.send({ event: "connected" });
    events.send({
      event: "start",
      sequence_number: events.nextSequence(),
      stream_sid: this.#streamSid,
      start: {
        stream_sid: this.#streamSid,
        call_sid: this.#callSid,
        account_sid: this.#accountSid,
        from: this.#options.from ?? "+919800000001",
        to: this.#options.to ?? "+918000000002",
        custom_parameters: this.#options.customParameters ?? {},
        media_format: this.#mulaw
          ? { encoding: `${MULAW};rate=8000`, sample_rate: "8000", bit_rate: "8" }
          : { encoding: RAW, sample_rate: String(this.playbackRate), bit_rate: "16" },
      },
    });
    context.ready();
  }

  sendAudio(samples: Int16Array): void {
    const events = this.#events;
    events.send({
      event: "media",
      sequence_number: events.nextSequence(),
      stream_sid: this.#streamSid,
      media: {
        ...events.nextChunk(),
        payload: toBase64(this.#mulaw ? mulawEncode(samples) : littleEndianBytes(samples)),
      },
    });
  }

  sendDtmf(digit: string): boolean {
    this.#events.send({
      event: "dtmf",
      sequence_number: this.#events.nextSequence(),
      stream_sid: this.#streamSid,
      dtmf: { digit, duration: "100" },
    });
    return true;
  }

  hangUp(): Promise<void> {
    this.#events.send({
      event: "stop",
      sequence_number: this.#events.nextSequence(),
      stream_sid: this.#streamSid,
      stop: { call_sid: this.#callSid, account_sid: this.#accountSid, reason: "callended" },
    });
    return Promise.resolve();
  }

  receive(data: string | Uint8Array): void {
    this.#events.receive(data);
  }

  /**
   * The bytes of one `media` message, checked against the chunk size window (bytes, whatever the
   * encoding), played.
   */
  #play(bytes: Uint8Array): void {
    const context = this.#context;
    if (bytes.length < MIN_CHUNK_BYTES) {
      context.violation(
        "exotel.chunk-too-small",
        `a ${bytes.length}-byte chunk; Exotel's minimum is ${MIN_CHUNK_BYTES} bytes`,
      );
    } else if (bytes.length > MAX_CHUNK_BYTES) {
      context.violation(
        "exotel.chunk-too-large",
        `a ${bytes.length}-byte chunk; Exotel's maximum is 100k`,
      );
    }
    if (bytes.length % CHUNK_MULTIPLE !== 0) {
      context.violation(
        "exotel.chunk-multiple",
        `a ${bytes.length}-byte chunk is not a multiple of ${CHUNK_MULTIPLE} bytes`,
      );
    }
    context.play(this.#mulaw ? mulawDecode(bytes) : samplesFromLittleEndian(bytes));
  }
}
