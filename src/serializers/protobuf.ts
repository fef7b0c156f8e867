/**
 * pipecat's protobuf wire protocol, the one the official JS client
 * (`@pipecat-ai/client-js` with `@pipecat-ai/websocket-transport`) and pipecat's own
 * `ProtobufFrameSerializer` speak: every message is one binary `pipecat.Frame`.
 *
 * Also exported here: {@linkcode rtviBotReady}, the one reply the JS client waits for before
 * `connect()` resolves.
 *
 * @module
 */

import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { TransportError } from "../errors.ts";
import type { AudioFrame, Frame } from "../frames.ts";
import type {
  FrameSerializer,
  SerializedMessage,
  SerializerAudioSetup,
  SerializerContext,
} from "../serializer.ts";
import { pcm16Bytes, pcm16Samples } from "../audio/pcm.ts";
import { Resampler, RESAMPLER_RATES } from "../audio/resampler.ts";
import { OwnedSlab } from "../audio/_owned_slab.ts";
import { newInt16Array } from "../audio/_slab.ts";
import { MAX_CHANNELS } from "../audio/_frame_limits.ts";
import { type Frame as PipecatFrame, FrameSchema } from "./_pipecat_frames_pb.ts";
import { checkRecords } from "./_pipecat_wire_check.ts";
import { toJson } from "./_to_json.ts";
import { thrownText } from "../_thrown_text.ts";
import { atSessionEnd } from "../_session_end.ts";
import { rtviDtmfFrames } from "./rtvi.ts";

export { rtviBotReady, type RtviBotReadyOptions } from "./rtvi.ts";

/** Options for {@linkcode ProtobufSerializer}. */
export interface ProtobufSerializerOptions {
  /**
   * Whether an outbound `interruption` frame is sent as a `pipecat.InterruptionFrame`. pipecat
   * servers since 1.3.0 send one (frames.proto gained it there); the official JS client's schema
   * has none (`@pipecat-ai/websocket-transport` 1.7.1), so it logs "Failed to deserialize incoming
   * message" at each one and ignores it: turn this off to keep its console quiet.
   *
   * @default {true}
   */
  sendInterruptions?: boolean;
}

/**
 * Frames ⇄ binary `pipecat.Frame` messages, encoded with `@bufbuild/protobuf`.
 *
 * Inbound: `audio` → an audio frame at the transport's input rate and channels (resampled and
 * up/down-mixed when the sender declared something else; the JS client sends 16 kHz mono, or its
 * `recorderSampleRate`: the last samples the resampler holds back go on where the declared rate
 * changes, and at the socket's close);
 * `message` → a message frame holding the parsed JSON (RTVI messages such as `client-ready`),
 * but an RTVI `dtmf` message (`PipecatClient.sendDTMF`) → a `dtmf` frame per key, in order, as
 * pipecat's `RTVIProcessor` makes them (one of more than 100 keys is a decode error);
 * `text`, `transcription`, `interruption` → the frames of those names. Text WebSocket messages,
 * bytes that are not a `pipecat.Frame` (or are one of a kind the schema lacks), JSON that does not
 * parse, or audio that is not whole PCM16 sample frames at a supported rate throw a
 * `TransportError` with code `"decode"`.
 *
 * Outbound: `audio` (as is: the JS client plays whatever it gets as 24 kHz mono, so keep the
 * transport's output at 24 kHz, its default), `message` (as JSON), `text`, `transcription`,
 * `interruption`; the other frame kinds have no words in this protocol and send nothing. The
 * official JS client reads only `audio` and `message` (RTVI ones): like the `interruption` (see
 * {@linkcode ProtobufSerializerOptions.sendInterruptions}), `text` and `transcription` reach no
 * callback there, and it logs each as undeserializable; to show text in it, send RTVI messages.
 *
 * @example Answering the JS client's `client-ready`
 * ```ts
 * import { ProtobufSerializer, rtviBotReady } from "@x/ws-transport/protobuf";
 * import assert from "node:assert/strict";
 *
 * const serializer = new ProtobufSerializer();
 * serializer.setup({ inputSampleRate: 16000, inputChannels: 1, outputSampleRate: 24000, outputChannels: 1 });
 * const clientReady = { id: "c1", label: "rtvi-ai", type: "client-ready", data: { version: "2.1.0" } };
 * // What the client sends: a pipecat.Frame whose MessageFrame holds the JSON.
 * const wire = serializer.serialize({ type: "message", message: clientReady }) as Uint8Array;
 * const frame = serializer.deserialize(wire);
 * assert.ok(frame !== null && !Array.isArray(frame)); // several only for a `dtmf` message's keys
 * assert.deepEqual(frame, { type: "message", message: clientReady });
 * const reply = rtviBotReady(frame);
 * assert.ok(reply);
 * assert.ok(serializer.serialize(reply) instanceof Uint8Array);
 * ```
 */
