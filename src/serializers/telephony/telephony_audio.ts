/**
 * The audio half of every telephony serializer: wire payload (μ-law, A-law, PCM16 at the
 * provider's rate, or G.722) ⇄ `AudioFrame` (PCM16 at the transport's rates), with one streaming
 * `Resampler` per direction kept across chunks so that 20 ms packets join without clicks.
 *
 * Used by every telephony serializer here and free for any other serializer of a base64-in-JSON
 * or binary telephony protocol.
 *
 * @module
 */

import type { AudioFrame } from "../../frames.ts";
import type { SerializerAudioSetup } from "../../serializer.ts";
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from "../../audio/g711.ts";
import { G722Decoder, G722Encoder } from "../../audio/g722.ts";
import { pcm16Bytes, pcm16Samples } from "../../audio/pcm.ts";
import { Resampler, RESAMPLER_RATES } from "../../audio/resampler.ts";
import { shareOf } from "../../audio/_polyphase_resampler.ts";
import { OwnedSlab } from "../../audio/_owned_slab.ts";
import { newInt16Array, newUint8Array } from "../../audio/_slab.ts";
import { TransportError } from "../../errors.ts";
import { atSessionEnd } from "../../_session_end.ts";
import { decodeBase64, encodeBase64 } from "./base64.ts";
import {
  isTelephonyRate,
  SILENCE_BYTE,
  TELEPHONY_ENCODINGS,
  type TelephonyEncoding,
} from "./telephony_encoding.ts";

/** G.722's audio rate, and the wire rate it is given: its RTP clock (RFC 3551 §4.5.2). */
const G722_AUDIO_RATE = 16000;
const G722_WIRE_RATE = 8000;
const NO_SAMPLES = new Int16Array(0);
const NO_BYTES = new Uint8Array(0);

/** A wire format, or the part of one a provider announced. */
export interface TelephonyFormat {
  /** How samples travel; absent: unchanged. */
  encoding?: TelephonyEncoding | undefined;
  /** The wire sample rate in Hz; absent: unchanged. */
  sampleRate?: number | undefined;
}

/** Options for {@linkcode TelephonyAudio}. */
export interface TelephonyAudioOptions {
  /**
   * The wire encoding.
   *
   * @default {"mulaw"}
   */
  encoding?: TelephonyEncoding;
  /**
   * The wire sample rate in Hz. For G.722, 8000 (its RTP clock) or 16000 (its audio rate): either
   * names the same stream, whose wire rate is then 8000, a byte per tick.
   *
   * @default {8000}
   */
  sampleRate?: number;
  /**
   * The provider's name, used in error messages.
   *
   * @default {"telephony"}
   */
  provider?: string;
}

