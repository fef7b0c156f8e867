/**
 * Telnyx media streaming with bidirectional RTP (`stream_bidirectional_mode: "rtp"`), as
 * Telnyx's "Stream call media over WebSocket" AsyncAPI reference documents it
 * (developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket):
 *
 * - Telnyx sends `connected` (`version`), `start` (`stream_id`, `start.call_control_id`,
 *   `client_state`, `custom_parameters`, `media_format` with `encoding`, `sample_rate`,
 *   `channels`), `media` (base64 RTP payload, `track`, `chunk`, `timestamp`, string
 *   `sequence_number`s), `dtmf`, `mark`, `error` and `stop`.
 * - It accepts `media` (`media.payload`: RTP payload in the bidirectional codec, "20 milliseconds
 *   to 30 seconds of audio" per message), `mark` (sent back once played) and `clear`: Twilio's
 *   message set, read by the code the Twilio and Exotel far ends share (`_media_stream_events.ts`).
 * - Codecs: PCMU and PCMA at 8 kHz, L16 at 16 kHz (network byte order, as RTP carries it), G722
 *   (wideband: 16 kHz audio, one byte per two samples). The bidirectional codec is set apart from
 *   the streamed one and is PCMU at 8 kHz unless set (TeXML <Stream>'s `bidirectionalCodec`, which
 *   lists G722, and `bidirectionalSamplingRate` defaults,
 *   developers.telnyx.com/docs/voice/programmable-voice/texml-verbs/stream): `playbackEncoding`,
 *   and for L16 `sampleRate` (8000 by default, as Telnyx's).
 * - G722's `media_format.sample_rate` is 8000: the reference states none for it, and 8000 is RTP's
 *   clock for G.722, which samples at 16 kHz (RFC 3551 §4.5.2); a bot must read it as 16 kHz
 *   audio. Each call codes its own streams: one encoder and one decoder per far end, each keeping
 *   its state from one message to the next, as G.722 must.
 *
 * Marks queued behind cleared audio come back at the clear, as the reference says ("A clear frame
 * also returns queued marks"; a mark with nothing playing or queued comes back at once).
 *
 * @module
 */

import { counted } from "../_counted.ts";
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from "../../audio/g711.ts";
import { G722Decoder, G722Encoder } from "../../audio/g722.ts";
import { toBase64 } from "../_base64.ts";
import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";
import { hexId } from "./_json_events.ts";
import { MediaStreamEvents } from "./_media_stream_events.ts";

type Codec = "PCMU" | "PCMA" | "L16" | "G722";
/** The audio's rate, at which the caller's is made and the bot's played. */
const RATES: Record<Codec, number> = { PCMU: 8000, PCMA: 8000, L16: 16000, G722: 16000 };
/**
 * The rates Telnyx plays L16 at: Call Control's "Start streaming"
 * (`stream_bidirectional_sampling_rate`) lists five; TeXML's `bidirectionalSamplingRate` three of
 * them (8000, 16000, 24000).
 */
const L16_PLAYBACK_RATES: readonly number[] = [8000, 16000, 22050, 24000, 48000];
/** RTP's clock for G.722 (RFC 3551 §4.5.2): what `media_format.sample_rate` says of it. */
const G722_CLOCK_RATE = 8000;

/** `name` as a Telnyx codec; `what` names it in the error, as Telnyx does, not as an option. */
function codecOf(name: string | undefined, what: string): Codec {
  const codec = (name ?? "PCMU").toUpperCase();
  if (codec !== "PCMU" && codec !== "PCMA" && codec !== "L16" && codec !== "G722") {
    throw new RangeError(`Telnyx's ${what} is PCMU, PCMA, L16 or G722, got ${name}`);
  }
  return codec;
}

/** Telnyx's side of a bidirectional media stream. */
export class TelnyxFarEnd implements FarEnd {
  readonly protocol = "telnyx";
  readonly caller: { readonly sampleRate: number; readonly frameMs: number };
  readonly playbackRate: number;
  /** What Telnyx streams to the bot. */
  readonly #codec: Codec;
  /** What it plays of the bot's: the bidirectional codec. */
  readonly #playback: Codec;
  readonly #options: FarEndOptions;
  readonly #streamId: string;
  readonly #callControlId: string;
  /** This call's G.722 streams, made when first used: their state runs through the call. */
  #encoder: G722Encoder | undefined;
  #decoder: G722Decoder | undefined;
  #context!: FarEndContext;
  #events!: MediaStreamEvents;