export class ProtobufSerializer implements FrameSerializer {
  #sendInterruptions: boolean;
  #inputRate = 16000;
  #inputChannels = 1;
  /** Where refused audio after the first is counted. */
  #context: SerializerContext | undefined;
  /** The rate the client's audio was last refused at, reported then: counted only, after. */
  #refusedRate: number | undefined;
  /** Inbound resampler, kept while senders keep declaring the same rate and channels. */
  #resampler: Resampler | undefined;
  /**
   * Where the frames it resamples or remixes are cut from: this session's alone, so a frame's
   * buffer holds no other call's audio (a buffer each would cost more than resampling).
   */
  readonly #frameSlab = new OwnedSlab();
  /** The resampler's output arrays, which are the frames: cut from the session's slab at once. */
  readonly #frameArrays = (length: number): Int16Array => this.#frameSlab.int16Array(length);

  /** Makes a serializer for one session; see {@linkcode ProtobufSerializerOptions}. */
  constructor(options: ProtobufSerializerOptions = {}) {
    this.#sendInterruptions = options.sendInterruptions ?? true;
  }

  /** Takes the transport's context, where refused audio after the first is counted. */
  bind(context: SerializerContext): void {
    this.#context = context;
  }

  /** Takes the rate and channels inbound audio frames must have. */
  setup(audio: SerializerAudioSetup): void {
    if (!RESAMPLER_RATES.includes(audio.inputSampleRate)) {
      throw new RangeError(
        `inputSampleRate must be one of ${
          RESAMPLER_RATES.join(", ")
        }, got ${audio.inputSampleRate}`,
      );
    }
    if (!Number.isInteger(audio.inputChannels) || audio.inputChannels < 1) {
      throw new RangeError(`inputChannels must be a positive integer, got ${audio.inputChannels}`);
    }
    this.#inputRate = audio.inputSampleRate;
    this.#inputChannels = audio.inputChannels;
    this.#resampler = undefined;
    atSessionEnd(audio, () => this.#release());
  }

  /**
   * The session it was set up for is over: the resampler (`finish` ended it where the socket
   * closed) and the current slab go, so that a transport kept after the session holds neither.
   * A later use starts afresh.
   */
  #release(): void {
    this.#resampler = undefined;
    this.#frameSlab.release();
  }