/**
 * Converts telephony audio both ways for one session. Inbound: wire bytes → decoded → resampled
 * to the transport's input rate (and channel count) → `AudioFrame`. Outbound: `AudioFrame` at any
 * rate → mixed down to mono → resampled to the wire rate → encoded. Each direction keeps one
 * resampler whose filter state carries across chunks; {@linkcode TelephonyAudio.reset} drops the
 * outbound state on interruption so no tail of cut-off speech leaks into the next utterance.
 *
 * Resampled, the bot's audio leaves as one stream that begins with the filter's delay as silence,
 * so each message is exactly as long as its frame at the wire rate (fixed-size framing holds;
 * after every frame, what has left is `floor(samples written × wire rate / their rate)`, however
 * the frames are cut: 5 ms ones at 22.05 kHz too) and
 * a reply's last samples (that delay: 2 samples at 8 kHz from 16, 24 or 48 kHz, 4 from 22.05 kHz,
 * 36 at 16 kHz from 22.05 kHz) are still in the filter when its last frame has been encoded. The
 * next audio pushes them out in front of its own, however much later it comes;
 * {@linkcode TelephonyAudio.flushOutbound} hands them over at once (the next audio then begins
 * from silence again); {@linkcode TelephonyAudio.reset} drops them;
 * {@linkcode TelephonyAudio.endOutbound} does one or the other where a stretch of the bot's audio
 * ends (a serializer's `audioEnds`), so that they go with the reply they belong to, or not at all.
 *
 * G.722 is coded at its 16 kHz (the resamplers convert to and from that), its wire rate the RTP
 * clock of 8000, one byte a tick, so that byte counts (gaps, padding, durations) hold as for
 * G.711. Each direction keeps its codec's state from one message to the next, as the stream's
 * one encoder and decoder: {@linkcode TelephonyAudio.configure} naming G.722 (a provider's
 * `start`) begins both afresh. A lost packet that a caller fills with
 * {@linkcode SILENCE_BYTE}'s G.722 entry fades the audio out; the decoder is back in step with
 * the stream 90 ms after it at the median, 200 ms at worst (it cannot be exact: the lost bytes
 * moved the sender's state). An odd sample at the end of a message waits for the next one's first
 * (two samples make a byte): {@linkcode TelephonyAudio.flushOutbound} codes it with a zero,
 * {@linkcode TelephonyAudio.reset} drops it. The encoder's state is kept through a reset: a far
 * end that decodes our bytes as they come has followed every one of them. One that
 * decodes them as they play and discards the rest at a clear (Asterisk's `FLUSH_MEDIA`) has not:
 * its decoder is out of step for about 100–200 ms of the next reply, as after a lost packet.
 * Begun afresh instead, ours would be further from it (measured on speech: −11 dB against −3 dB
 * over the first 50 ms); only a state kept per frame sent, and restored to the last frame played,
 * would be exact.
 *
 * Until {@linkcode TelephonyAudio.setup} runs, inbound frames come out at 16 kHz mono, the
 * transport's default. Set up with the audio settings a transport handed its serializer's
 * `setup`, it lets go of its resamplers and slabs once that session is over (an ended transport
 * kept for its `stats` holds none of them); set up by hand, it keeps them as long as it lives.
 *
 * The bytes it returns (an inbound frame's `audio`, {@linkcode TelephonyAudio.encode}'s message)
 * are cut from 16 KB slabs of this converter's own, one for inbound frames and one for outbound
 * messages (a buffer each costs more than the rest of the conversion): an inbound frame's
 * `audio.buffer` holds other inbound audio of the same call (frames before and after it), never
 * another call's or the bot's. Transferring it (`postMessage(audio, [audio.buffer])`) empties the
 * call's other frames on it, but never breaks later ones; transfer `audio.slice()` to take one
 * frame alone.
 *
 * @example A μ-law round trip from 16 kHz to Twilio's 8 kHz and back
 * ```ts
 * import { TelephonyAudio } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * const audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000 });
 * audio.setup({ inputSampleRate: 16000, inputChannels: 1, outputSampleRate: 16000, outputChannels: 1 });
 * const pcm = new Uint8Array(640); // 20 ms of silence at 16 kHz
 * const payload = audio.encodeBase64({ type: "audio", audio: pcm, sampleRate: 16000, channels: 1 });
 * assert.equal(typeof payload, "string");
 * const frame = audio.decodeBase64(payload!);
 * assert.equal(frame?.sampleRate, 16000);
 * ```
 */
export class TelephonyAudio {
  #encoding: TelephonyEncoding;
  #wireRate: number;
  #provider: string;
  #inputRate = 16000;
  #inputChannels = 1;
  #inbound: Resampler | undefined;
  #outbound: Resampler | undefined;
  /** G.722's codec state, each direction's, made at its first use. */
  #g722Decoder: G722Decoder | undefined;
  #g722Encoder: G722Encoder | undefined;
  #outboundFrom = 0;
  /** The outbound resampler has produced output since it was made or reset. */
  #outboundPrimed = false;
  /**
   * Until it is primed: samples the outbound resampler's stream has been fed, and the silence sent
   * in front of its output.
   */
  #outboundFed = 0;
  #outboundPadded = 0;
  /** Where inbound frames' bytes are cut from: this call's alone. */
  readonly #frameSlab = new OwnedSlab();
  /**
   * The inbound resampler's output arrays, when they are the frame (mono): cut from the call's
   * slab at once, not from the process's and copied.
   */
  readonly #frameArrays = (length: number): Int16Array => this.#frameSlab.int16Array(length);
  /**
   * Where outbound messages' bytes are cut from, apart from the frames': a reader transferring a
   * frame's buffer must not empty a message a socket still holds.
   */
  readonly #messageSlab = new OwnedSlab();