  constructor(options: FarEndOptions) {
    this.#codec = codecOf(options.encoding, "streaming codec");
    this.#playback = codecOf(options.playbackEncoding, "bidirectional codec");
    // The bidirectional sampling rate: G.711's 8 kHz, G.722's 16 kHz; L16's is chosen apart
    // (Telnyx's default 8000), given here by `sampleRate`.
    this.playbackRate = this.#playback === "L16"
      ? options.sampleRate ?? 8000
      : RATES[this.#playback];
    if (!L16_PLAYBACK_RATES.includes(this.playbackRate)) {
      throw new RangeError(
        `Telnyx plays L16 at 8000, 16000, 22050, 24000 or 48000 Hz, got ${options.sampleRate}`,
      );
    }
    this.caller = { sampleRate: RATES[this.#codec], frameMs: 20 };
    this.#options = options;
    this.#streamId = options.streamId ?? crypto.randomUUID().toUpperCase();
    this.#callControlId = options.callId ?? `v3:${hexId("", 40)}`;
  }

  /**
   * `sampleRate` is the bidirectional sampling rate, which Telnyx sets for L16 playback alone:
   * with G.711 or G.722 played back it is never read, and a rate L16 plays at needs
   * `playbackEncoding` L16 (the caller's audio keeps its own codec's rate).
   */
  optionsForRate(rate: number): FarEndOptions[] {
    if (this.#playback === "L16" || !L16_PLAYBACK_RATES.includes(rate)) return [];
    return [{ playbackEncoding: "L16" }];
  }

  open(context: FarEndContext): void {
    this.#context = context;
    const events = this.#events = new MediaStreamEvents(context, {
      protocol: "telnyx",
      name: "Telnyx",
      sequenceKey: "sequence_number",
      streamKey: "stream_id",
      streamId: this.#streamId,
      // The reference's `media`, `mark` and `clear` from the bot have no `stream_id` to check.
      checkStreamId: false,
      markOnClear: "ack",
      chunkMs: this.caller.frameMs,
      onMedia: (bytes) => this.#play(bytes),
    });
    events.send({ event: "connected", version: "1.0.0" });
    events.send({
      event: "start",
      sequence_number: events.nextSequence(),
      start: {
        user_id: crypto.randomUUID(),
        call_control_id: this.#callControlId,
        call_session_id: crypto.randomUUID(),
        from: this.#options.from ?? "+15550100001",
        to: this.#options.to ?? "+15550100002",
        client_state: "",
        custom_parameters: this.#options.customParameters ?? {},
        media_format: {
          encoding: this.#codec,
          sample_rate: this.#codec === "G722" ? G722_CLOCK_RATE : this.caller.sampleRate,
          channels: 1,
        },
      },
      stream_id: this.#streamId,
    });
    context.ready();
  }

  sendAudio(samples: Int16Array): void {
    const events = this.#events;
    events.send({
      event: "media",
      sequence_number: events.nextSequence(),
      media: {
        track: "inbound",
        ...events.nextChunk(),
        payload: toBase64(this.#encode(samples)),
      },
      stream_id: this.#streamId,
    });
  }

  sendDtmf(digit: string): boolean {
    this.#events.send({
      event: "dtmf",
      stream_id: this.#streamId,
      sequence_number: this.#events.nextSequence(),
      dtmf: { digit },
    });
    return true;
  }

  hangUp(): Promise<void> {
    this.#events.send({
      event: "stop",
      sequence_number: this.#events.nextSequence(),
      stop: { call_control_id: this.#callControlId },
      stream_id: this.#streamId,
    });
    return Promise.resolve();
  }

  receive(data: string | Uint8Array): void {
    this.#events.receive(data);
  }

  /** The bytes of one `media` message, decoded and checked against Telnyx's length window. */
  #play(bytes: Uint8Array): void {
    const samples = this.#decode(bytes);
    const ms = (samples.length * 1000) / this.playbackRate;
    if (ms < 20 || ms > 30_000) {
      this.#context.violation(
        "telnyx.chunk-size",
        `a media message of ${ms} ms; Telnyx takes 20 ms to 30 s`,
      );
    }
    this.#context.play(samples);
  }

  #encode(samples: Int16Array): Uint8Array {
    if (this.#codec === "PCMU") return mulawEncode(samples);
    if (this.#codec === "PCMA") return alawEncode(samples);
    if (this.#codec === "G722") return (this.#encoder ??= new G722Encoder()).encode(samples);
    const out = new Uint8Array(samples.length * 2);
    const view = new DataView(out.buffer);
    for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, false);
    return out;
  }

  #decode(bytes: Uint8Array): Int16Array {
    if (this.#playback === "PCMU") return mulawDecode(bytes);
    if (this.#playback === "PCMA") return alawDecode(bytes);
    if (this.#playback === "G722") return (this.#decoder ??= new G722Decoder()).decode(bytes);
    if (bytes.length % 2 !== 0) {
      this.#context.violation(
        "telnyx.bad-media",
        `L16 payload of ${counted(bytes.length, "byte")} (odd)`,
      );
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Int16Array(bytes.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, false);
    return out;
  }
}