  /** One frame to one binary `pipecat.Frame`, or `null` for frame kinds the protocol lacks. */
  serialize(frame: Frame): SerializedMessage | null {
    let message: PipecatFrame;
    switch (frame.type) {
      case "audio":
        message = create(FrameSchema, {
          frame: {
            case: "audio",
            value: {
              audio: frame.audio,
              sampleRate: frame.sampleRate,
              numChannels: frame.channels,
            },
          },
        });
        break;
      case "message":
        message = create(FrameSchema, {
          frame: { case: "message", value: { data: toJson(frame.message) } },
        });
        break;
      case "text":
        message = create(FrameSchema, { frame: { case: "text", value: { text: frame.text } } });
        break;
      case "transcription":
        message = create(FrameSchema, {
          frame: {
            case: "transcription",
            value: { text: frame.text, userId: frame.userId, timestamp: frame.timestamp },
          },
        });
        break;
      case "interruption":
        if (!this.#sendInterruptions) return null;
        message = create(FrameSchema, { frame: { case: "interruption", value: {} } });
        break;
      default:
        return null;
    }
    try {
      return toBinary(FrameSchema, message);
    } catch (cause) {
      // Only numbers outside a field's range get here (a sampleRate of 2^32 or 16000.5).
      throw new TransportError(
        "encode",
        `protobuf: cannot encode ${frame.type} frame: ${thrownText(cause)}`,
        {
          cause,
        },
      );
    }
  }

  /**
   * One binary `pipecat.Frame` to a frame (several for the keys of an RTVI `dtmf` message);
   * `null` for an empty frame or audio still buffered. Audio at a rate other than the one before
   * begins with the samples the resampler held back of the old rate: the caller's, from just
   * before it.
   */
  deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    if (typeof data === "string") {
      throw new TransportError(
        "decode",
        `protobuf: text message of ${data.length} characters where binary pipecat.Frame messages are expected`,
      );
    }
    let message: PipecatFrame;
    try {
      checkRecords(data);
      message = fromBinary(FrameSchema, data, { readUnknownFields: false });
    } catch (cause) {
      throw new TransportError(
        "decode",
        `protobuf: ${data.length} bytes are not a pipecat.Frame: ${(cause as Error).message}`,
        { cause },
      );
    }
    const { frame } = message;
    switch (frame.case) {
      case "audio":
        return this.#audio(frame.value.audio, frame.value.sampleRate, frame.value.numChannels);
      case "message": {
        const parsed = parseData(frame.value.data);
        // The client's keypresses are the bot's `dtmf` frames, as pipecat's RTVIProcessor makes
        // them.
        return rtviDtmfFrames(parsed) ?? { type: "message", message: parsed };
      }
      case "text":
        return { type: "text", text: frame.value.text };
      case "transcription":
        return {
          type: "transcription",
          text: frame.value.text,
          userId: frame.value.userId,
          timestamp: frame.value.timestamp,
        };
      case "interruption":
        return { type: "interruption" };
      default:
        // Every field of a non-empty frame here was one frames.proto lacks (a kind a newer
        // sender added): pipecat's serializers refuse such a frame, so it is not silently nothing.
        if (data.length === 0) return null;
        throw new TransportError(
          "decode",
          `protobuf: ${data.length} bytes are a pipecat.Frame of no kind frames.proto has`,
        );
    }
  }

  /**
   * The socket closed, the session's end (the client sends no goodbye): the caller's last samples
   * the resampler held back, handed on as the telephony serializers hand theirs on.
   */
  finish(): Frame[] | null {
    const tail = this.#endResampling();
    return tail === null ? null : [tail];
  }