  /** Makes a converter for one session; see {@linkcode TelephonyAudioOptions}. */
  constructor(options: TelephonyAudioOptions = {}) {
    this.#provider = options.provider ?? "telephony";
    this.#encoding = checkEncoding(options.encoding ?? "mulaw");
    this.#wireRate = wireRateOf(this.#encoding, options.sampleRate ?? 8000);
  }

  /** The wire encoding. */
  get encoding(): TelephonyEncoding {
    return this.#encoding;
  }

  /** The wire sample rate in Hz (for G.722 its RTP clock, 8000: a byte per tick). */
  get sampleRate(): number {
    return this.#wireRate;
  }

  /** The rate the codec's samples are at: the wire rate, but 16 kHz for G.722's 8 kHz clock. */
  get #codecRate(): number {
    return this.#encoding === "g722" ? G722_AUDIO_RATE : this.#wireRate;
  }

  /** The rate inbound frames come out at (the transport's input rate once set up). */
  get inputSampleRate(): number {
    return this.#inputRate;
  }

  /** Takes the transport's audio settings; inbound frames come out at its input rate. */
  setup(audio: SerializerAudioSetup): void {
    // All checked before anything changes: a refused setup leaves the converter as it was.
    const inputRate = checkRate(audio.inputSampleRate, "inputSampleRate");
    // The bot's audio is resampled at each chunk: a rate no resampler takes set up here made every
    // chunk of the call an encode error, the bot never heard.
    checkRate(audio.outputSampleRate, "outputSampleRate");
    if (!Number.isInteger(audio.inputChannels) || audio.inputChannels < 1) {
      throw new RangeError(`inputChannels must be a positive integer, got ${audio.inputChannels}`);
    }
    this.#inputRate = inputRate;
    this.#inputChannels = audio.inputChannels;
    this.#inbound = undefined;
    atSessionEnd(audio, () => this.#release());
  }

  /**
   * The session it was set up for is over: its resamplers (some 40 KB of filter history each)
   * and the current slabs go, so that a transport kept after its call holds none of them. A later
   * use starts afresh, as after a change of rate.
   */
  #release(): void {
    this.#inbound = undefined;
    this.#outbound = undefined;
    this.#newOutboundStream();
    this.#frameSlab.release();
    this.#messageSlab.release();
  }

  /**
   * Changes the wire format, e.g. to what a provider's `start` message announces. Resamplers
   * start afresh when the rate changes: what they held back is gone unless
   * {@linkcode TelephonyAudio.flushInbound} and {@linkcode TelephonyAudio.flushOutbound} took it
   * first. A format refused (a `RangeError`) changes nothing: later media is not read in half of
   * it. A format in G.722 is a new G.722 stream: both directions' codec state starts afresh.
   */
  configure(format: TelephonyFormat): void {
    const encoding = format.encoding === undefined
      ? this.#encoding
      : checkEncoding(format.encoding);
    // G.722 named without a rate is at its own, whatever the encoding before it was at.
    const rate = format.sampleRate ??
      (encoding === "g722" ? G722_WIRE_RATE : this.#wireRate);
    const wireRate = wireRateOf(encoding, rate);
    const codecRate = this.#codecRate;
    this.#encoding = encoding;
    this.#wireRate = wireRate;
    if (this.#codecRate !== codecRate) {
      this.#inbound = undefined;
      this.#outbound = undefined;
    }
    this.#g722Decoder = undefined;
    this.#g722Encoder = undefined;
  }

  /**
   * Ends the inbound stream: the samples the inbound resampler holds back (its filter's delay, a
   * few samples) as an `AudioFrame` at the transport's input rate, or `null` when it holds none.
   * Call it before a rate change, which would drop them: they are the caller's audio.
   */
  flushInbound(): AudioFrame | null {
    const tail = this.#inbound?.flush(this.#resampledInto());
    return tail === undefined ? null : this.#inboundFrame(tail);
  }

  /**
   * Ends the outbound stream: the samples the outbound resampler holds back (its filter's delay,
   * a few samples), encoded at the wire rate and format, or `null` when it holds none. Call it
   * before a rate change, which would drop them: they are the end of the bot's audio so far.
   */
  flushOutbound(): Uint8Array | null {
    return this.endOutbound(true);
  }

  /**
   * A stretch of the bot's audio has ended (see `FrameSerializer.audioEnds`). `playing`, the far
   * end plays it on: the samples the outbound resampler still holds of it, as
   * {@linkcode TelephonyAudio.flushOutbound} hands them over, to go after its last message.
   * Otherwise they are dropped ({@linkcode TelephonyAudio.reset}) and `null` is returned: filter
   * state of audio that has played out (counted sent with its chunk), not queued audio lost, which
   * the next audio would otherwise push out in front of its own, however much later it comes.
   * Either way the next audio begins a new stream, with the filter's delay as silence.
   *
   * `roomBytes`: at most that many wire bytes of them go, the rest dropped as filter state, for
   * a wire of whole frames (Vonage, Asterisk) whose reply's partial last frame has that much room
   * left: they end that frame rather than spill into one of their own, a fraction of a
   * millisecond padded to a whole frame of silence (an 800 ms reply at 24 kHz to 16 kHz played
   * 820 ms). 0 (the last frame left whole) drops them all, as where nothing plays on. Nothing of
   * the reply is lost to what was counted sent: its stream began with the filter's delay as
   * silence (see the class description), so what leaves is as long as what the bot wrote (save,
   * in G.722, a last sample waiting for its pair where the last frame left whole: 1/16 ms, never
   * coded). In G.722 the samples dropped are never coded, so our encoder stays in step with the
   * far end's decoder.
   */
  endOutbound(playing: boolean, roomBytes = Infinity): Uint8Array | null {
    if (!playing || roomBytes <= 0) {
      this.reset();
      return null;
    }
    const tail = this.#outbound?.flush() ?? NO_SAMPLES;
    // Flushed, the resampler starts a new stream: its next output is primed again.
    this.#newOutboundStream();
    const fitting = roomBytes === Infinity
      ? tail
      : tail.subarray(0, this.#samplesFitting(roomBytes));
    return this.#wire(fitting, true, true);
  }

  /**
   * How many samples at the codec's rate, ending the stream, encode into at most `bytes` wire
   * bytes: G.722 codes two a byte, a sample waiting for its pair among them (the last one's pair
   * a zero).
   */
  #samplesFitting(bytes: number): number {
    switch (this.#encoding) {
      case "mulaw":
      case "alaw":
        return bytes;
      case "pcm16le":
      case "pcm16be":
        return Math.floor(bytes / 2);
      case "g722":
        return bytes * 2 - (this.#g722Encoder?.waiting ? 1 : 0);
    }
  }

  /**
   * Drops the outbound resampler's state (call on interruption), and a G.722 sample waiting for
   * its pair.
   */
  reset(): void {
    this.#outbound?.reset();
    this.#newOutboundStream();
    this.#g722Encoder?.dropWaiting();
  }

  /**
   * Fills `bytes` with silence in the wire encoding, to go out after everything encoded so far
   * (a payload padded to a provider's least length): the encoding's silence byte; for G.722,
   * zeros coded by the outbound encoder, whose state they carry on (after a sample waiting for
   * its pair, which they complete). Returns `bytes`.
   */
  fillSilence(bytes: Uint8Array): Uint8Array {
    if (this.#encoding !== "g722") return bytes.fill(SILENCE_BYTE[this.#encoding]);
    // Nothing to fill: a sample waiting for its pair waits on (one zero would need a byte).
    if (bytes.length === 0) return bytes;
    const encoder = this.#g722Encoder ??= new G722Encoder();
    // Two samples a byte, one fewer when a sample waits for its pair: none is left waiting.
    encoder.encode(newInt16Array(bytes.length * 2 - (encoder.waiting ? 1 : 0)), bytes);
    return bytes;
  }

  /** The outbound resampler starts a new stream: its first output is to be primed again. */
  #newOutboundStream(): void {
    this.#outboundPrimed = false;
    this.#outboundFed = 0;
    this.#outboundPadded = 0;
  }

  /**
   * The first output of a fresh outbound resampler lacks the few samples its filter holds back:
   * put that much silence in front, so the first message is as long as its input (providers such
   * as Telnyx refuse a message under 20 ms) and every later one lines up. The resampler keeps its
   * output at the stream's share less a fixed hold-back (`Resampler`'s exact length), so what
   * leaves is the share of every sample fed, after every chunk: silence for chunks too short to
   * produce any output, then the rest of the hold-back in front of the first output. Put in front
   * by the share of the first output's chunk alone, it was a sample more or less by where that
   * chunk ended (a 22.05 kHz reply in 5 ms chunks went to Vonage at 24 kHz a sample long, its last
   * frame padded out: 1 s played as 1.02 s), and chunks before it were not made up for.
   */
  #prime(resampled: Int16Array, inputLength: number, inputRate: number): Int16Array {
    this.#outboundFed += inputLength;
    this.#outboundPrimed = resampled.length > 0;
    const share = shareOf(this.#outboundFed, this.#codecRate, inputRate);
    const silence = share - this.#outboundPadded - resampled.length;
    if (silence <= 0) return resampled;
    this.#outboundPadded += silence;
    // Read at once by the encoder: the process's slab will do.
    const primed = newInt16Array(silence + resampled.length);
    primed.set(resampled, silence);
    return primed;
  }

  /**
   * Wire bytes → an `AudioFrame` at the transport's input rate, or `null` when the resampler
   * has not yet produced a sample. Throws a `TransportError("decode")` for a PCM16 payload of odd
   * length.
   */
  decode(payload: Uint8Array): AudioFrame | null {
    // When the decoded samples are the frame (no resampling, mono), decode straight into the
    // call's own slab; otherwise into the process's, which the next step reads at once.
    const codecRate = this.#codecRate;
    const final = codecRate === this.#inputRate && this.#inputChannels === 1;
    let samples: Int16Array;
    switch (this.#encoding) {
      case "mulaw":
        samples = mulawDecode(
          payload,
          final ? this.#frameSlab.int16Array(payload.length) : undefined,
        );
        break;
      case "alaw":
        samples = alawDecode(
          payload,
          final ? this.#frameSlab.int16Array(payload.length) : undefined,
        );
        break;
      case "pcm16le":
        this.#checkEven(payload.length);
        samples = pcm16Samples(payload);
        break;
      case "pcm16be": {
        this.#checkEven(payload.length);
        const length = payload.length >> 1;
        samples = swapToSamples(
          payload,
          final ? this.#frameSlab.int16Array(length) : newInt16Array(length),
        );
        break;
      }
      case "g722": {
        const decoder = this.#g722Decoder ??= new G722Decoder();
        const length = payload.length * 2;
        samples = decoder.decode(payload, final ? this.#frameSlab.int16Array(length) : undefined);
        break;
      }
    }
    if (codecRate !== this.#inputRate) {
      this.#inbound ??= new Resampler({ inputRate: codecRate, outputRate: this.#inputRate });
      samples = this.#inbound.process(samples, this.#resampledInto());
    }
    return this.#inboundFrame(samples);
  }

  /** Where resampled inbound samples go: the frame's own array when mono, else the process's. */
  #resampledInto(): ((length: number) => Int16Array) | undefined {
    return this.#inputChannels === 1 ? this.#frameArrays : undefined;
  }

  /** Mono samples at the input rate → an `AudioFrame` in the input's channels; none: `null`. */
  #inboundFrame(samples: Int16Array): AudioFrame | null {
    if (samples.length === 0) return null;
    const channels = this.#inputChannels;
    // The reader's to keep, send or transfer: its buffer holds this call's inbound audio only
    // (the call's slab, or a message's own bytes), never the process's slab.
    const audio = channels > 1
      ? pcm16Bytes(upmix(samples, channels, this.#frameSlab.int16Array(samples.length * channels)))
      : this.#frameSlab.own(pcm16Bytes(samples));
    return {
      type: "audio",
      audio,
      sampleRate: this.#inputRate,
      channels: this.#inputChannels,
    };
  }

  /** A base64 payload → {@linkcode TelephonyAudio.decode}; bad base64 is a decode error. */
  decodeBase64(payload: string): AudioFrame | null {
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(payload);
    } catch (cause) {
      const shown = payload.length > 40 ? `${payload.slice(0, 37)}...` : payload;
      throw new TransportError(
        "decode",
        `${this.#provider}: media payload is not base64: ${JSON.stringify(shown)}`,
        { cause },
      );
    }
    return this.decode(bytes);
  }

  /**
   * An `AudioFrame` → wire bytes at the wire rate, or `null` when the resampler has not yet
   * produced a sample. Throws a `TransportError("encode")` for a malformed frame. The bytes are
   * cut from a slab of this converter's own, where only this call's earlier messages lie (PCM16
   * already at the wire rate: possibly the frame's own bytes, when they are all of their
   * buffer), never from one other calls share: fit to go out as a binary message.
   */
  encode(frame: AudioFrame): Uint8Array | null {
    return this.#encode(frame, true);
  }

  /**
   * {@linkcode TelephonyAudio.encode} for bytes read at once and dropped (padded, base64'd):
   * they may be a view of the frame's own bytes or of a slab the whole process shares, so they
   * cost no allocation, and must not be kept, sent or transferred.
   */
  encodeTransient(frame: AudioFrame): Uint8Array | null {
    return this.#encode(frame, false);
  }

  /**
   * {@linkcode TelephonyAudio.encode}; with `own` false {@linkcode TelephonyAudio.encodeTransient}.
   */
  #encode(frame: AudioFrame, own: boolean): Uint8Array | null {
    const { audio, channels, sampleRate } = frame;
    if (!Number.isInteger(channels) || channels < 1) {
      throw new TransportError("encode", `${this.#provider}: audio channels is ${channels}`);
    }
    if (!isTelephonyRate(sampleRate)) {
      throw new TransportError(
        "encode",
        `${this.#provider}: audio sampleRate ${sampleRate} is not one of ${
          RESAMPLER_RATES.join(", ")
        }`,
      );
    }
    if (audio.length % (2 * channels) !== 0) {
      throw new TransportError(
        "encode",
        `${this.#provider}: ${audio.length} audio bytes are not whole ${channels}-channel PCM16 frames`,
      );
    }
    let samples = pcm16Samples(audio);
    if (channels > 1) {
      samples = downmix(samples, channels, newInt16Array(samples.length / channels));
    }
    const codecRate = this.#codecRate;
    if (sampleRate !== codecRate) {
      // A new rate, a new resampler. The old one's last filter delay (a fraction of a millisecond)
      // is not sent: its stream began with that much silence (primed), so what left matches what
      // came in, sample for sample, which fixed-size framing needs (Exotel's 320-byte units; a
      // tail in front of the next reply's first chunk made Exotel pad it mid-speech).
      if (this.#outbound === undefined || this.#outboundFrom !== sampleRate) {
        this.#outbound = new Resampler({ inputRate: sampleRate, outputRate: codecRate });
        this.#outboundFrom = sampleRate;
        this.#newOutboundStream();
      }
      const resampled = this.#outbound.process(samples);
      samples = this.#outboundPrimed
        ? resampled
        : this.#prime(resampled, samples.length, sampleRate);
    } else if (samples.length > 0) {
      // Audio at the codec's rate is a new rate too: the resampler of the rate before holds audio
      // from before it, which must not come out after it when that rate comes back. Dropped as
      // at any change of rate (above): filter state, whose length left as the silence its stream
      // began with, so what left is as long as what was counted sent.
      this.#outbound = undefined;
    }
    return this.#wire(samples, own);
  }

  /**
   * Samples at the codec's rate → wire bytes in its encoding; none: `null`. With `own`, the bytes
   * are cut from this call's message slab (encoded straight into it), else possibly a view of
   * the process's slab or of the samples. With `end`, a G.722 sample left waiting for its pair
   * is coded with a zero.
   */
  #wire(samples: Int16Array, own: boolean, end = false): Uint8Array | null {
    if (this.#encoding === "g722") return this.#g722(samples, own, end);
    if (samples.length === 0) return null;
    const slab = this.#messageSlab;
    switch (this.#encoding) {
      case "mulaw":
        return mulawEncode(samples, own ? slab.uint8Array(samples.length) : undefined);
      case "alaw":
        return alawEncode(samples, own ? slab.uint8Array(samples.length) : undefined);
      case "pcm16le":
        return own ? slab.own(pcm16Bytes(samples)) : pcm16Bytes(samples);
      case "pcm16be": {
        const length = samples.length * 2;
        return swapToBytes(samples, own ? slab.uint8Array(length) : newUint8Array(length));
      }
    }
  }

  /** {@linkcode TelephonyAudio.#wire} in G.722: two samples a byte, its encoder's state kept. */
  #g722(samples: Int16Array, own: boolean, end: boolean): Uint8Array | null {
    const encoder = this.#g722Encoder ??= new G722Encoder();
    const pending = samples.length + (encoder.waiting ? 1 : 0);
    const length = end ? (pending + 1) >> 1 : pending >> 1;
    // Encoded even when no byte comes out: a lone sample waits in the encoder for its pair.
    const bytes = length === 0
      ? NO_BYTES
      : own
      ? this.#messageSlab.uint8Array(length)
      : newUint8Array(length);
    const coded = encoder.encode(samples, bytes).length;
    if (end) encoder.flush(bytes.subarray(coded));
    return length === 0 ? null : bytes;
  }

  /** {@linkcode TelephonyAudio.encode}, then base64. */
  encodeBase64(frame: AudioFrame): string | null {
    // The bytes are read here and dropped: a view of the process's slab costs no allocation.
    const bytes = this.#encode(frame, false);
    return bytes === null ? null : encodeBase64(bytes);
  }

  #checkEven(length: number): void {
    if (length % 2 !== 0) {
      throw new TransportError(
        "decode",
        `${this.#provider}: PCM16 media payload has an odd length of ${length} bytes`,
      );
    }
  }
}

