/**
 * Every frame as one JSON text message: easy to read in a browser's devtools and in logs.
 *
 * @module
 */

import { MAX_CHANNELS, MAX_SAMPLE_RATE } from "../audio/_frame_limits.ts";
import { TransportError } from "../errors.ts";
import type { CancelFrame, Frame, TranscriptionFrame } from "../frames.ts";
import type { FrameSerializer, SerializerAudioSetup } from "../serializer.ts";
import { decodeBase64, encodeBase64 } from "./telephony/base64.ts";
import { toJson } from "./_to_json.ts";
import { describe } from "./telephony/_json_value.ts";
import { JsonReader } from "./telephony/json_reader.ts";
import { thrownText } from "../_thrown_text.ts";
import { setOwnField } from "./_own_field.ts";
import { isKeypadDigit } from "../_keypad_digits.ts";
import { closeCodeProblem } from "../transport_options.ts";

/**
 * Every frame ⇄ one JSON text message shaped like the frame itself, audio as base64:
 * `{"type":"audio","audio":"AAA…","sampleRate":16000,"channels":1}`,
 * `{"type":"message","message":{…}}`, `{"type":"mark","name":"intro"}`, and so on for every
 * {@linkcode Frame} kind. Reading is strict: a field of the wrong type is a decode error naming
 * it. Audio without `sampleRate`/`channels` takes the transport's input format.
 *
 * @example A frame there and back
 * ```ts
 * import { JsonSerializer } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const serializer = new JsonSerializer();
 * const text = serializer.serialize({ type: "dtmf", digit: "5" });
 * assert.equal(text, '{"type":"dtmf","digit":"5"}');
 * assert.deepEqual(serializer.deserialize(text), { type: "dtmf", digit: "5" });
 * ```
 */
export class JsonSerializer implements FrameSerializer {
  #sampleRate = 16000;
  #channels = 1;

  /** Takes the inbound audio format from the transport. */
  setup(audio: SerializerAudioSetup): void {
    this.#sampleRate = audio.inputSampleRate;
    this.#channels = audio.inputChannels;
  }

  /** One frame as one JSON text. */
  serialize(frame: Frame): string {
    if (frame.type === "audio") {
      return toJson({
        type: "audio",
        audio: encodeBase64(frame.audio),
        sampleRate: frame.sampleRate,
        channels: frame.channels,
      });
    }
    if (frame.type === "message") {
      // The message on its own first: inside the frame, one JSON cannot carry (undefined, a
      // function) would vanish without a word and leave `{"type":"message"}`, which no reader
      // of this format takes. Alone it is the "encode" error every serializer makes of it.
      const message = toJson(frame.message);
      const urgent = frame.urgent === undefined ? "" : `,"urgent":${toJson(frame.urgent)}`;
      return `{"type":"message","message":${message}${urgent}}`;
    }
    return toJson(frame);
  }