  #audio(audio: Uint8Array, sampleRate: number, channels: number): AudioFrame | null {
    if (!RESAMPLER_RATES.includes(sampleRate)) {
      // A client at such a rate sends it at every message, 50 a second: reported once while it
      // does (as the telephony serializers report a refused format), each counted.
      if (sampleRate === this.#refusedRate && this.#context !== undefined) {
        this.#context.count("decodeErrors");
        return null;
      }
      this.#refusedRate = sampleRate;
      throw new TransportError(
        "decode",
        `protobuf: audio sample_rate ${sampleRate} is not supported (send ${
          RESAMPLER_RATES.join(", ")
        }): its audio is dropped, reported once, each message counted in decodeErrors`,
      );
    }
    this.#refusedRate = undefined;
    // frames.proto bounds it no tighter than uint32: the bound is the one every frame has.
    if (channels < 1 || channels > MAX_CHANNELS) {
      throw new TransportError(
        "decode",
        `protobuf: audio num_channels ${channels} is not 1 to ${MAX_CHANNELS}`,
      );
    }
    if (audio.length % (2 * channels) !== 0) {
      throw new TransportError(
        "decode",
        `protobuf: ${audio.length} audio bytes are not whole ${channels}-channel PCM16 frames`,
      );
    }
    // Audio at another rate (the input rate too) ends the resampler's stream: the samples it held
    // back are the caller's audio just before this message's, handed on in front of it, not lost.
    // (No resampler, the common case of a client at the input rate: nothing to end, nor to join.)
    const resampler = this.#resampler;
    const ended = resampler !== undefined && resampler.inputRate !== sampleRate;
    const tail = ended ? this.#endResampling() : null;
    const frame = this.#converted(audio, sampleRate, channels);
    if (tail === null || frame === null) return frame ?? tail;
    const joined = this.#frameSlab.uint8Array(tail.audio.length + frame.audio.length);
    joined.set(tail.audio);
    joined.set(frame.audio, tail.audio.length);
    return { ...frame, audio: joined };
  }

  /** The samples the resampler holds back, as a frame (`null`: none), and the resampler gone. */
  #endResampling(): AudioFrame | null {
    const resampler = this.#resampler;
    if (resampler === undefined) return null;
    this.#resampler = undefined;
    return this.#frame(resampler.flush(this.#frameArrays));
  }

  /** Checked audio → a frame at the input rate and channels; `null`: nothing (yet). */
  #converted(audio: Uint8Array, sampleRate: number, channels: number): AudioFrame | null {
    const rate = this.#inputRate;
    const wanted = this.#inputChannels;
    // The common case (the JS client at 16 kHz mono into a 16 kHz mono transport) is a view of
    // the message's own bytes: no copy.
    if (sampleRate === rate && channels === wanted) {
      return audio.length === 0
        ? null
        : { type: "audio", audio, sampleRate: rate, channels: wanted };
    }
    let samples = pcm16Samples(audio);
    if (channels !== wanted) {
      // Remixed samples that are the frame go straight into the session's slab; ones the
      // resampler reads at once, into the process's.
      const length = (samples.length / channels) * wanted;
      const out = sampleRate === rate ? this.#frameSlab.int16Array(length) : newInt16Array(length);
      samples = remix(samples, channels, wanted, out);
    }
    if (sampleRate !== rate) {
      // Kept while senders keep declaring this rate (`#audio` ended any other rate's).
      this.#resampler ??= new Resampler({
        inputRate: sampleRate,
        outputRate: rate,
        channels: wanted,
      });
      samples = this.#resampler.process(samples, this.#frameArrays);
    }
    return this.#frame(samples);
  }

  /** Samples at the input rate and channels → an audio frame; none: `null`. */
  #frame(samples: Int16Array): AudioFrame | null {
    if (samples.length === 0) return null;
    // Every path cut the samples from this session's slab or left them the message's own bytes:
    // `own` keeps them as they are (the rest, should there be any, copied into the slab).
    return {
      type: "audio",
      audio: this.#frameSlab.own(pcm16Bytes(samples)),
      sampleRate: this.#inputRate,
      channels: this.#inputChannels,
    };
  }
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch (cause) {
    const shown = data.length > 40 ? `${data.slice(0, 37)}...` : data;
    throw new TransportError(
      "decode",
      `protobuf: message data is not JSON: ${JSON.stringify(shown)}`,
      {
        cause,
      },
    );
  }
}

/**
 * Interleaved `from` channels → `to` channels: each output frame is the average of the input
 * frame's channels, copied to every output channel (a deliberate copy: the layout changes).
 */
function remix(samples: Int16Array, from: number, to: number, out: Int16Array): Int16Array {
  const frames = samples.length / from;
  for (let f = 0, i = 0, o = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < from; c++) sum += samples[i++]!;
    const value = Math.round(sum / from);
    for (let c = 0; c < to; c++) out[o++] = value;
  }
  return out;
}