function checkEncoding(encoding: TelephonyEncoding): TelephonyEncoding {
  if (!TELEPHONY_ENCODINGS.includes(encoding)) {
    throw new RangeError(
      `encoding must be one of ${TELEPHONY_ENCODINGS.join(", ")}, got ${encoding}`,
    );
  }
  return encoding;
}

/** The wire rate of `encoding` at `rate`: G.722's is its RTP clock, whichever rate names it. */
function wireRateOf(encoding: TelephonyEncoding, rate: number): number {
  if (encoding !== "g722") return checkRate(rate, "sampleRate");
  if (!isTelephonyRate(rate, encoding)) {
    throw new RangeError(
      `sampleRate must be ${G722_WIRE_RATE} (RTP's clock) or ${G722_AUDIO_RATE} for G.722, ` +
        `got ${rate}`,
    );
  }
  return G722_WIRE_RATE;
}

function checkRate(rate: number, what: string): number {
  if (!isTelephonyRate(rate)) {
    throw new RangeError(`${what} must be one of ${RESAMPLER_RATES.join(", ")} Hz, got ${rate}`);
  }
  return rate;
}

/** Big-endian wire bytes → native `samples` (a deliberate copy: the bytes must be swapped). */
function swapToSamples(bytes: Uint8Array, samples: Int16Array): Int16Array {
  for (let i = 0, j = 0; i < samples.length; i++, j += 2) {
    samples[i] = (bytes[j]! << 8) | bytes[j + 1]!;
  }
  return samples;
}

/** Native samples → big-endian wire `bytes` (a deliberate copy). */
function swapToBytes(samples: Int16Array, bytes: Uint8Array): Uint8Array {
  for (let i = 0, j = 0; i < samples.length; i++, j += 2) {
    const s = samples[i]!;
    bytes[j] = (s >> 8) & 255;
    bytes[j + 1] = s & 255;
  }
  return bytes;
}

/** Interleaved → `mono` by averaging the channels of each frame. */
function downmix(samples: Int16Array, channels: number, mono: Int16Array): Int16Array {
  const frames = mono.length;
  for (let f = 0, i = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[i++]!;
    mono[f] = Math.round(sum / channels);
  }
  return mono;
}

/** Mono → the same sample in each of `channels` interleaved channels of `out`. */
function upmix(samples: Int16Array, channels: number, out: Int16Array): Int16Array {
  for (let f = 0, i = 0; f < samples.length; f++) {
    const s = samples[f]!;
    for (let c = 0; c < channels; c++) out[i++] = s;
  }
  return out;
}