  /**
   * One JSON text as one frame, or `null` for audio of no samples (`"audio":""`, its fields
   * checked all the same), as `RawPcmSerializer` and `ProtobufSerializer` read an empty message;
   * anything else is a decode error.
   */
  deserialize(data: string | Uint8Array): Frame | null {
    if (typeof data !== "string") {
      throw new TransportError(
        "decode",
        `JsonSerializer reads text messages, got ${data.length} bytes of binary`,
      );
    }
    const value = JsonReader.parseValue(data, "JsonSerializer");
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new TransportError("decode", `frame must be a JSON object, got ${data.slice(0, 40)}`);
    }
    // Its own fields only, as `JsonReader` reads: on a copy with no prototype, a field the client
    // did not send is absent even where something polluted `Object.prototype` with its name.
    const o: Record<string, unknown> = Object.assign(Object.create(null), value);
    switch (o.type) {
      case "audio":
        return this.#audio(o);
      case "message":
        if (!Object.hasOwn(o, "message")) throw missing("message", "message");
        if (o.urgent !== undefined && typeof o.urgent !== "boolean") {
          throw new TransportError(
            "decode",
            `message frame's urgent must be a boolean, got ${describe(o.urgent)}`,
          );
        }
        return o.urgent === true
          ? { type: "message", message: o.message, urgent: true }
          : { type: "message", message: o.message };
      case "text":
        return { type: "text", text: str(o, "text") };
      case "transcription": {
        const transcription: TranscriptionFrame = {
          type: "transcription",
          text: str(o, "text"),
          userId: str(o, "userId"),
          timestamp: str(o, "timestamp"),
        };
        if (o.language !== undefined) transcription.language = str(o, "language");
        return transcription;
      }
      case "dtmf": {
        const digit = str(o, "digit");
        // Our own format spells a digit as the frame does: no provider's spellings to forgive.
        if (!isKeypadDigit(digit)) {
          throw new TransportError(
            "decode",
            `dtmf digit must be 0-9, *, # or A-D, got ${describe(digit)}`,
          );
        }
        return { type: "dtmf", digit };
      }
      case "mark":
        return { type: "mark", name: str(o, "name") };
      case "interruption":
        return { type: "interruption" };
      case "cancel":
        return cancel(o);
      case "end":
        return o.reason === undefined ? { type: "end" } : { type: "end", reason: str(o, "reason") };
      case "start":
        return this.#start(o);
      default:
        throw new TransportError("decode", `unknown frame type ${describe(o.type)}`);
    }
  }

  #audio(o: Record<string, unknown>): Frame | null {
    let audio: Uint8Array;
    try {
      audio = decodeBase64(str(o, "audio"));
    } catch (cause) {
      if (cause instanceof TransportError) throw cause;
      throw new TransportError(
        "decode",
        `audio frame's audio is not base64: ${thrownText(cause)}`,
        {
          cause,
        },
      );
    }
    const sampleRate = countUpTo(o, "sampleRate", this.#sampleRate, MAX_SAMPLE_RATE);
    const channels = countUpTo(o, "channels", this.#channels, MAX_CHANNELS);
    if (audio.length % (channels * 2) !== 0) {
      throw new TransportError(
        "decode",
        `audio frame of ${audio.length} bytes is not whole PCM16 sample frames`,
      );
    }
    // No samples, nothing to hand on: a frame of none would take a place in the reader's queue
    // and reach the bot (and `frames`, `framesIn`) as audio that lasts no time.
    if (audio.length === 0) return null;
    return { type: "audio", audio, sampleRate, channels };
  }

  #start(o: Record<string, unknown>): Frame {
    const frame: Frame & { type: "start" } = { type: "start" };
    if (o.streamId !== undefined) frame.streamId = str(o, "streamId");
    if (o.callId !== undefined) frame.callId = str(o, "callId");
    if (o.params !== undefined) {
      const params = o.params;
      if (typeof params !== "object" || params === null || Array.isArray(params)) {
        throw new TransportError("decode", "start frame's params must be an object of strings");
      }
      const copy: Record<string, string> = {};
      for (const [key, value] of Object.entries(params)) {
        if (typeof value !== "string") {
          throw new TransportError(
            "decode",
            `start frame's params[${describe(key)}] must be a string, got ${typeof value}`,
          );
        }
        setOwnField(copy, key, value);
      }
      frame.params = copy;
    }
    if (o.probe !== undefined) {
      if (typeof o.probe !== "boolean") {
        throw new TransportError(
          "decode",
          `start frame's probe must be a boolean, got ${typeof o.probe}`,
        );
      }
      frame.probe = o.probe;
    }
    return frame;
  }
}

/** A cancel frame, with the close code and reason it carries when it carries them. */
function cancel(o: Record<string, unknown>): CancelFrame {
  const frame: CancelFrame = { type: "cancel" };
  if (o.closeCode !== undefined) {
    const problem = closeCodeProblem(o.closeCode);
    if (problem !== undefined) {
      throw new TransportError("decode", `cancel frame's closeCode is wrong: ${problem}`);
    }
    frame.closeCode = o.closeCode as number;
  }
  if (o.reason !== undefined) frame.reason = str(o, "reason");
  return frame;
}

/** An audio frame's `field`: an integer from 1 to `max`, or `fallback` when it is absent. */
function countUpTo(
  o: Record<string, unknown>,
  field: string,
  fallback: number,
  max: number,
): number {
  const value = o[field] === undefined ? fallback : o[field];
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0 || value > max) {
    throw new TransportError(
      "decode",
      `audio frame's ${field} must be an integer from 1 to ${max}, got ${describe(value)}`,
    );
  }
  return value;
}

function str(o: Record<string, unknown>, field: string): string {
  const value = o[field];
  if (typeof value !== "string") {
    throw new TransportError(
      "decode",
      `${String(o.type)} frame's ${field} must be a string, got ${typeof value}`,
    );
  }
  return value;
}

function missing(type: string, field: string): TransportError {
  return new TransportError("decode", `${type} frame has no ${field}`);
}
